#include "ttycall_binary.h"

#include <cstdlib>

namespace ttycall::itest {

std::string ttycall_binary() {
  if (const char* path = std::getenv("TTYCALL_TEST_BINARY"); path != nullptr && *path != '\0') {
    return path;
  }
  return TTYCALL_BINARY;
}

}  // namespace ttycall::itest
