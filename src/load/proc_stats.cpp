#include "load/proc_stats.h"

#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

namespace ttycall::load {
namespace {

std::string proc_path(pid_t pid, const char* leaf) {
  return pid == 0 ? std::string("/proc/self/") + leaf : "/proc/" + std::to_string(pid) + "/" + leaf;
}

bool read_whole(const std::string& path, std::string& out) {
  std::ifstream in(path);
  if (!in) return false;
  std::ostringstream text;
  text << in.rdbuf();
  out = text.str();
  return true;
}

// One of /proc/net/tcp or tcp6: "sl local_address rem_address st ...", addresses as
// HEXADDR:HEXPORT, state 0A = LISTEN.
bool listening_in(const char* table, uint16_t port) {
  std::ifstream in(table);
  std::string line;
  if (!in || !std::getline(in, line)) return false;  // header
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string slot, local, remote, state;
    if (!(fields >> slot >> local >> remote >> state)) continue;
    const size_t colon = local.rfind(':');
    if (colon == std::string::npos || state != "0A") continue;
    if (std::strtoul(local.c_str() + colon + 1, nullptr, 16) == port) return true;
  }
  return false;
}

}  // namespace

std::optional<double> process_cpu_seconds(pid_t pid) {
  std::string text;
  if (!read_whole(proc_path(pid, "stat"), text)) return std::nullopt;
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so count the
  // fields from the last ')'. utime and stime are fields 14 and 15 (1-based).
  const size_t paren = text.rfind(')');
  if (paren == std::string::npos) return std::nullopt;
  std::istringstream fields(text.substr(paren + 1));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int index = 3; fields >> field; ++index) {
    if (index == 14) utime = std::strtoull(field.c_str(), nullptr, 10);
    if (index == 15) {
      stime = std::strtoull(field.c_str(), nullptr, 10);
      const long ticks = ::sysconf(_SC_CLK_TCK);
      return double(utime + stime) / double(ticks > 0 ? ticks : 100);
    }
  }
  return std::nullopt;
}

std::optional<int64_t> process_peak_rss_bytes(pid_t pid) {
  std::ifstream in(proc_path(pid, "status"));
  std::string line;
  while (in && std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) {
      return int64_t(std::strtoll(line.c_str() + 6, nullptr, 10)) * 1024;  // "NNN kB"
    }
  }
  return std::nullopt;
}

std::optional<double> load_average_1m() {
  std::ifstream in("/proc/loadavg");
  double load = 0;
  if (!(in >> load)) return std::nullopt;
  return load;
}

std::optional<MachineCpu> machine_cpu_seconds() {
  std::ifstream in("/proc/stat");
  std::string label;
  // user nice system idle iowait irq softirq steal (guest time is counted in user already)
  std::array<unsigned long long, 8> t{};
  if (!(in >> label) || label != "cpu") return std::nullopt;
  for (unsigned long long& v : t) {
    if (!(in >> v)) return std::nullopt;
  }
  const long ticks = ::sysconf(_SC_CLK_TCK);
  const double tick = 1.0 / double(ticks > 0 ? ticks : 100);
  const unsigned long long busy = t[0] + t[1] + t[2] + t[5] + t[6] + t[7];
  return MachineCpu{double(busy) * tick, double(t[7]) * tick};
}

bool tcp_port_listening(uint16_t port) {
  return listening_in("/proc/net/tcp", port) || listening_in("/proc/net/tcp6", port);
}

}  // namespace ttycall::load
