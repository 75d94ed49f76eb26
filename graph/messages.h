// User-facing messages in two languages: the errors the libraries throw (graph/error.h) and the
// problems an import finds (ingest/bundle.h). One table, code → the English and the Chinese
// template; a message is a code and its parameters (all texts), so a document can keep the code
// and a front end can render it in the language the user chose. The English rendering is the text
// the project has always written (Error::what(), Problem::reason).
//
// A template is text with placeholders `{name}` or `{name:spec}`:
//   {name}       the parameter as it is;
//   {name:term}  a word translated by the term table (node, edge and region-level names, …);
//   {name:or}    "a|b": the words translated, joined by " or " (Chinese: "或");
//   {name:s}     English plurals: "s" when the parameter, a count, is not 1, else nothing;
//   {name:msg}   a nested message: the parameter is a code whose parameters are the outer
//                message's (rendered in the same language; empty when the parameter is empty).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace chainatlas {

enum class Lang : uint8_t { kEn, kZh };

using MessageParams = std::vector<std::pair<std::string, std::string>>;

struct Message {
  std::string code;  // empty: no template (a text from elsewhere, e.g. SQLite's, in `text`)
  MessageParams params;
  std::string text;  // when code is empty: the text, the same in both languages

  // The message in words. Throws Error(kInternal) for a code without a template or parameters that
  // are not the template's.
  std::string Render(Lang lang) const;
};

// Message("code", {{"name", value}, ...}).
Message Msg(std::string code, MessageParams params = {});

struct MessageTemplate {
  std::string_view code;
  std::string_view params;  // the parameters' names, comma-separated
  std::string_view en;
  std::string_view zh;
};
// Every code, grouped by prefix.
const std::vector<MessageTemplate>& MessageTemplates();
const MessageTemplate* FindMessageTemplate(std::string_view code);

// A word of the term table in the language (node and edge kinds, region levels, positions, ...);
// a word not in the table as it is. Also used for `{name:term}`.
std::string TermText(std::string_view word, Lang lang);

}  // namespace chainatlas
