#pragma once
// A fresh directory for one test's files (logs, frames, stats), removed when the test passes.
// When the test has failed it is kept, and its path printed, so the files can be read.
#include <string>

namespace ttycall::itest {

class TempDir {
 public:
  TempDir();  // throws std::runtime_error if it cannot be made
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path() + "/" + name
  std::string file(const std::string& name) const;

 private:
  std::string path_;
};

}  // namespace ttycall::itest
