// Specification of core::ChildProcess (src/core/child_process.h): a child started from argv
// with its output in files, stopped by its PID, always reaped.
#include "core/child_process.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>

namespace ttycall::core {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

ChildProcess spawn_or_fail(const ChildSpec& spec) {
  Result<ChildProcess> child = ChildProcess::spawn(spec);
  EXPECT_TRUE(child.is_ok()) << child.status().message();
  return child.is_ok() ? std::move(*child) : ChildProcess();
}

ChildSpec shell(const std::string& script) {
  return ChildSpec{{"/bin/sh", "-c", script}};
}

std::string text_of(const std::filesystem::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// A file name of this test's own under the temporary directory.
std::filesystem::path scratch_file(const char* leaf) {
  const char* tmp = std::getenv("TMPDIR");
  return std::filesystem::path(tmp && *tmp ? tmp : "/tmp") /
         ("ttycall-child-process-test-" + std::to_string(::getpid()) + "-" + leaf);
}

TEST(ChildProcess, ReportsTheExitCode) {
  ChildProcess child = spawn_or_fail(shell("exit 3"));
  const std::optional<ExitStatus> status = child.wait_for(seconds(10));
  ASSERT_TRUE(status);
  EXPECT_TRUE(status->exited);
  EXPECT_EQ(status->code, 3);
  EXPECT_EQ(status->shell_status(), 3);
  EXPECT_FALSE(status->success());
  EXPECT_EQ(status->describe(), "exit code 3");
  EXPECT_FALSE(child.running());
}

TEST(ChildProcess, TerminateEndsAChildThatHonoursSigterm) {
  ChildProcess child = spawn_or_fail(ChildSpec{{"/bin/sleep", "30"}});
  EXPECT_TRUE(child.running());
  const ExitStatus status = child.terminate(seconds(10));
  EXPECT_FALSE(status.exited);
  EXPECT_EQ(status.signal, SIGTERM);
  EXPECT_EQ(status.shell_status(), 128 + SIGTERM);
  EXPECT_FALSE(child.running());
}

TEST(ChildProcess, TerminateKillsAChildThatIgnoresSigtermAfterTheGrace) {
  // The shell says it is ready once SIGTERM is ignored, so the signal cannot come too early.
  const std::filesystem::path out = scratch_file("ignores");
  ChildSpec spec = shell("trap '' TERM; echo ready; while :; do sleep 1; done");
  spec.stdout_path = out.string();
  ChildProcess child = spawn_or_fail(spec);
  const auto deadline = std::chrono::steady_clock::now() + seconds(10);
  while (text_of(out).empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(5));
  }
  const ExitStatus status = child.terminate(milliseconds(200));
  EXPECT_EQ(status.signal, SIGKILL) << status.describe();
  std::filesystem::remove(out);
}

TEST(ChildProcess, SendsStdoutAndStderrToTheirFilesOrBothToOne) {
  const std::filesystem::path out = scratch_file("out"), err = scratch_file("err");
  const std::filesystem::path both = scratch_file("both");
  ChildSpec apart = shell("echo to-out; echo to-err >&2");
  apart.stdout_path = out.string();
  apart.stderr_path = err.string();
  ChildSpec together = apart;
  together.stdout_path = together.stderr_path = both.string();
  for (const ChildSpec& spec : {apart, together}) {
    ChildProcess child = spawn_or_fail(spec);
    ASSERT_TRUE(child.wait_for(seconds(10)));
  }
  EXPECT_EQ(text_of(out), "to-out\n");
  EXPECT_EQ(text_of(err), "to-err\n");
  EXPECT_EQ(text_of(both), "to-out\nto-err\n");
  for (const auto& path : {out, err, both}) std::filesystem::remove(path);
}

TEST(ChildProcess, RunsProgramWithTheArgv0ItIsGiven) {
  const std::filesystem::path out = scratch_file("argv0");
  ChildSpec spec{{"not-a-path", "-c", "echo $0"}, "/bin/sh", out.string()};
  ChildProcess child = spawn_or_fail(spec);
  ASSERT_TRUE(child.wait_for(seconds(10)));
  EXPECT_EQ(text_of(out), "not-a-path\n");
  std::filesystem::remove(out);
}

TEST(ChildProcess, SaysWhyAProgramCannotStart) {
  const Result<ChildProcess> missing = ChildProcess::spawn(ChildSpec{{"/nonexistent/ttycall"}});
  EXPECT_FALSE(missing.is_ok());
  EXPECT_EQ(missing.status().message(),
            "cannot start /nonexistent/ttycall: No such file or directory");

  ChildSpec unwritable = shell("true");
  unwritable.stdout_path = "/nonexistent/out.log";
  const Result<ChildProcess> unopened = ChildProcess::spawn(unwritable);
  EXPECT_FALSE(unopened.is_ok());
  EXPECT_EQ(unopened.status().message(),
            "cannot open /nonexistent/out.log for the output of /bin/sh: No such file or "
            "directory");
}

TEST(ChildProcess, TheDestructorKillsAndReapsARunningChild) {
  pid_t pid = 0;
  {
    ChildProcess child = spawn_or_fail(ChildSpec{{"/bin/sleep", "30"}});
    pid = child.pid();
    ASSERT_GT(pid, 0);
  }
  // Reaped: the PID is no longer a child of ours, not even a zombie.
  EXPECT_EQ(::waitpid(pid, nullptr, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
}

TEST(ChildProcess, MovingHandsOverTheChild) {
  ChildProcess first = spawn_or_fail(ChildSpec{{"/bin/sleep", "30"}});
  const pid_t pid = first.pid();
  ChildProcess second = std::move(first);
  EXPECT_EQ(second.pid(), pid);
  EXPECT_FALSE(first.running());  // the moved-from object is empty
  EXPECT_TRUE(second.running());
  second.kill_and_reap();
  EXPECT_EQ(second.status()->signal, SIGKILL);
}

}  // namespace
}  // namespace ttycall::core
