#include "load/tcp_bytes.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <linux/tcp.h>  // struct tcp_info with the byte counters (glibc's copy lacks them)
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <cstdlib>

namespace ttycall::load {

std::map<uint16_t, TcpBytes> tcp_bytes_to(const std::string& peer_ip, uint16_t peer_port) {
  std::map<uint16_t, TcpBytes> result;
  in_addr want{};
  if (::inet_pton(AF_INET, peer_ip.c_str(), &want) != 1) return result;
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return result;
  const int dir_fd = ::dirfd(dir);
  while (const dirent* entry = ::readdir(dir)) {
    char* end = nullptr;
    const long fd = std::strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0' || fd == dir_fd) continue;
    struct stat st {};
    if (::fstat(int(fd), &st) != 0 || !S_ISSOCK(st.st_mode)) continue;
    sockaddr_in peer{}, local{};
    socklen_t len = sizeof(peer);
    if (::getpeername(int(fd), reinterpret_cast<sockaddr*>(&peer), &len) != 0 ||
        peer.sin_family != AF_INET || peer.sin_addr.s_addr != want.s_addr ||
        ntohs(peer.sin_port) != peer_port) {
      continue;
    }
    len = sizeof(local);
    if (::getsockname(int(fd), reinterpret_cast<sockaddr*>(&local), &len) != 0) continue;
    tcp_info info{};
    len = sizeof(info);
    if (::getsockopt(int(fd), IPPROTO_TCP, TCP_INFO, &info, &len) != 0) continue;
    result[ntohs(local.sin_port)] = {info.tcpi_bytes_acked, info.tcpi_bytes_received};
  }
  ::closedir(dir);
  return result;
}

}  // namespace ttycall::load
