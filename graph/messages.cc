#include "graph/messages.h"

#include <algorithm>
#include <unordered_map>

#include "graph/error.h"

namespace chainatlas {
namespace {

// code, params, English, Chinese. The English is the text the project has always written.
const std::vector<MessageTemplate> kTemplates = {
#include "graph/messages_table.inc"
};

// The words `{name:term}` translates, and TermText.
const std::vector<std::pair<std::string_view, std::string_view>> kTerms = {
    // node kinds
    {"region", "地区"},
    {"track", "赛道"},
    {"segment", "环节"},
    {"enterprise", "企业"},
    {"hospital", "医院"},
    {"institution", "高校院所"},
    {"platform", "服务平台"},
    {"entity", "实体"},
    {"node", "节点"},
    {"nodes", "节点"},
    {"organisation", "机构"},
    // edge kinds
    {"part_of", "隶属"},
    {"supplies", "供应"},
    {"produces", "生产"},
    {"trades_with", "贸易往来"},
    {"researches", "研究"},
    {"clinical_demand", "临床需求"},
    {"clinical_strength", "临床优势"},
    {"serves", "服务"},
    {"cooperates", "合作"},
    {"invests", "投资"},
    {"member_of", "成员"},
    // region levels
    {"province", "省级"},
    {"city", "市级"},
    {"county", "县级"},
    {"park", "园区"},
    // positions
    {"upstream", "上游"},
    {"midstream", "中游"},
    {"downstream", "下游"},
    // evidence kinds
    {"curated", "人工整理"},
    {"product", "产品层面"},
    {"inferred", "推断"},
    {"learned", "学习所得"},
    {"industry", "行业层面"},
    // node kinds in the plural (lists of what an id may name)
    {"regions", "地区"},
    {"tracks", "赛道"},
    {"segments", "环节"},
    {"enterprises", "企业"},
    {"hospitals", "医院"},
    {"institutions", "高校院所"},
    {"platforms", "服务平台"},
    // matching rules of merges
    {"uscc", "统一社会信用代码"},
    {"name", "名称"},
    {"id", "编号"},
    // import stages and states
    {"relations", "关系"},
    {"entities", "实体"},
    {"committed", "提交"},
    {"rejected", "拒绝"},
};

[[noreturn]] void Bad(const std::string& message) { throw Error(ErrorCode::kInternal, message); }

const std::string* Param(const MessageParams& params, std::string_view name) {
  for (const auto& [n, v] : params) {
    if (n == name) return &v;
  }
  return nullptr;
}

std::vector<std::string_view> Names(std::string_view list) {
  std::vector<std::string_view> out;
  while (!list.empty()) {
    size_t comma = list.find(',');
    out.push_back(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
  }
  return out;
}

// "a, b" or "a|b" lists of terms: each word translated, joined with "、" in Chinese.
std::string Terms(const std::string& value, Lang lang) {
  if (lang == Lang::kEn) return value;
  std::string out;
  size_t from = 0;
  while (from <= value.size()) {
    size_t at = value.find_first_of(",|", from);
    std::string word = value.substr(from, at == std::string::npos ? std::string::npos : at - from);
    while (!word.empty() && word.front() == ' ') word.erase(0, 1);
    out += (out.empty() ? "" : "、") + TermText(word, lang);
    if (at == std::string::npos) break;
    from = at + 1;
  }
  return out;
}

std::string RenderCode(const std::string& code, const MessageParams& params, Lang lang,
                       bool nested) {
  const MessageTemplate* t = FindMessageTemplate(code);
  if (!t) Bad("message code '" + code + "' has no template");
  if (!nested) {
    // The parameters must be the template's, and those of the messages it nests ({name:msg}).
    std::vector<std::string_view> want = Names(t->params);
    for (std::string_view name : Names(t->params)) {
      const std::string* p = Param(params, name);
      std::string nesting = "{";
      nesting.append(name).append(":msg}");
      if (!p || p->empty() || t->en.find(nesting) == std::string_view::npos) continue;
      const MessageTemplate* inner = FindMessageTemplate(*p);
      if (!inner) Bad("message code '" + *p + "' has no template");
      for (std::string_view n : Names(inner->params)) {
        if (std::find(want.begin(), want.end(), n) == want.end()) want.push_back(n);
      }
    }
    bool ok = want.size() == params.size();
    for (std::string_view name : want) ok = ok && Param(params, name);
    if (!ok) Bad("message " + code + " takes the parameters (" + std::string(t->params) + ")");
  }
  std::string_view tmpl = lang == Lang::kZh ? t->zh : t->en;
  std::string out;
  size_t from = 0;
  for (size_t at = tmpl.find('{'); at != std::string_view::npos; at = tmpl.find('{', from)) {
    size_t end = tmpl.find('}', at);
    if (end == std::string_view::npos) break;
    out.append(tmpl.substr(from, at - from));
    std::string_view inner = tmpl.substr(at + 1, end - at - 1);
    size_t colon = inner.find(':');
    std::string_view name = inner.substr(0, colon);
    std::string_view spec = colon == std::string_view::npos ? std::string_view()
                                                            : inner.substr(colon + 1);
    const std::string* p = Param(params, name);
    if (!p)
      Bad("message " + code + ": the template names {" + std::string(name) + "}, not a parameter");
    if (spec.empty()) {
      out += *p;
    } else if (spec == "term") {
      out += Terms(*p, lang);
    } else if (spec == "or") {  // "a|b": "a or b", "甲或乙"
      std::string words;
      for (size_t from = 0;;) {
        size_t bar = p->find('|', from);
        words += (from ? (lang == Lang::kZh ? "或" : " or ") : "") +
                 TermText(
                     p->substr(from, bar == std::string::npos ? std::string::npos : bar - from),
                     lang);
        if (bar == std::string::npos) break;
        from = bar + 1;
      }
      out += words;
    } else if (spec == "s") {
      out += *p == "1" ? "" : "s";
    } else if (spec == "msg") {
      if (!p->empty()) out += RenderCode(*p, params, lang, true);
    } else {
      Bad("message " + code + ": unknown placeholder format '" + std::string(spec) + "'");
    }
    from = end + 1;
  }
  out.append(tmpl.substr(from));
  return out;
}

}  // namespace

Message Msg(std::string code, MessageParams params) {
  return Message{std::move(code), std::move(params), {}};
}

std::string Message::Render(Lang lang) const {
  if (code.empty()) return text;
  return RenderCode(code, params, lang, false);
}

const std::vector<MessageTemplate>& MessageTemplates() { return kTemplates; }

const MessageTemplate* FindMessageTemplate(std::string_view code) {
  static const auto* index = [] {
    auto* m = new std::unordered_map<std::string_view, const MessageTemplate*>();
    for (const MessageTemplate& t : kTemplates) m->emplace(t.code, &t);
    return m;
  }();
  auto it = index->find(code);
  return it == index->end() ? nullptr : it->second;
}

std::string TermText(std::string_view word, Lang lang) {
  if (lang == Lang::kEn) return std::string(word);
  for (const auto& [en, zh] : kTerms) {
    if (en == word) return std::string(zh);
  }
  return std::string(word);
}

}  // namespace chainatlas
