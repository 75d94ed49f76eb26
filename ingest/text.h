// Text rules of the domain: USCC check characters and the normalised names used to merge
// enterprises across sources.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace chainatlas::ingest {

// Unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters from
// 0-9 and A-Z without I, O, S, V, Z; the last is a check character (weights 3^i mod 31).
// Returns an empty string when valid, else the reason.
std::string UsccProblem(std::string_view uscc);
// The check character the first 17 characters call for ('\0' if one of them is not allowed).
char UsccCheckCharacter(std::string_view first17);

// A name reduced for matching: Unicode NFKC with case folding (so full- and half-width forms
// agree), white space and punctuation removed, and trailing legal-form suffixes (股份有限公司,
// 有限责任公司, 有限公司, 集团, Co., Ltd., Inc., ...) stripped.
std::string NormaliseName(std::string_view name);

// Terminal columns the UTF-8 text takes: 2 for East Asian wide and full-width characters (汉字,
// full-width punctuation), 0 for combining marks and controls, 1 otherwise. Invalid bytes count 1.
size_t DisplayWidth(std::string_view utf8);
// The text followed by spaces up to `columns` display columns (at least one space).
std::string PadRight(std::string_view utf8, size_t columns);

// Text for a message: at most max_bytes of s, cut at a UTF-8 character boundary, followed by
// "..." when cut.
std::string Abbreviated(std::string_view s, size_t max_bytes);
// s with every byte that is not part of well-formed UTF-8 written as \xNN, so that a message
// quoting bad input is valid UTF-8 (and valid in a JSON report).
std::string EscapeInvalidUtf8(std::string_view s);

// The deepest nesting of arrays and objects accepted in JSON read from input (manifest.json,
// ChainKnowledgeGraph lines). Deeper documents are rejected before they are parsed: nesting
// costs stack in the parser's callers and in every recursive walk of the value.
constexpr size_t kMaxJsonDepth = 64;
// Why `text` is not acceptable JSON input for its nesting ("nested deeper than 64 levels at
// column N"), or "". Brackets inside strings do not count; the syntax is left to the parser.
std::string JsonNestingProblem(std::string_view text);

// A list column: items joined with ';' (JoinList), and split again with empty items dropped
// (SplitList). SplitList(JoinList(items)) is the list a load reads back.
std::string JoinList(const std::vector<std::string>& items);
std::vector<std::string> SplitList(std::string_view text);

}  // namespace chainatlas::ingest
