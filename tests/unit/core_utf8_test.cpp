// The one UTF-8 module: what it accepts, what it refuses, and how wide text is on a terminal.
#include "core/utf8.h"

#include <gtest/gtest.h>

#include <array>
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

// --- Displayable code points and sanitizing ------------------------------------------

constexpr std::string_view kFffd = "\xEF\xBF\xBD";  // U+FFFD as UTF-8

std::string sanitized(std::string_view in) {
  std::string out(max_sanitized_size(in.size()), '\0');
  out.resize(sanitize(in, out));
  return out;
}

// `n` replacement characters.
std::string fffd(int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += kFffd;
  return out;
}

TEST(Utf8Displayable, VisibleCharactersOfOneOrTwoCellsAreDisplayable) {
  for (uint32_t cp : {0x20u, 0x41u, 0x7Eu, 0xA0u, 0xE9u, 0x416u, 0x2605u, 0x4E2Du, 0xAC00u, 0xFF21u,
                      0x1F600u, 0x1F44Du, 0x20000u, 0xFFFDu}) {
    EXPECT_TRUE(is_displayable(cp)) << std::hex << cp;
  }
}

TEST(Utf8Displayable, ControlsAreNot) {
  for (uint32_t cp = 0; cp < 0x20; ++cp) EXPECT_FALSE(is_displayable(cp)) << std::hex << cp;
  for (uint32_t cp = 0x7F; cp <= 0x9F; ++cp) EXPECT_FALSE(is_displayable(cp)) << std::hex << cp;
}

TEST(Utf8Displayable, FormatCharactersAreNot) {
  for (uint32_t cp :
       {0xADu,    0x61Cu,   0x6DDu,   0x70Fu,   0x180Eu,  0x200Bu,  0x200Cu, 0x200Du,  0x200Eu,
        0x200Fu,  0x202Au,  0x202Bu,  0x202Cu,  0x202Du,  0x202Eu,  0x2060u, 0x2064u,  0x2066u,
        0x2067u,  0x2068u,  0x2069u,  0x206Fu,  0xFEFFu,  0xFFF9u,  0xFFFBu, 0x110BDu, 0x1BCA0u,
        0x1BCA3u, 0x1D173u, 0x1D17Au, 0xE0001u, 0xE0020u, 0xE0041u, 0xE007Fu}) {
    EXPECT_FALSE(is_displayable(cp)) << std::hex << cp;
  }
  EXPECT_EQ(code_point_width(0xAD), 1);  // the soft hyphen has a width, and is still refused
}

TEST(Utf8Displayable, SeparatorsSurrogatesNoncharactersAndNonCodePointsAreNot) {
  for (uint32_t cp : {0x2028u, 0x2029u, 0xD800u, 0xDFFFu, 0xFDD0u, 0xFDEFu, 0xFFFEu, 0xFFFFu,
                      0x1FFFEu, 0x1FFFFu, 0x10FFFEu, 0x10FFFFu, 0x110000u, 0xFFFFFFFFu}) {
    EXPECT_FALSE(is_displayable(cp)) << std::hex << cp;
  }
  EXPECT_TRUE(is_displayable(0xFDCF));
  EXPECT_TRUE(is_displayable(0xFDF0));
}

TEST(Utf8Displayable, ZeroWidthCodePointsAreNot) {
  for (uint32_t cp : {0x301u, 0x20DDu, 0xFE0Fu, 0x1160u, 0xE0100u}) {
    EXPECT_FALSE(is_displayable(cp)) << std::hex << cp;
  }
}

TEST(Utf8Displayable, NoDisplayableCodePointIsZeroWidthOrAControl) {
  for (uint32_t cp = 0; cp <= 0x110000; ++cp) {
    if (!is_displayable(cp)) continue;
    const int w = code_point_width(cp);
    ASSERT_TRUE(w == 1 || w == 2) << std::hex << cp;
  }
}

TEST(Utf8Sanitize, CopiesDisplayableTextAsItIs) {
  EXPECT_EQ(sanitized(""), "");
  EXPECT_EQ(sanitized("Grace Hopper"), "Grace Hopper");
  EXPECT_EQ(sanitized("Zo\xC3\xAB"), "Zo\xC3\xAB");
  EXPECT_EQ(sanitized("\xE5\xB1\xB1\xE7\x94\xB0"), "\xE5\xB1\xB1\xE7\x94\xB0");  // CJK
  EXPECT_EQ(sanitized("hi \xF0\x9F\x98\x80"), "hi \xF0\x9F\x98\x80");            // emoji
}

TEST(Utf8Sanitize, EscapeSequencesLoseTheirEscape) {
  EXPECT_EQ(sanitized("\x1b[2J"), fffd(1) + "[2J");
  EXPECT_EQ(sanitized("\x1b]52;c;aGk=\x07"), fffd(1) + "]52;c;aGk=" + fffd(1));
  EXPECT_EQ(sanitized("\xC2\x9B"
                      "2J"),
            fffd(1) + "2J");              // CSI as a C1 control
  EXPECT_EQ(sanitized("\x9B"), fffd(1));  // CSI as a raw byte: not UTF-8 at all
  EXPECT_EQ(sanitized("a\tb\nc\x7F"), "a" + fffd(1) + "b" + fffd(1) + "c" + fffd(1));
}

TEST(Utf8Sanitize, BidiControlsAndZeroWidthCharactersBecomeVisible) {
  EXPECT_EQ(sanitized("\xE2\x80\xAE"
                      "evil"),
            fffd(1) + "evil");  // RLO U+202E
  EXPECT_EQ(sanitized("\xE2\x81\xA6"
                      "x"),
            fffd(1) + "x");  // LRI U+2066
  EXPECT_EQ(sanitized("a\xE2\x80\x8D"
                      "b"),
            "a" + fffd(1) + "b");  // ZWJ U+200D
  EXPECT_EQ(sanitized("a\xE2\x80\x8B"
                      "b"),
            "a" + fffd(1) + "b");  // ZWSP U+200B
  EXPECT_EQ(sanitized("\xEF\xBB\xBF"
                      "bom"),
            fffd(1) + "bom");                         // BOM U+FEFF
  EXPECT_EQ(sanitized("e\xCC\x81"), "e" + fffd(1));   // combining acute
  EXPECT_EQ(sanitized("\xE2\x80\xA8"), fffd(1));      // line separator
  EXPECT_EQ(sanitized("\xF3\xA0\x81\x81"), fffd(1));  // tag U+E0041
}

TEST(Utf8Sanitize, OneReplacementForEachIllFormedSequence) {
  EXPECT_EQ(sanitized("ab\xFFz"), "ab" + fffd(1) + "z");
  EXPECT_EQ(sanitized("caf\xC3"), "caf" + fffd(1));  // truncated at the end
  EXPECT_EQ(sanitized("\xE2\x98"
                      "A"),
            fffd(1) + "A");  // truncated mid-text
  EXPECT_EQ(sanitized("\xF0\x9F\x98"
                      "A"),
            fffd(1) + "A");                           // one, not three
  EXPECT_EQ(sanitized("\xC0\xAF"), fffd(2));          // overlong: two bytes
  EXPECT_EQ(sanitized("\xED\xA0\x80"), fffd(3));      // a surrogate
  EXPECT_EQ(sanitized("\xF4\x90\x80\x80"), fffd(4));  // beyond U+10FFFF
  EXPECT_EQ(sanitized("\x80\x80"), fffd(2));          // stray continuations
  EXPECT_EQ(sanitized(std::string_view("a\0b", 3)), "a" + fffd(1) + "b");
}

TEST(Utf8Sanitize, TheResultIsAlwaysDisplayableAndMeasurable) {
  const std::string hostile =
      "\x1b[31mred\x1bP1$q\x1b\\\xC2\x9B\xE2\x80\xAE\xE2\x80\x8D\xCC\x81\xE6\x97\xA5"
      "\xF0\x9F\x98\x80\xFF\xC3";
  const std::string out = sanitized(hostile);
  ASSERT_TRUE(is_valid(out));
  int code_points = 0, wide = 0;
  for (std::string_view rest = out; !rest.empty();) {
    const Decoded d = decode(rest);
    ASSERT_TRUE(is_displayable(d.code_point)) << std::hex << d.code_point;
    ++code_points;
    wide += code_point_width(d.code_point) == 2;
    rest.remove_prefix(d.length);
  }
  EXPECT_EQ(display_width(out), code_points + wide);
  EXPECT_EQ(out.find('\x1b'), std::string::npos);
}

TEST(Utf8Sanitize, StopsBetweenCodePointsWhenTheOutputIsFull) {
  std::array<char, 4> out;
  EXPECT_EQ(sanitize("abcdef", out), 4u);
  EXPECT_EQ(sanitize("a\xE6\x97\xA5\xE6\x9C\xAC", out), 4u);  // a + one CJK character
  EXPECT_EQ(std::string_view(out.data(), 4), "a\xE6\x97\xA5");
  EXPECT_EQ(sanitize("ab\x1b", out), 2u);  // no room for U+FFFD: none of it
  EXPECT_EQ(sanitize("abc", std::span<char>()), 0u);
}

TEST(Utf8DecodeDisplayable, ReadsOneCodePointOrOneReplacement) {
  EXPECT_EQ(decode_displayable("").length, 0u);
  EXPECT_EQ(decode_displayable("A").code_point, 0x41u);
  EXPECT_EQ(decode_displayable("\xE6\x97\xA5x").code_point, 0x65E5u);
  EXPECT_EQ(decode_displayable("\xE6\x97\xA5x").length, 3u);
  EXPECT_EQ(decode_displayable("\x1b[").code_point, kReplacementCharacter);
  EXPECT_EQ(decode_displayable("\x1b[").length, 1u);
  EXPECT_EQ(decode_displayable("\xE2\x80\xAE").code_point, kReplacementCharacter);
  EXPECT_EQ(decode_displayable("\xE2\x80\xAE").length, 3u);
  EXPECT_EQ(decode_displayable("\xE2\x98"
                               "A")
                .length,
            2u);
}

TEST(Utf8Printable, GivesASafeStringForMessages) {
  EXPECT_EQ(printable("server full"), "server full");
  EXPECT_EQ(printable("bye\x1b]52;c;aGk=\x07"), "bye" + fffd(1) + "]52;c;aGk=" + fffd(1));
}

}  // namespace
}  // namespace ttycall::core::utf8
