// The one UTF-8 module: what it accepts, what it refuses, and how wide text is on a terminal.
#include "core/utf8.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace ttycall::core::utf8 {
namespace {

std::string as_text(const Encoded& e) {
  return {reinterpret_cast<const char*>(e.bytes.data()), e.length};
}

// --- Decoding -----------------------------------------------------------------------

TEST(Utf8Decode, ReadsOneToFourByteSequences) {
  EXPECT_EQ(decode("A").code_point, 0x41u);
  EXPECT_EQ(decode("A").length, 1u);
  EXPECT_EQ(decode("\xC3\xA9").code_point, 0xE9u);  // é
  EXPECT_EQ(decode("\xC3\xA9").length, 2u);
  EXPECT_EQ(decode("\xE2\x98\x85").code_point, 0x2605u);  // ★
  EXPECT_EQ(decode("\xE2\x98\x85").length, 3u);
  EXPECT_EQ(decode("\xF0\x9F\x98\x80").code_point, 0x1F600u);  // 😀
  EXPECT_EQ(decode("\xF0\x9F\x98\x80").length, 4u);
  EXPECT_EQ(decode("\xF4\x8F\xBF\xBF").code_point, 0x10FFFFu);  // the last code point
}

TEST(Utf8Decode, ReadsOnlyTheFirstCodePoint) {
  const Decoded d = decode("\xC3\xA9tude");
  EXPECT_EQ(d.code_point, 0xE9u);
  EXPECT_EQ(d.length, 2u);
}

TEST(Utf8Decode, NulIsACodePointOfItsOwn) {
  EXPECT_EQ(decode(std::string_view("\0x", 2)).length, 1u);
  EXPECT_EQ(decode(std::string_view("\0x", 2)).code_point, 0u);
}

TEST(Utf8Decode, RefusesOverlongForms) {
  EXPECT_EQ(decode("\xC0\xAF").length, 0u);              // '/' in two bytes
  EXPECT_EQ(decode("\xC1\xBF").length, 0u);              // U+007F in two bytes
  EXPECT_EQ(decode("\xE0\x80\xAF").length, 0u);          // '/' in three bytes
  EXPECT_EQ(decode("\xE0\x9F\xBF").length, 0u);          // U+07FF in three bytes
  EXPECT_EQ(decode("\xF0\x8F\xBF\xBF").length, 0u);      // U+FFFF in four bytes
  EXPECT_EQ(decode("\xE0\xA0\x80").code_point, 0x800u);  // the shortest form is fine
}

TEST(Utf8Decode, RefusesSurrogates) {
  EXPECT_EQ(decode("\xED\xA0\x80").length, 0u);           // U+D800
  EXPECT_EQ(decode("\xED\xBF\xBF").length, 0u);           // U+DFFF
  EXPECT_EQ(decode("\xED\x9F\xBF").code_point, 0xD7FFu);  // just below them
}

TEST(Utf8Decode, RefusesWhatLiesBeyondU10FFFF) {
  EXPECT_EQ(decode("\xF4\x90\x80\x80").length, 0u);  // U+110000
  EXPECT_EQ(decode("\xF5\x80\x80\x80").length, 0u);
  EXPECT_EQ(decode("\xFF").length, 0u);
}

TEST(Utf8Decode, RefusesTruncatedSequences) {
  EXPECT_EQ(decode("\xC3").length, 0u);
  EXPECT_EQ(decode("\xE2\x98").length, 0u);
  EXPECT_EQ(decode("\xF0\x9F\x98").length, 0u);
  EXPECT_EQ(decode("\xE2"
                   "A"
                   "\x85")
                .length,
            0u);  // a character where a continuation belongs
  EXPECT_EQ(decode(std::string_view()).length, 0u);
}

TEST(Utf8Decode, RefusesAStrayContinuationByte) {
  EXPECT_EQ(decode("\x80").length, 0u);
  EXPECT_EQ(decode("\xBF").length, 0u);
}

// --- Encoding -----------------------------------------------------------------------

TEST(Utf8Encode, WritesTheShortestForm) {
  EXPECT_EQ(as_text(encode('A')), "A");
  EXPECT_EQ(as_text(encode(0x7F)), "\x7F");
  EXPECT_EQ(as_text(encode(0x80)), "\xC2\x80");
  EXPECT_EQ(as_text(encode(0xE9)), "\xC3\xA9");
  EXPECT_EQ(as_text(encode(0x7FF)), "\xDF\xBF");
  EXPECT_EQ(as_text(encode(0x800)), "\xE0\xA0\x80");
  EXPECT_EQ(as_text(encode(0xFFFD)), "\xEF\xBF\xBD");
  EXPECT_EQ(as_text(encode(0x10000)), "\xF0\x90\x80\x80");
  EXPECT_EQ(as_text(encode(0x1F600)), "\xF0\x9F\x98\x80");
  EXPECT_EQ(as_text(encode(0x10FFFF)), "\xF4\x8F\xBF\xBF");
}

TEST(Utf8Encode, RefusesSurrogatesAndNonCodePoints) {
  EXPECT_EQ(encode(0xD800).length, 0);
  EXPECT_EQ(encode(0xDFFF).length, 0);
  EXPECT_EQ(encode(0x110000).length, 0);
  EXPECT_EQ(encode(0xFFFFFFFF).length, 0);
}

TEST(Utf8Encode, DecodingWhatItWroteGivesTheCodePointBack) {
  for (uint32_t cp = 0; cp <= 0x10FFFF; cp += 0x7F) {
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;
    const Encoded e = encode(cp);
    const Decoded d = decode(std::span<const uint8_t>(e.bytes.data(), e.length));
    ASSERT_EQ(d.length, e.length) << std::hex << cp;
    ASSERT_EQ(d.code_point, cp) << std::hex << cp;
  }
}

// --- Validation ---------------------------------------------------------------------

TEST(Utf8Validation, AcceptsWellFormedTextAndNothingElse) {
  EXPECT_TRUE(is_valid(""));
  EXPECT_TRUE(is_valid("plain"));
  EXPECT_TRUE(is_valid("Zo\xC3\xAB \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x98\x80"));
  EXPECT_TRUE(is_valid("tab\there"));  // controls are well-formed; the width refuses them
  EXPECT_FALSE(is_valid("caf\xC3"));   // cut in the middle of a character
  EXPECT_FALSE(is_valid("\xC0\xAF"));
  EXPECT_FALSE(is_valid("a\xED\xA0\x80z"));
  EXPECT_FALSE(is_valid("a\x80z"));
}

// --- Display width ------------------------------------------------------------------

TEST(Utf8Width, AsciiAndLatinTakeOneCell) {
  EXPECT_EQ(code_point_width('a'), 1);
  EXPECT_EQ(code_point_width(' '), 1);
  EXPECT_EQ(code_point_width('~'), 1);
  EXPECT_EQ(code_point_width(0xE9), 1);   // é
  EXPECT_EQ(code_point_width(0xAD), 1);   // the soft hyphen shows, as glibc has it
  EXPECT_EQ(code_point_width(0x416), 1);  // Ж
  EXPECT_EQ(display_width("Grace Hopper"), 12);
}

TEST(Utf8Width, CombiningMarksAndZeroWidthCharactersTakeNone) {
  EXPECT_EQ(code_point_width(0x301), 0);     // combining acute accent
  EXPECT_EQ(code_point_width(0x20DD), 0);    // combining enclosing circle
  EXPECT_EQ(code_point_width(0x200B), 0);    // zero width space
  EXPECT_EQ(code_point_width(0x200D), 0);    // zero width joiner
  EXPECT_EQ(code_point_width(0xFE0F), 0);    // variation selector 16
  EXPECT_EQ(code_point_width(0x1160), 0);    // Hangul medial vowel: joins the syllable before
  EXPECT_EQ(code_point_width(0xE0100), 0);   // variation selector 17
  EXPECT_EQ(display_width("e\xCC\x81"), 1);  // e + combining acute: one cell
}

TEST(Utf8Width, EastAsianWideCharactersTakeTwo) {
  EXPECT_EQ(code_point_width(0x4E2D), 2);   // 中
  EXPECT_EQ(code_point_width(0x3042), 2);   // あ
  EXPECT_EQ(code_point_width(0xAC00), 2);   // 가
  EXPECT_EQ(code_point_width(0xFF21), 2);   // fullwidth A
  EXPECT_EQ(code_point_width(0x1100), 2);   // Hangul leading consonant
  EXPECT_EQ(code_point_width(0x20000), 2);  // CJK extension B
  EXPECT_EQ(code_point_width(0x3FFFD), 2);  // unassigned, but in a plane that is wide
  EXPECT_EQ(code_point_width(0xFF61), 1);   // halfwidth ideographic full stop
  EXPECT_EQ(display_width("\xE6\x97\xA5\xE6\x9C\xAC"), 4);  // 日本
}

TEST(Utf8Width, EmojiTakeTwo) {
  EXPECT_EQ(code_point_width(0x1F600), 2);  // 😀
  EXPECT_EQ(code_point_width(0x1F44D), 2);  // 👍
  EXPECT_EQ(code_point_width(0x231A), 2);   // ⌚
  EXPECT_EQ(code_point_width(0x2605), 1);   // ★ is text, not emoji
  EXPECT_EQ(display_width("hi \xF0\x9F\x98\x80"), 5);
}

TEST(Utf8Width, ControlCharactersAreRefused) {
  for (uint32_t cp : {0x00u, 0x07u, 0x09u, 0x0Au, 0x1Bu, 0x1Fu, 0x7Fu, 0x80u, 0x9Bu, 0x9Fu}) {
    EXPECT_EQ(code_point_width(cp), -1) << std::hex << cp;
  }
  EXPECT_EQ(code_point_width(0xA0), 1);  // no-break space: the first after C1
  EXPECT_EQ(display_width("bell\a"), -1);
  EXPECT_EQ(display_width("\x1b[2J"), -1);
  EXPECT_EQ(display_width("\xC2\x9B"
                          "2J"),
            -1);  // CSI as a C1 control
}

TEST(Utf8Width, WhatIsNotACharacterIsRefused) {
  EXPECT_EQ(code_point_width(0xD800), -1);
  EXPECT_EQ(code_point_width(0x110000), -1);
  EXPECT_EQ(display_width("ok\xFF"), -1);
  EXPECT_EQ(display_width(""), 0);
}

// --- Cutting to a width -------------------------------------------------------------

TEST(Utf8PrefixOfWidth, CutsBetweenCodePoints) {
  EXPECT_EQ(prefix_of_width("Grace", 3), "Gra");
  EXPECT_EQ(prefix_of_width("Grace", 9), "Grace");
  EXPECT_EQ(prefix_of_width("Grace", 0), "");
  EXPECT_EQ(prefix_of_width("Zo\xC3\xAB!", 3), "Zo\xC3\xAB");
}

TEST(Utf8PrefixOfWidth, AWideCharacterThatWouldStraddleTheEdgeIsLeftOut) {
  EXPECT_EQ(prefix_of_width("\xE6\x97\xA5\xE6\x9C\xAC", 3), "\xE6\x97\xA5");
  EXPECT_EQ(prefix_of_width("\xE6\x97\xA5\xE6\x9C\xAC", 1), "");
}

TEST(Utf8PrefixOfWidth, CombiningMarksStayWithTheirCharacter) {
  EXPECT_EQ(prefix_of_width("e\xCC\x81x", 1), "e\xCC\x81");
}

TEST(Utf8PrefixOfWidth, StopsAtAnIllFormedByteOrAControl) {
  EXPECT_EQ(prefix_of_width("ab\xFFz", 10), "ab");
  EXPECT_EQ(prefix_of_width("ab\x1b[2J", 10), "ab");
}

}  // namespace
}  // namespace ttycall::core::utf8
