#include "server/web/web_assets.h"

#include <unistd.h>

#include <array>
#include <charconv>
#include <fstream>
#include <sstream>

#include "media/jpeg_tables.h"

namespace ttycall::server::web {
namespace {

namespace fs = std::filesystem;
constexpr size_t kMaxAssetBytes = 64u << 20;  // the page and its modules: a few MB

std::string content_type_of(const fs::path& file) {
  const std::string ext = file.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".wasm") return "application/wasm";
  if (ext == ".png") return "image/png";
  return "application/octet-stream";
}

fs::path executable_dir() {
  std::array<char, 4096> buffer{};
  const ssize_t n = readlink("/proc/self/exe", buffer.data(), buffer.size() - 1);
  if (n <= 0) return {};
  return fs::path(std::string(buffer.data(), size_t(n))).parent_path();
}

std::string page_path(const std::string& target) {
  return target.substr(0, target.find_first_of("?#"));
}

}  // namespace

core::Result<fs::path> find_web_root(const std::string& given) {
  std::error_code ec;
  if (!given.empty()) {
    if (fs::is_regular_file(fs::path(given) / "index.html", ec)) return fs::path(given);
    return core::Status::invalid_input("--web-root " + given + " holds no index.html");
  }
  const fs::path exe = executable_dir();
  const fs::path build = exe / "share/ttycall/web";
  const fs::path installed = exe.parent_path() / "share/ttycall/web";
  for (const fs::path& candidate : {build, installed}) {
    if (fs::is_regular_file(candidate / "index.html", ec)) return candidate;
  }
  return core::Status::invalid_input("cannot find the web page's files (looked in " +
                                     build.string() + " and " + installed.string() +
                                     "); give --web-root DIR");
}

core::Result<WebAssets> WebAssets::load(const fs::path& root, const std::string& server_key) {
  WebAssets assets;
  size_t total = 0;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    std::ifstream in(it->path(), std::ios::binary);
    std::ostringstream body;
    body << in.rdbuf();
    total += body.str().size();
    if (!in || total > kMaxAssetBytes) {
      return core::Status::failed("cannot read the web page's files in " + root.string());
    }
    const std::string url = "/static/" + fs::relative(it->path(), root).generic_string();
    assets.files_[url] = {content_type_of(it->path()), body.str()};
  }
  const auto index = assets.files_.find("/static/index.html");
  if (ec || index == assets.files_.end()) {
    return core::Status::failed("no index.html in " + root.string());
  }
  assets.page_ = index->second.body;
  const std::string marker = "{{SERVER_KEY}}";
  const size_t at = assets.page_.find(marker);
  if (at == std::string::npos) return core::Status::failed("index.html has no {{SERVER_KEY}}");
  assets.page_.replace(at, marker.size(), server_key);
  return assets;
}

HttpReply WebAssets::jpeg_tables(const std::string& quality) {
  int q = 0;
  const auto [end, ec] = std::from_chars(quality.data(), quality.data() + quality.size(), q);
  if (ec != std::errc() || end != quality.data() + quality.size() || q < 1 || q > 100) {
    return {};
  }
  static const core::AllocSite site("web.jpeg_tables");
  const media::JpegTables tables(media::picture_jpeg_options(q), site);
  if (tables.empty()) return {500, "text/plain; charset=utf-8", "no tables\n"};
  // SOI with nothing after it, restored: SOI and the tables, which is what the page needs.
  const std::array<uint8_t, 2> soi = {0xFF, 0xD8};
  std::string body(tables.overhead() + soi.size(), '\0');
  const size_t n = tables.restore(soi, {reinterpret_cast<uint8_t*>(body.data()), body.size()});
  body.resize(n);
  return {200, "application/octet-stream", std::move(body)};
}

HttpReply WebAssets::serve(const std::string& target) const {
  const std::string path = page_path(target);
  if (const auto it = files_.find(path); it != files_.end()) {
    return {200, it->second.content_type, it->second.body};
  }
  if (path.rfind("/jpeg-tables/", 0) == 0) return jpeg_tables(path.substr(13));
  // A room's link: /ROOM (one path segment, no file name).
  const bool page =
      path == "/" || (path.find('/', 1) == std::string::npos && path != "/favicon.ico");
  if (page) return {200, "text/html; charset=utf-8", page_};
  return {};
}

}  // namespace ttycall::server::web
