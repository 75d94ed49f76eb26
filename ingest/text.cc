#include "ingest/text.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <cstdio>

#include "graph/error.h"

namespace chainatlas::ingest {
namespace {

constexpr std::string_view kUsccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
constexpr std::array<int, 17> kUsccWeights = {1,  3,  9,  27, 19, 26, 16, 17, 20,
                                              29, 25, 13, 8,  24, 10, 30, 28};

// Longest first, so 股份有限公司 is stripped whole rather than as 有限公司.
constexpr std::array<std::string_view, 14> kLegalSuffixes = {"集团股份有限公司",
                                                             "集团有限责任公司",
                                                             "集团有限公司",
                                                             "股份有限公司",
                                                             "有限责任公司",
                                                             "有限公司",
                                                             "集团",
                                                             "公司",
                                                             "coltd",
                                                             "corporation",
                                                             "limited",
                                                             "ltd",
                                                             "inc",
                                                             "corp"};

}  // namespace

char UsccCheckCharacter(std::string_view first17) {
  if (first17.size() != 17) return '\0';
  int sum = 0;
  for (size_t i = 0; i < 17; ++i) {
    size_t v = kUsccAlphabet.find(first17[i]);
    if (v == std::string_view::npos) return '\0';
    sum += static_cast<int>(v) * kUsccWeights[i];
  }
  int check = (31 - sum % 31) % 31;
  return kUsccAlphabet[check];
}

std::string UsccProblem(std::string_view uscc) {
  if (uscc.size() != 18) return "USCC must have 18 characters, has " + std::to_string(uscc.size());
  for (size_t i = 0; i < 18; ++i) {
    if (kUsccAlphabet.find(uscc[i]) == std::string_view::npos) {
      return "USCC character " + std::to_string(i + 1) + " '" + std::string(1, uscc[i]) +
             "' is not allowed (0-9, A-Z without I O S V Z)";
    }
  }
  char want = UsccCheckCharacter(uscc.substr(0, 17));
  if (uscc[17] != want) {
    return "USCC check character is '" + std::string(1, uscc[17]) + "', should be '" +
           std::string(1, want) + "'";
  }
  return "";
}

std::string NormaliseName(std::string_view name) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCCasefoldInstance(status);
  if (U_FAILURE(status)) throw Error(ErrorCode::kInternal, "ICU: no NFKC_Casefold normaliser");
  icu::UnicodeString folded = nfkc->normalize(
      icu::UnicodeString::fromUTF8(icu::StringPiece(name.data(), name.size())), status);
  if (U_FAILURE(status)) throw Error(ErrorCode::kInternal, "ICU: normalisation failed");
  icu::UnicodeString kept;
  for (int32_t i = 0; i < folded.length();) {
    UChar32 c = folded.char32At(i);
    i += U16_LENGTH(c);
    if (u_isUWhiteSpace(c) || u_ispunct(c)) continue;
    kept.append(c);
  }
  std::string out;
  kept.toUTF8String(out);
  for (bool stripped = true; stripped;) {
    stripped = false;
    for (std::string_view suffix : kLegalSuffixes) {
      if (out.size() > suffix.size() &&
          std::string_view(out).substr(out.size() - suffix.size()) == suffix) {
        out.resize(out.size() - suffix.size());
        stripped = true;
        break;
      }
    }
  }
  return out;
}

size_t DisplayWidth(std::string_view utf8) {
  size_t width = 0;
  const auto* bytes = reinterpret_cast<const uint8_t*>(utf8.data());
  const int32_t length = static_cast<int32_t>(utf8.size());
  for (int32_t i = 0; i < length;) {
    UChar32 c;
    U8_NEXT(bytes, i, length, c);
    if (c < 0) {
      width += 1;
      continue;
    }
    const auto ea = u_getIntPropertyValue(c, UCHAR_EAST_ASIAN_WIDTH);
    const auto category = u_charType(c);
    if (category == U_NON_SPACING_MARK || category == U_ENCLOSING_MARK ||
        category == U_CONTROL_CHAR) {
      continue;
    }
    width += (ea == U_EA_WIDE || ea == U_EA_FULLWIDTH) ? 2 : 1;
  }
  return width;
}

std::string PadRight(std::string_view utf8, size_t columns) {
  const size_t width = DisplayWidth(utf8);
  return std::string(utf8) + std::string(width < columns ? columns - width : 1, ' ');
}

std::string Abbreviated(std::string_view s, size_t max_bytes) {
  if (s.size() <= max_bytes) return std::string(s);
  size_t cut = max_bytes;
  // Back up over continuation bytes (10xxxxxx) to the start of the character cut in two.
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return std::string(s.substr(0, cut)) + "...";
}

std::string EscapeInvalidUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  const auto* bytes = reinterpret_cast<const uint8_t*>(s.data());
  for (size_t i = 0; i < s.size();) {
    // U8_NEXT takes int32_t offsets: walk in windows well inside that range.
    const int32_t length = static_cast<int32_t>(std::min<size_t>(s.size() - i, 1 << 30));
    int32_t k = 0;
    while (k < length) {
      const int32_t start = k;
      UChar32 c;
      U8_NEXT(bytes + i, k, length, c);
      if (c >= 0) {
        out.append(s.data() + i + start, static_cast<size_t>(k - start));
        continue;
      }
      for (int32_t j = start; j < k; ++j) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\x%02x", bytes[i + j]);
        out += buf;
      }
    }
    i += static_cast<size_t>(length);
  }
  return out;
}

std::string JsonNestingProblem(std::string_view text) {
  size_t depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth) {
        return "JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels at column " +
               std::to_string(i + 1);
      }
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return "";
}

std::string JoinList(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ";") + s;
  return out;
}

std::vector<std::string> SplitList(std::string_view s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (!s.empty() && start <= s.size()) {
    size_t end = s.find(';', start);
    if (end == std::string_view::npos) end = s.size();
    if (end > start) out.emplace_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace chainatlas::ingest
