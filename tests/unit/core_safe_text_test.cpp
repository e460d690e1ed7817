// The one rule for typed text others see (chat, names): what passes, and which rule the
// first offending code point breaks.
#include "core/safe_text.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace ttycall::core {
namespace {

TextProblem problem_of(std::string_view text, size_t max = 100) {
  return check_safe_text(text, max).problem;
}

TEST(SafeText, AcceptsOrdinaryTextInManyScripts) {
  EXPECT_TRUE(check_safe_text("hello, world!", 100).ok());
  EXPECT_TRUE(check_safe_text("caf\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x98\x80", 100).ok());
  EXPECT_TRUE(check_safe_text("\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D", 100).ok());  // Hebrew letters
  EXPECT_TRUE(check_safe_text("alice (2)", 100).ok());
}

TEST(SafeText, RefusesEmptyAndTooLongText) {
  EXPECT_EQ(problem_of(""), TextProblem::kEmpty);
  EXPECT_EQ(problem_of(std::string(101, 'a')), TextProblem::kTooLong);
  EXPECT_TRUE(check_safe_text(std::string(100, 'a'), 100).ok());
}

TEST(SafeText, RefusesMalformedUtf8AndSaysWhere) {
  const TextCheck c = check_safe_text("ab\xC0\xAF", 100);  // an overlong '/'
  EXPECT_EQ(c.problem, TextProblem::kMalformed);
  EXPECT_EQ(c.offset, 2u);
  EXPECT_EQ(problem_of("\xED\xA0\x80"), TextProblem::kMalformed);  // a surrogate
  EXPECT_EQ(problem_of("\xE2\x98"), TextProblem::kMalformed);      // truncated
}

TEST(SafeText, RefusesC0AndC1ControlsAndEscapeSequences) {
  EXPECT_EQ(problem_of("red \x1b[31m"), TextProblem::kControl);
  EXPECT_EQ(problem_of("two\nlines"), TextProblem::kControl);
  EXPECT_EQ(problem_of("tab\there"), TextProblem::kControl);
  EXPECT_EQ(problem_of("del\x7f"), TextProblem::kControl);
  EXPECT_EQ(problem_of(std::string_view("nul\0", 4)), TextProblem::kControl);
  const TextCheck csi = check_safe_text(
      "x\xC2\x9B"
      "2J",
      100);  // U+009B, CSI
  EXPECT_EQ(csi.problem, TextProblem::kControl);
  EXPECT_EQ(csi.code_point, 0x9Bu);
  EXPECT_EQ(csi.offset, 1u);
}

TEST(SafeText, RefusesEveryBidiControl) {
  for (uint32_t cp : {0x061Cu, 0x200Eu, 0x200Fu, 0x202Au, 0x202Bu, 0x202Cu, 0x202Du, 0x202Eu,
                      0x2066u, 0x2067u, 0x2068u, 0x2069u}) {
    std::string text = "a";
    if (cp < 0x800) {
      text += char(0xC0 | cp >> 6);
    } else {
      text += char(0xE0 | cp >> 12);
      text += char(0x80 | (cp >> 6 & 0x3F));
    }
    text += char(0x80 | (cp & 0x3F));
    const TextCheck c = check_safe_text(text, 100);
    EXPECT_EQ(c.problem, TextProblem::kBidi) << std::hex << cp;
    EXPECT_EQ(c.code_point, cp);
  }
}

TEST(SafeText, RefusesSeparatorsTagsAndInvisibleCharacters) {
  EXPECT_EQ(problem_of("a\xE2\x80\xA8z"), TextProblem::kLineSeparator);  // U+2028
  EXPECT_EQ(problem_of("a\xE2\x80\xA9z"), TextProblem::kLineSeparator);  // U+2029
  EXPECT_EQ(problem_of("a\xF3\xA0\x80\x81"), TextProblem::kTag);         // U+E0001
  EXPECT_EQ(problem_of("a\xF3\xA0\x81\xBF"), TextProblem::kTag);         // U+E007F
  EXPECT_EQ(problem_of("a\xE2\x80\x8B"), TextProblem::kInvisible);       // ZWSP
  EXPECT_EQ(problem_of("a\xE2\x80\x8D"), TextProblem::kInvisible);       // ZWJ
  EXPECT_EQ(problem_of("\xEF\xBB\xBF"
                       "a"),
            TextProblem::kInvisible);                               // BOM
  EXPECT_EQ(problem_of("soft\xC2\xAD"), TextProblem::kInvisible);   // soft hyphen
  EXPECT_EQ(problem_of("a\xE2\x81\xA0"), TextProblem::kInvisible);  // word joiner
}

TEST(SafeText, RefusesCombiningMarksAndNoncharacters) {
  EXPECT_EQ(problem_of("e\xCC\x81"), TextProblem::kCombining);         // e + U+0301
  EXPECT_EQ(problem_of("a\xEF\xBF\xBE"), TextProblem::kNoncharacter);  // U+FFFE
  EXPECT_EQ(problem_of("a\xEF\xB7\x90"), TextProblem::kNoncharacter);  // U+FDD0
}

TEST(SafeText, ReportsTheFirstProblem) {
  const TextCheck c = check_safe_text("ok\xE2\x80\xAE then \x1b", 100);
  EXPECT_EQ(c.problem, TextProblem::kBidi);
  EXPECT_EQ(c.offset, 2u);
}

TEST(SafeText, DescribesEveryProblemInWords) {
  for (int p = 1; p <= int(TextProblem::kNoncharacter); ++p) {
    EXPECT_GT(describe(TextProblem(p)).size(), 5u);
    EXPECT_NE(describe(TextProblem(p)), describe(TextProblem::kNone));
  }
  EXPECT_NE(describe(TextProblem::kControl).find("control"), std::string_view::npos);
  EXPECT_NE(describe(TextProblem::kBidi).find("bidirectional"), std::string_view::npos);
}

}  // namespace
}  // namespace ttycall::core
