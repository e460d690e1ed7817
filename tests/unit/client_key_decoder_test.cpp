// The key decoder: escape sequences from arrows and function keys are dropped whole, so
// none of their bytes acts as a command or lands in the chat input; a lone Escape is a key.
#include "client/key_decoder.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace ttycall::client {
namespace {

constexpr char kEsc = '\x1b';

// The keys `bytes` make when they arrive in one read; a pending ESC at the end stays so.
std::string keys_of(KeyDecoder& decoder, std::string_view bytes) {
  std::string out;
  for (const char c : bytes) {
    for (const uint8_t key : decoder.feed(uint8_t(c))) out.push_back(char(key));
  }
  return out;
}
std::string keys_of(std::string_view bytes) {
  KeyDecoder decoder;
  std::string out = keys_of(decoder, bytes);
  for (const uint8_t key : decoder.flush()) out.push_back(char(key));
  return out;
}

TEST(KeyDecoder, PlainKeysAndUtf8PassAsTheyAre) {
  EXPECT_EQ(keys_of("mvq[ABCD"), "mvq[ABCD");
  EXPECT_EQ(keys_of("caf\xC3\xA9 \xE6\x97\xA5"), "caf\xC3\xA9 \xE6\x97\xA5");
  EXPECT_EQ(keys_of("\r\x7f\x03"), "\r\x7f\x03");
}

TEST(KeyDecoder, ArrowsAndFunctionKeysAreDroppedWhole) {
  // Normal and application cursor keys, with modifiers, Home/End/Delete/PageUp, F1 and F5.
  for (const std::string_view seq :
       {"\x1b[A", "\x1b[B", "\x1b[C", "\x1b[D", "\x1bOA", "\x1bOD", "\x1b[1;5C", "\x1b[1;2D",
        "\x1b[H", "\x1b[F", "\x1b[3~", "\x1b[5~", "\x1bOP", "\x1b[15~", "\x1b[200~"}) {
    EXPECT_EQ(keys_of(seq), "") << std::string(seq.substr(1));
    EXPECT_EQ(keys_of(std::string("he") + std::string(seq) + "llo"), "hello")
        << std::string(seq.substr(1));
  }
  // Several in one read, as a held-down arrow sends them.
  EXPECT_EQ(keys_of("\x1b[C\x1b[C\x1b[Cc"), "c");
}

TEST(KeyDecoder, ALoneEscapeIsAKeyOnceNothingFollows) {
  KeyDecoder decoder;
  EXPECT_EQ(keys_of(decoder, "\x1b"), "");
  EXPECT_TRUE(decoder.pending()) << "an ESC waits for the byte after it";
  const KeyDecoder::Keys flushed = decoder.flush();
  ASSERT_EQ(flushed.count, 1);
  EXPECT_EQ(flushed.bytes[0], KeyDecoder::kEscape);
  EXPECT_FALSE(decoder.pending());
  EXPECT_EQ(keys_of(decoder, "q"), "q") << "after the Escape, keys are keys again";
  // Escape pressed twice, and Escape followed by Enter in the same read.
  EXPECT_EQ(keys_of("\x1b\x1b"), std::string(2, kEsc));
  EXPECT_EQ(keys_of("\x1b\r"), std::string({kEsc, '\r'}));
}

TEST(KeyDecoder, ASequenceSplitAcrossReadsIsStillOneUnit) {
  KeyDecoder decoder;
  EXPECT_EQ(keys_of(decoder, "ab\x1b"), "ab");
  EXPECT_EQ(keys_of(decoder, "["), "");
  EXPECT_TRUE(decoder.pending());
  EXPECT_EQ(keys_of(decoder, "1;5"), "");
  EXPECT_EQ(keys_of(decoder, "Dcd"), "cd");
  // A sequence cut short and given up on is dropped, not turned into an Escape.
  EXPECT_EQ(keys_of(decoder, "\x1b[1"), "");
  EXPECT_EQ(decoder.flush().count, 0);
  EXPECT_EQ(keys_of(decoder, "x"), "x");
}

TEST(KeyDecoder, AltKeysAreDroppedAndBrokenSequencesDoNotSwallowWhatFollows) {
  EXPECT_EQ(keys_of("\x1bxq"), "q") << "Alt+x is no command";
  // A control inside a CSI ends it: the control is a key.
  EXPECT_EQ(keys_of("\x1b[1\rq"), "\rq");
  // Endless parameter bytes: after the bound, bytes are keys again.
  const std::string endless = "\x1b[" + std::string(KeyDecoder::kMaxSequenceBytes + 5, '1') + "q";
  EXPECT_EQ(keys_of(endless), std::string(6, '1') + "q");
}

}  // namespace
}  // namespace ttycall::client
