#pragma once
// Which `ttycall` executable the integration tests run.
#include <string>

namespace ttycall::itest {

// $TTYCALL_TEST_BINARY if set (to test another build, or a copy that a concurrent rebuild
// cannot replace mid-run), else the one built with the tests (TTYCALL_BINARY).
std::string ttycall_binary();

}  // namespace ttycall::itest
