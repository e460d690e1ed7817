// Option values from the environment and the config file, below the command line.
//
// CLI11 reads the TOML file (sections name subcommands: [client], [server]) and the
// environment variables set with envname(). On its own it lets the file win over the
// environment; the file reader here drops every file entry whose variable is set, which
// gives the documented order: flag > environment > file > default.
#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "app/cli_setup.h"
#include "core/paths.h"

namespace ttycall::app {
namespace {

class ConfigBelowEnvironment : public CLI::ConfigTOML {
 public:
  std::vector<CLI::ConfigItem> from_config(std::istream& input) const override {
    std::vector<CLI::ConfigItem> items = CLI::ConfigTOML::from_config(input);
    std::erase_if(items, [](const CLI::ConfigItem& item) {
      if (item.name == "++" || item.name == "--") return false;  // section marks
      const char* value = std::getenv(env_name(item.parents, item.name).c_str());
      return value != nullptr && value[0] != '\0';
    });
    return items;
  }
};

// The names of the subcommands from the root down to `command` (option groups have no
// name and do not count).
std::vector<std::string> command_path(const CLI::App* command) {
  std::vector<std::string> path;
  for (const CLI::App* c = command; c != nullptr && c->get_parent() != nullptr;
       c = c->get_parent()) {
    if (!c->get_name().empty()) path.insert(path.begin(), c->get_name());
  }
  return path;
}

// A flag like `--no-echo-cancel` stores false when given. From the environment CLI11 would
// store the variable's value as it is, so TTYCALL_CLIENT_NO_ECHO_CANCEL=1 is turned into
// "false" here, to mean what it says.
void invert_negated_flag_variable(const CLI::Option& option, const std::string& variable) {
  const char* value = std::getenv(variable.c_str());
  if (value == nullptr || value[0] == '\0' || option.get_expected_min() != 0) return;
  const std::string name = option.get_lnames().empty() ? "" : option.get_lnames().front();
  if (option.get_flag_value(name, "true") != "false") return;  // not a negated flag
  std::string v = value;
  std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::tolower(c); });
  const bool on = v == "1" || v == "true" || v == "yes" || v == "on";
  ::setenv(variable.c_str(), on ? "false" : "true", 1);
}

void add_env_names(CLI::App& command) {
  const std::vector<std::string> path = command_path(&command);
  for (CLI::Option* option : command.get_options()) {
    if (option == command.get_help_ptr() || option == command.get_help_all_ptr() ||
        option->get_lnames().empty() || option->get_name() == "--version" ||
        option->get_name() == "--config") {
      continue;
    }
    const std::string variable = env_name(path, option->get_lnames().front());
    invert_negated_flag_variable(*option, variable);
    option->envname(variable);
  }
  for (CLI::App* sub : command.get_subcommands({})) add_env_names(*sub);
}

}  // namespace

std::string env_name(const std::vector<std::string>& commands, const std::string& option) {
  std::string name = "TTYCALL";
  for (const std::string& part : commands) name += "_" + part;
  name += "_" + option;
  for (char& c : name) c = c == '-' ? '_' : char(std::toupper(static_cast<unsigned char>(c)));
  return name;
}

std::string add_value_sources(CLI::App& app) {
  add_env_names(app);
  std::string file;
  if (const char* from_env = std::getenv("TTYCALL_CONFIG"); from_env && from_env[0] != '\0') {
    file = from_env;
  } else if (const auto dir = core::config_dir(); !dir.empty()) {
    file = (dir / "config.toml").string();
  }
  app.config_formatter(std::make_shared<ConfigBelowEnvironment>());
  app.allow_config_extras(CLI::config_extras_mode::error);  // a typo in the file is reported
  app.set_config("--config", file,
                 "Read option defaults from this TOML file, a [section] per command "
                 "(default: ~/.config/ttycall/config.toml if it exists; env TTYCALL_CONFIG)",
                 false)
      ->type_name("FILE");
  return file;
}

}  // namespace ttycall::app
