// The reasons (`why`) of every recommendation and gap in words: one table, code → the English and
// the Chinese template, and one renderer. The documents keep both: `why`, the rendered reasons in
// the chosen language, and beside it `why_codes`, each reason as {"code", "params"} in the same
// order (matcher/reason.h says what a code is).
//
// A template is text with placeholders `{name}` or `{name:spec}`:
//   {name}        a count, a text, a list (joined with ", " or "、"; a last "…" ends it: ", …" or
//                 "等") or a nested reason (rendered in the same language);
//   {name:.2f}    a real number with two decimals ({name:.3g}: three significant digits,
//                 {name:cut5}: the first five characters of its six-decimal form);
//   {name:term}   a text or list of words translated by the term table (tags, statuses);
//   {name:s}      English plurals: "s" when the count is above 1, else nothing.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "graph/messages.h"
#include "matcher/reason.h"

namespace chainatlas::report {

using json = nlohmann::json;

using Lang = chainatlas::Lang;  // graph/messages.h

struct ReasonTemplate {
  std::string_view code;
  std::string_view params;  // the parameters' names, comma-separated, in the order they are given
  std::string_view en;
  std::string_view zh;
};
// Every code, grouped by prefix.
const std::vector<ReasonTemplate>& ReasonTemplates();
// The template's parameter names (`params` split at the commas).
std::vector<std::string> ParamNames(const ReasonTemplate& t);
// The names of a template's placeholders, each once, in the order they first appear.
std::vector<std::string> Placeholders(std::string_view tmpl);

// {"code", "params": {name: value}}: counts and reals as numbers, texts as strings, lists as
// arrays of strings, a nested reason as an object of this shape.
json ReasonJson(const matcher::Reason& r);
json ReasonsJson(const std::vector<matcher::Reason>& reasons);

// One reason ({"code", "params"}) in words. Throws Error(kInternal) for a code without a template
// or params that are not the template's.
std::string RenderReason(const json& reason, Lang lang);
json RenderReasons(const json& why_codes, Lang lang);  // an array of strings

// Sets `why` anywhere in the document beside a `why_codes` to the reasons in `lang`.
void LocaliseReasons(json& doc, Lang lang);

}  // namespace chainatlas::report
