// The man page and the shell completions, written from the CLI11 option tree: every
// subcommand and option a user can give appears in them, with the help text it has in
// `--help`, so the documents follow the options as they change.
#include <fmt/format.h>

#include <map>
#include <string_view>

#include "app/cli_setup.h"

namespace ttycall::app {
namespace {

// Values an option takes from a fixed set, for completion.
const std::map<std::string, std::string>& value_choices() {
  static const std::map<std::string, std::string> choices = {
      {"--render", "ascii half"},
      {"--color", "auto none 16 256 true"},
      {"--log-level", "trace debug info warn error off"},
  };
  return choices;
}

bool takes_value(const CLI::Option& o) {
  return o.get_items_expected_max() > 0 &&
         !(o.get_items_expected_min() == 0 && o.get_type_size_max() == 0);
}
bool takes_file(const CLI::Option& o) {
  return o.get_type_name() == "FILE";
}

std::string choices_of(const CLI::Option& o) {
  const auto it = value_choices().find(o.get_name(false, false));
  return it == value_choices().end() ? "" : it->second;
}

// The long name, "--host"; or the short one when there is no long one.
std::string main_name(const CLI::Option& o) {
  if (!o.get_lnames().empty()) return "--" + o.get_lnames().front();
  if (!o.get_snames().empty()) return "-" + o.get_snames().front();
  return o.get_name();
}

// The first line of a help text, for one-line descriptions.
std::string one_line(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

std::string replace_all(std::string s, std::string_view from, std::string_view to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
  return s;
}

// ---- roff ----

std::string roff(const std::string& text) {
  std::string out = replace_all(text, "\\", "\\e");
  out = replace_all(out, "-", "\\-");
  // A line starting with . or ' would be a request.
  out = replace_all(out, "\n.", "\n\\&.");
  out = replace_all(out, "\n'", "\n\\&'");
  if (!out.empty() && (out[0] == '.' || out[0] == '\'')) out.insert(0, "\\&");
  return out;
}

void man_options(std::string& out, const CLI::App& command) {
  for (const CLI::Option* o : visible_options(command)) {
    std::string names;
    for (const std::string& s : o->get_snames()) names += fmt::format("\\fB\\-{}\\fR, ", roff(s));
    for (const std::string& l : o->get_lnames())
      names += fmt::format("\\fB\\-\\-{}\\fR, ", roff(l));
    if (names.size() >= 2) names.resize(names.size() - 2);
    if (takes_value(*o)) {
      const std::string type = o->get_type_name().empty() ? "VALUE" : o->get_type_name();
      names += fmt::format(" \\fI{}\\fR", roff(type.substr(0, type.find(':'))));
    }
    std::string help = o->get_description();
    if (!help.empty() && help.back() != '.' && help.back() != ')') help += '.';
    if (!help.empty() && help.back() == ')') help += '.';
    out += fmt::format(".TP\n{}\n{}", names, roff(help));
    // (The config file's default is the builder's home: the text says where it is.)
    if (!o->get_default_str().empty() && o->get_name() != "--config") {
      out += fmt::format(" Default: {}.", roff(o->get_default_str()));
    }
    if (!o->get_envname().empty()) {
      out += fmt::format(" Environment: \\fB{}\\fR.", roff(o->get_envname()));
    }
    out += "\n";
  }
}

// The title line, NAME, SYNOPSIS and DESCRIPTION.
std::string man_heading(const CLI::App& app) {
  return fmt::format(
      ".TH TTYCALL 1 \"\" \"{}\" \"User Commands\"\n"
      ".SH NAME\nttycall \\- {}\n"
      ".SH SYNOPSIS\n.B ttycall\n[\\fB\\-\\-config\\fR \\fIFILE\\fR] \\fICOMMAND\\fR "
      "[\\fIOPTIONS\\fR]\n"
      ".SH DESCRIPTION\n"
      "Every participant runs \\fBttycall client\\fR; one \\fBttycall server\\fR receives "
      "everyone's "
      "camera and microphone, composes for each viewer a grid of the participants as text art "
      "sized to that viewer's terminal, mixes each listener's audio, and streams both back.\n"
      ".PP\n.nf\n{}\n.fi\n",
      "ttycall " TTYCALL_VERSION, roff("a multi-party video and voice call in your terminal"),
      roff(app.get_footer()));
}

// A command's positional arguments (the address of `client` and `rooms`), before its options.
void man_positionals(std::string& out, const CLI::App& command) {
  for (const CLI::Option* o : command.get_options()) {
    if (o->get_group().empty() || o->nonpositional()) continue;
    const std::string type = o->get_type_name().empty() ? o->get_name() : o->get_type_name();
    out += fmt::format(".TP\n\\fI{}\\fR\n{}\n", roff(type), roff(o->get_description()));
  }
}

void man_commands(std::string& out, const CLI::App& app) {
  for (const CLI::App* sub : visible_subcommands(app)) {
    out += fmt::format(".SS \"ttycall {}\"\n{}\n", sub->get_name(), roff(sub->get_description()));
    if (!sub->get_footer().empty()) out += ".PP\n.nf\n" + roff(sub->get_footer()) + "\n.fi\n";
    man_positionals(out, *sub);
    man_options(out, *sub);
  }
}

// The sections that do not come from the option tree.
constexpr std::string_view kManKeys = R"(.SH KEYS IN A CALL
.TP
.B q
Leave the call (also Ctrl\-C).
.TP
.B m
Mute or unmute your microphone.
.TP
.B v
Switch your camera off (the others see your name) or back on.
.TP
.B r
Next render mode: ascii, half blocks.
.TP
.B c
Next colour mode: none, 16, 256, true colour.
.TP
.B s
Show or hide the stats box: fps, latency, round trip, bandwidth, packet loss.
.TP
.B f
Focus: one large tile for whoever speaks, then each participant pinned in turn, then the grid again.
)";
constexpr std::string_view kManConfiguration = R"(.SH CONFIGURATION
Every option can also be set in the environment or in a TOML file. The order is:
a flag on the command line, then the environment variable, then the config file, then the
built\-in default.
.PP
The environment variable of an option is \fBTTYCALL_\fR\fICOMMAND\fR\fB_\fR\fIOPTION\fR in
capitals with dashes as underscores, e.g. \fBTTYCALL_CLIENT_HOST\fR for
\fBttycall client \-\-host\fR. Flags take 1/0, true/false, yes/no or on/off.
.PP
The config file is \fI~/.config/ttycall/config.toml\fR (\fI$XDG_CONFIG_HOME/ttycall/config.toml\fR
when that is set), or the file given with \fB\-\-config\fR or \fBTTYCALL_CONFIG\fR. It has a section per
command with the option names as keys:
.PP
.nf
[client]
host = "call.example.org"
name = "Ada"
color = "256"

[server]
port = 27224
max\-clients = 8
.fi
)";
constexpr std::string_view kManFiles = R"(.SH FILES
.TP
.I ~/.config/ttycall/config.toml
Option defaults, see CONFIGURATION.
.TP
.I /usr/lib/systemd/system/ttycall\-server.service
A systemd unit that runs \fBttycall server\fR (installed with the package).
)";
constexpr std::string_view kManExamples = R"(.SH EXAMPLES
.TP
.B ttycall demo
Try it: a call with three synthetic participants, no network needed.
.TP
.B ttycall server \-\-bind 0.0.0.0
Host calls (rooms) on port 27224 for everyone who can reach this machine.
.TP
.B ttycall client call.example.org \-\-name Ada
Join that server's default room, \fIlobby\fR.
.TP
.B ttycall client call.example.org:27224/standup
Join the room \fIstandup\fR of that server (made when its first member joins).
.TP
.B ttycall rooms call.example.org
List its rooms and their member counts (if it runs with \fB\-\-list\-rooms\fR).
)";
constexpr std::string_view kManExitStatus = R"(.SH EXIT STATUS
0 when the call ended normally; 1 when it failed (the server could not be reached, or ended
the call); 2 for bad options.
)";

// ---- shells ----

std::string quoted_single(const std::string& s, std::string_view escaped_quote) {
  return "'" + replace_all(s, "'", escaped_quote) + "'";
}

std::string zsh_spec(const CLI::Option& o) {
  std::string help =
      replace_all(replace_all(one_line(o.get_description()), "[", "\\["), "]", "\\]");
  help = replace_all(help, ":", "\\:");
  std::string names;
  std::string spec;
  const auto& shorts = o.get_snames();
  const auto& longs = o.get_lnames();
  std::string action;
  if (takes_value(o)) {
    const std::string choices = choices_of(o);
    action = choices.empty() ? (takes_file(o) ? ":file:_files" : ":value: ")
                             : ":value:(" + choices + ")";
  }
  if (shorts.size() + longs.size() > 1) {
    std::string exclusion = "(";
    std::string brace = "{";
    for (const auto& s : shorts) {
      exclusion += "-" + s + " ";
      brace += "-" + s + ",";
    }
    for (const auto& l : longs) {
      exclusion += "--" + l + " ";
      brace += "--" + l + ",";
    }
    exclusion.back() = ')';
    brace.back() = '}';
    return quoted_single(exclusion, "'\\''") + brace +
           quoted_single("[" + help + "]" + action, "'\\''");
  }
  return quoted_single(main_name(o) + "[" + help + "]" + action, "'\\''");
}

std::string bash_script(const CLI::App& app) {
  std::string out =
      "# bash completion for ttycall (generated by `ttycall --generate-completion bash`)\n"
      "_ttycall() {\n"
      "  local cur=\"${COMP_WORDS[COMP_CWORD]}\" prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n"
      "  local command=\"\" i\n"
      "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
      "    case \"${COMP_WORDS[i]}\" in\n";
  std::string names;
  for (const CLI::App* sub : visible_subcommands(app)) names += sub->get_name() + "|";
  names.pop_back();
  out += fmt::format("      {}) command=\"${{COMP_WORDS[i]}}\"; break ;;\n", names);
  out += "    esac\n  done\n  case \"$command $prev\" in\n";
  // Values: fixed choices, files, or free text (no completion), per command.
  std::map<std::string, std::string> value_cases;
  const auto collect = [&](const CLI::App& command, const std::string& pattern) {
    for (const CLI::Option* o : visible_options(command)) {
      if (!takes_value(*o)) continue;
      const std::string choices = choices_of(*o);
      value_cases["\"" + pattern + " " + main_name(*o) + "\""] =
          !choices.empty() ? fmt::format("COMPREPLY=($(compgen -W \"{}\" -- \"$cur\"))", choices)
          : takes_file(*o) ? "COMPREPLY=($(compgen -f -- \"$cur\"))"
                           : "COMPREPLY=()";
    }
  };
  for (const CLI::App* sub : visible_subcommands(app)) collect(*sub, sub->get_name());
  for (const auto& [pattern, action] : value_cases) {
    out += fmt::format("    {}) {}; return ;;\n", pattern, action);
  }
  value_cases.clear();
  collect(app, "");  // options of ttycall itself, before or after the command
  for (const auto& [pattern, action] : value_cases) {
    out += fmt::format("    *{}) {}; return ;;\n", pattern.substr(2, pattern.size() - 3), action);
  }
  out += "  esac\n  case \"$command\" in\n";
  const auto words = [](const CLI::App& command) {
    std::string w;
    for (const CLI::Option* o : visible_options(command)) {
      for (const auto& s : o->get_snames()) w += "-" + s + " ";
      for (const auto& l : o->get_lnames()) w += "--" + l + " ";
    }
    return w;
  };
  std::string top = words(app);
  for (const CLI::App* sub : visible_subcommands(app)) top += sub->get_name() + " ";
  top.pop_back();
  out += fmt::format("    \"\") COMPREPLY=($(compgen -W \"{}\" -- \"$cur\")) ;;\n", top);
  for (const CLI::App* sub : visible_subcommands(app)) {
    std::string w = words(*sub);
    if (!w.empty()) w.pop_back();
    out += fmt::format("    {}) COMPREPLY=($(compgen -W \"{}\" -- \"$cur\")) ;;\n", sub->get_name(),
                       w);
  }
  out += "  esac\n}\ncomplete -F _ttycall ttycall\n";
  return out;
}

std::string zsh_script(const CLI::App& app) {
  std::string out =
      "#compdef ttycall\n"
      "# zsh completion for ttycall (generated by `ttycall --generate-completion zsh`)\n"
      "_ttycall() {\n"
      "  local curcontext=\"$curcontext\" state line\n"
      "  local -a commands\n"
      "  commands=(\n";
  for (const CLI::App* sub : visible_subcommands(app)) {
    out += "    " +
           quoted_single(sub->get_name() + ":" + one_line(sub->get_description()), "'\\''") + "\n";
  }
  out += "  )\n  _arguments -C \\\n";
  for (const CLI::Option* o : visible_options(app)) out += "    " + zsh_spec(*o) + " \\\n";
  out +=
      "    '1: :->command' \\\n"
      "    '*:: :->args'\n"
      "  case $state in\n"
      "    command) _describe -t commands 'ttycall command' commands ;;\n"
      "    args)\n"
      "      case $words[1] in\n";
  for (const CLI::App* sub : visible_subcommands(app)) {
    out += fmt::format("        {})\n          _arguments \\\n", sub->get_name());
    const auto options = visible_options(*sub);
    for (size_t i = 0; i < options.size(); ++i) {
      out += "            " + zsh_spec(*options[i]) + (i + 1 < options.size() ? " \\\n" : "\n");
    }
    out += "          ;;\n";
  }
  out += "      esac ;;\n  esac\n}\n_ttycall \"$@\"\n";
  return out;
}

std::string fish_option(const CLI::Option& o, const std::string& condition) {
  std::string line = "complete -c ttycall " + condition;
  for (const auto& s : o.get_snames()) line += " -s " + s;
  for (const auto& l : o.get_lnames()) line += " -l " + l;
  line += " -d " + quoted_single(one_line(o.get_description()), "\\'");
  if (takes_value(o)) {
    const std::string choices = choices_of(o);
    line += !choices.empty() ? " -x -a " + quoted_single(choices, "\\'")
            : takes_file(o)  ? " -r -F"
                             : " -x";
  }
  return line + "\n";
}

std::string fish_script(const CLI::App& app) {
  std::string out =
      "# fish completion for ttycall (generated by `ttycall --generate-completion fish`)\n"
      "complete -c ttycall -f\n";
  std::string names;
  for (const CLI::App* sub : visible_subcommands(app)) names += sub->get_name() + " ";
  names.pop_back();
  for (const CLI::Option* o : visible_options(app)) {
    out += fish_option(*o, "-n '__fish_use_subcommand'");
  }
  for (const CLI::App* sub : visible_subcommands(app)) {
    out += fmt::format("complete -c ttycall -n '__fish_use_subcommand' -a {} -d {}\n",
                       sub->get_name(), quoted_single(one_line(sub->get_description()), "\\'"));
  }
  for (const CLI::App* sub : visible_subcommands(app)) {
    const std::string condition = "-n '__fish_seen_subcommand_from " + sub->get_name() + "'";
    for (const CLI::Option* o : visible_options(*sub)) out += fish_option(*o, condition);
  }
  return out;
}

}  // namespace

std::vector<const CLI::App*> visible_subcommands(const CLI::App& app) {
  std::vector<const CLI::App*> out;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (!sub->get_name().empty() && !sub->get_group().empty()) out.push_back(sub);
  }
  return out;
}

std::vector<const CLI::Option*> visible_options(const CLI::App& command) {
  std::vector<const CLI::Option*> out;
  for (const CLI::Option* o : command.get_options()) {
    if (!o->get_group().empty() && o->nonpositional()) out.push_back(o);
  }
  // Option groups are nameless subcommands; their options belong to this command.
  for (const CLI::App* sub : command.get_subcommands([](const CLI::App*) { return true; })) {
    if (sub->get_name().empty()) {
      for (const CLI::Option* o : visible_options(*sub)) {
        const bool own_help = command.get_help_ptr() != nullptr &&
                              o->get_name() == command.get_help_ptr()->get_name();
        if (!own_help) out.push_back(o);  // a group repeats its command's -h
      }
    }
  }
  return out;
}

std::string man_page(const CLI::App& app) {
  std::string out = man_heading(app);
  out += ".SH OPTIONS\n";
  man_options(out, app);
  out += ".SH COMMANDS\n";
  man_commands(out, app);
  for (const std::string_view section :
       {kManKeys, kManConfiguration, kManFiles, kManExamples, kManExitStatus}) {
    out += section;
  }
  return out;
}

std::string completion_script(const CLI::App& app, const std::string& shell) {
  if (shell == "bash") return bash_script(app);
  if (shell == "zsh") return zsh_script(app);
  if (shell == "fish") return fish_script(app);
  return {};
}

}  // namespace ttycall::app
