#pragma once
// What the kernel knows about a process (Linux /proc): its CPU time and its peak resident
// set, and whether a TCP port has a listener. The load generator measures the server it
// spawned with these, from outside, so the figures cannot flatter the server.
#include <sys/types.h>

#include <cstdint>
#include <optional>

namespace ttycall::load {

// User + system CPU seconds `pid` has used so far (0 = this process); nullopt once the
// process is gone or /proc cannot be read. Resolution: one clock tick (usually 10 ms).
std::optional<double> process_cpu_seconds(pid_t pid);

// Peak resident set size (VmHWM) of `pid` (0 = this process) in bytes; nullopt if unknown.
std::optional<int64_t> process_peak_rss_bytes(pid_t pid);

// The machine's 1-minute load average (/proc/loadavg); nullopt if unknown. Others' work on
// the same cores is the main source of noise in load figures, so runs record it.
std::optional<double> load_average_1m();

// CPU seconds all the machine's CPUs have spent since boot (/proc/stat's "cpu" line):
// `busy` is everything but idle and I/O wait, steal included (time the hypervisor gave to
// another machine); `steal` is that part alone.
struct MachineCpu {
  double busy = 0;
  double steal = 0;
};
std::optional<MachineCpu> machine_cpu_seconds();

// True when a socket of this network namespace listens on TCP `port` (IPv4 or IPv6).
// Asks /proc/net/tcp{,6}, so probing never opens a connection to the listener.
bool tcp_port_listening(uint16_t port);

}  // namespace ttycall::load
