#pragma once
// Reads a frame exactly as ttycall writes it to a terminal (ESC[?2026h, per row ESC[r;cH then
// cells with SGR colour changes, ESC[0m ESC[?2026l) back into a grid of cells, the way a
// terminal would: it tracks the cursor, the current foreground and background colour, and
// puts each glyph (one UTF-8 code point = one cell) at the cursor.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ttycall::itest {

struct TermColor {
  enum class Kind : uint8_t { kDefault, kIndexed, kRgb };
  Kind kind = Kind::kDefault;
  uint8_t index = 0;            // kIndexed: 0-255 (SGR 38;5;N / 48;5;N)
  uint8_t r = 0, g = 0, b = 0;  // kRgb (SGR 38;2;R;G;B / 48;2;R;G;B)

  static TermColor rgb(uint8_t r, uint8_t g, uint8_t b) { return {Kind::kRgb, 0, r, g, b}; }
  static TermColor indexed(uint8_t i) { return {Kind::kIndexed, i, 0, 0, 0}; }
  bool operator==(const TermColor&) const = default;
  std::string describe() const;  // "default", "idx 196", "rgb(254,0,0)"
};

struct Cell {
  std::string glyph;  // UTF-8 of one code point; empty = never written
  TermColor fg;
  TermColor bg;
};

struct ParsedFrame {
  int cols = 0;
  int rows = 0;
  std::vector<Cell> cells;   // row-major, rows x cols
  bool sync_begin = false;   // starts with ESC[?2026h
  bool sync_end = false;     // ends with ESC[?2026l
  int cursor_moves = 0;      // ESC[r;cH seen
  int sgr_sequences = 0;     // ESC[...m seen
  int colour_sequences = 0;  // SGR sequences that set a 38/48 colour
  // Anything a well-formed frame does not contain: unknown escapes, bad UTF-8, writes
  // outside the grid. Empty for a good frame.
  std::vector<std::string> problems;

  // 1-based like the terminal.
  const Cell& at(int row, int col) const { return cells[size_t(row - 1) * cols + (col - 1)]; }
  // The row as text, one char per cell: the glyph if it is ASCII, '\x01' otherwise,
  // '\0' if never written. Index i is column i + 1.
  std::string row_ascii(int row) const;
  int unwritten_cells() const;
};

// Parses `bytes` onto a cols x rows grid.
ParsedFrame parse_frame(std::string_view bytes, int cols, int rows);

// Just the printable text: every ESC[...X control sequence removed.
std::string strip_control_sequences(std::string_view bytes);

}  // namespace ttycall::itest
