// How `ttycall client` fails: with a non-zero exit code and one clear line, never a hang.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "client_process.h"
#include "free_port.h"
#include "temp_dir.h"
#include "text_file.h"

namespace ttycall::itest {
namespace {

using namespace std::chrono_literals;

// No server on the port: the client retries for a few seconds, then gives up and says so.
TEST(ClientErrors, NoServerListeningExitsNonZeroWithAClearMessage) {
  TempDir dir;
  const uint16_t port = unused_loopback_port();
  ClientSpec spec;
  spec.name = "lonely";
  spec.duration = 60;  // gives up on the server long before this
  ChildProcess client = start_client(port, spec, dir.file("client.stderr"));

  const std::optional<ExitStatus> status = client.wait_for(30s);
  ASSERT_TRUE(status) << "the client was still trying after 30 s";
  const std::string message = read_file_or_empty(dir.file("client.stderr"));
  EXPECT_TRUE(status->exited) << status->describe();
  EXPECT_NE(status->code, 0);
  EXPECT_TRUE(message.find("cannot reach") != std::string::npos ||
              message.find("never reached") != std::string::npos)
      << "stderr: " << message;
  EXPECT_NE(message.find(std::to_string(port)), std::string::npos)
      << "the message does not say which port; stderr: " << message;
}

// A --video spec the client cannot make: exit code 2 at once, with a message naming it.
TEST(ClientErrors, BadVideoSpecExitsWithCodeTwoAndAMessage) {
  TempDir dir;
  const uint16_t port = unused_loopback_port();
  for (const std::string video : {"test:solid:zzzzzz", "test:solid:ff00", "camera:nonsense"}) {
    SCOPED_TRACE("--video " + video);
    ClientSpec spec;
    spec.name = "broken";
    spec.video = video;
    spec.duration = 60;
    ChildProcess client = start_client(port, spec, dir.file("client.stderr"));
    const std::optional<ExitStatus> status = client.wait_for(10s);
    ASSERT_TRUE(status) << "the client did not exit within 10 s";
    EXPECT_TRUE(status->exited) << status->describe();
    EXPECT_EQ(status->code, 2);
    const std::string message = read_file_or_empty(dir.file("client.stderr"));
    EXPECT_NE(message.find("ttycall: "), std::string::npos) << "stderr: " << message;
    const bool names_it =
        message.find(video) != std::string::npos || message.find("test:solid") != std::string::npos;
    EXPECT_TRUE(names_it) << "the message does not say what is wrong; stderr: " << message;
    EXPECT_EQ(message.find("cannot reach"), std::string::npos)
        << "it should fail on the spec before trying the network; stderr: " << message;
  }
}

}  // namespace
}  // namespace ttycall::itest
