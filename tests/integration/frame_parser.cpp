#include "frame_parser.h"

#include <charconv>
#include <cstdio>

namespace ttycall::itest {
namespace {

constexpr std::string_view kSyncBegin = "\x1b[?2026h";
constexpr std::string_view kSyncEnd = "\x1b[?2026l";

// Length of the UTF-8 sequence starting with `lead`, or 0 if it cannot start one.
size_t utf8_length(uint8_t lead) {
  if (lead < 0x80) return 1;
  if ((lead & 0xE0) == 0xC0) return 2;
  if ((lead & 0xF0) == 0xE0) return 3;
  if ((lead & 0xF8) == 0xF0) return 4;
  return 0;
}

// Splits "38;2;1;2;3" into numbers; an empty parameter list is {0}. False on non-digits.
bool split_params(std::string_view text, std::vector<int>& out) {
  out.clear();
  if (text.empty()) {
    out.push_back(0);
    return true;
  }
  size_t start = 0;
  while (true) {
    const size_t end = std::min(text.find(';', start), text.size());
    int value = 0;
    if (end > start) {
      const auto r = std::from_chars(text.data() + start, text.data() + end, value);
      if (r.ec != std::errc() || r.ptr != text.data() + end) return false;
    }
    out.push_back(value);
    if (end == text.size()) return true;
    start = end + 1;
  }
}

class Parser {
 public:
  Parser(ParsedFrame& frame) : f_(frame) {}

  void run(std::string_view bytes) {
    size_t i = 0;
    if (bytes.substr(0, kSyncBegin.size()) == kSyncBegin) {
      f_.sync_begin = true;
      i = kSyncBegin.size();
    }
    std::string_view body = bytes;
    if (bytes.size() >= kSyncEnd.size() &&
        bytes.substr(bytes.size() - kSyncEnd.size()) == kSyncEnd) {
      f_.sync_end = true;
      body = bytes.substr(0, bytes.size() - kSyncEnd.size());
    }
    while (i < body.size()) {
      const uint8_t c = uint8_t(body[i]);
      if (c == 0x1b) {
        i = escape(body, i);
      } else if (c < 0x20 || c == 0x7f) {
        problem("control byte " + std::to_string(c) + " at offset " + std::to_string(i));
        ++i;
      } else {
        const size_t n = utf8_length(c);
        if (n == 0 || i + n > body.size()) {
          problem("bad UTF-8 at offset " + std::to_string(i));
          ++i;
          continue;
        }
        for (size_t k = 1; k < n; ++k) {
          if ((uint8_t(body[i + k]) & 0xC0) != 0x80) {
            problem("bad UTF-8 at offset " + std::to_string(i));
          }
        }
        put(body.substr(i, n));
        i += n;
      }
    }
  }

 private:
  // Handles the escape sequence at body[i]; returns the offset after it.
  size_t escape(std::string_view body, size_t i) {
    if (i + 1 >= body.size() || body[i + 1] != '[') {
      problem("ESC not followed by [ at offset " + std::to_string(i));
      return i + 1;
    }
    size_t j = i + 2;
    while (j < body.size() &&
           (body[j] == ';' || body[j] == '?' || (body[j] >= '0' && body[j] <= '9'))) {
      ++j;
    }
    if (j >= body.size()) {
      problem("unterminated control sequence at offset " + std::to_string(i));
      return body.size();
    }
    const std::string_view params = body.substr(i + 2, j - (i + 2));
    const char final_byte = body[j];
    if (final_byte == 'H') {
      cursor(params, i);
    } else if (final_byte == 'm') {
      sgr(params, i);
    } else {
      problem("unexpected control sequence ESC[" + std::string(params) + final_byte +
              " at offset " + std::to_string(i));
    }
    return j + 1;
  }

  void cursor(std::string_view params, size_t at) {
    std::vector<int> p;
    if (!split_params(params, p) || p.size() > 2) {
      problem("bad cursor move ESC[" + std::string(params) + "H at offset " + std::to_string(at));
      return;
    }
    row_ = p[0] == 0 ? 1 : p[0];
    col_ = p.size() < 2 || p[1] == 0 ? 1 : p[1];
    ++f_.cursor_moves;
  }

  void sgr(std::string_view params, size_t at) {
    ++f_.sgr_sequences;
    std::vector<int> p;
    if (!split_params(params, p)) {
      problem("bad SGR ESC[" + std::string(params) + "m at offset " + std::to_string(at));
      return;
    }
    bool colour = false;
    for (size_t k = 0; k < p.size();) {
      const int code = p[k];
      if (code == 0) {
        fg_ = bg_ = TermColor{};
        ++k;
      } else if (code == 39 || code == 49) {
        (code == 39 ? fg_ : bg_) = TermColor{};
        ++k;
      } else if ((code == 38 || code == 48) && k + 1 < p.size() && p[k + 1] == 5 &&
                 k + 2 < p.size() && p[k + 2] >= 0 && p[k + 2] <= 255) {
        (code == 38 ? fg_ : bg_) = TermColor::indexed(uint8_t(p[k + 2]));
        colour = true;
        k += 3;
      } else if ((code == 38 || code == 48) && k + 1 < p.size() && p[k + 1] == 2 &&
                 k + 4 < p.size() && in_byte(p[k + 2]) && in_byte(p[k + 3]) && in_byte(p[k + 4])) {
        (code == 38 ? fg_ : bg_) =
            TermColor::rgb(uint8_t(p[k + 2]), uint8_t(p[k + 3]), uint8_t(p[k + 4]));
        colour = true;
        k += 5;
      } else {
        problem("unsupported SGR ESC[" + std::string(params) + "m at offset " + std::to_string(at));
        return;
      }
    }
    if (colour) ++f_.colour_sequences;
  }

  static bool in_byte(int v) { return v >= 0 && v <= 255; }

  void put(std::string_view glyph) {
    if (row_ < 1 || row_ > f_.rows || col_ < 1 || col_ > f_.cols) {
      if (outside_reported_++ == 0) {
        problem("a glyph written outside the " + std::to_string(f_.cols) + "x" +
                std::to_string(f_.rows) + " grid at row " + std::to_string(row_) + ", column " +
                std::to_string(col_));
      }
    } else {
      Cell& cell = f_.cells[size_t(row_ - 1) * f_.cols + (col_ - 1)];
      cell.glyph.assign(glyph);
      cell.fg = fg_;
      cell.bg = bg_;
    }
    ++col_;
  }

  void problem(std::string text) {
    if (f_.problems.size() < 20) f_.problems.push_back(std::move(text));
  }

  ParsedFrame& f_;
  int row_ = 1, col_ = 1;
  TermColor fg_, bg_;
  int outside_reported_ = 0;
};

}  // namespace

std::string TermColor::describe() const {
  char text[32];
  switch (kind) {
    case Kind::kDefault:
      return "default";
    case Kind::kIndexed:
      std::snprintf(text, sizeof text, "idx %d", index);
      return text;
    case Kind::kRgb:
      std::snprintf(text, sizeof text, "rgb(%d,%d,%d)", r, g, b);
      return text;
  }
  return "?";
}

std::string ParsedFrame::row_ascii(int row) const {
  std::string text(size_t(cols), '\0');
  for (int c = 1; c <= cols; ++c) {
    const std::string& g = at(row, c).glyph;
    if (g.empty()) continue;
    text[size_t(c - 1)] = g.size() == 1 ? g[0] : '\x01';
  }
  return text;
}

int ParsedFrame::unwritten_cells() const {
  int n = 0;
  for (const Cell& cell : cells) n += cell.glyph.empty() ? 1 : 0;
  return n;
}

ParsedFrame parse_frame(std::string_view bytes, int cols, int rows) {
  ParsedFrame frame;
  frame.cols = cols;
  frame.rows = rows;
  frame.cells.resize(size_t(cols) * size_t(rows));
  Parser(frame).run(bytes);
  return frame;
}

std::string strip_control_sequences(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (size_t i = 0; i < bytes.size();) {
    if (bytes[i] == '\x1b' && i + 1 < bytes.size() && bytes[i + 1] == '[') {
      size_t j = i + 2;
      while (j < bytes.size() && !(bytes[j] >= 0x40 && bytes[j] <= 0x7e)) ++j;
      i = j + 1;
    } else {
      out.push_back(bytes[i++]);
    }
  }
  return out;
}

}  // namespace ttycall::itest
