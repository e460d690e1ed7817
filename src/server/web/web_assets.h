#pragma once
// The web participant's files (web/: the page, its ES modules, the libsodium build), read
// once at start-up and served from memory. Every path that is not a file is the page
// itself, so http://HOST:PORT/ROOM opens the join form for ROOM; the page carries the
// server's public key, so the browser checks the key exchange against the server that
// served it. /jpeg-tables/Q gives the JPEG tables the pictures leave out (media/jpeg_tables.h)
// as the server's own libjpeg makes them, so the page decodes exactly what the server means.
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/status.h"
#include "server/web/web_bridge.h"

namespace ttycall::server::web {

// Where the files are: `given` (--web-root) if set, else share/ttycall/web beside the binary
// (the build tree), else ../share/ttycall/web from the binary's folder (an installed one).
core::Result<std::filesystem::path> find_web_root(const std::string& given);

class WebAssets {
 public:
  // Reads every file under `root`; the page must be there (index.html).
  static core::Result<WebAssets> load(const std::filesystem::path& root,
                                      const std::string& server_key);
  HttpReply serve(const std::string& target) const;

 private:
  struct File {
    std::string content_type;
    std::string body;
  };
  static HttpReply jpeg_tables(const std::string& quality);
  std::map<std::string, File> files_;  // by URL path, "/static/app.js"
  std::string page_;                   // index.html with the server's key filled in
};

}  // namespace ttycall::server::web
