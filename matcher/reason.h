// A reason (`why`) as a language-independent code with its parameters: the recommenders say what
// weighed, the server renders it in the reader's language (server/reasons.h holds the one table
// of templates, code → Chinese and English). Codes are stable snake_case names grouped by a
// prefix (`gaps.needed_by_local`, `evidence.material_name`, `proximity.same_city`).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace chainatlas::matcher {

struct Reason;

// One named parameter: a count (whole number), a measure (a real number; the template says how
// it is written), a text (a name as given, or a word the renderer translates), a list of texts
// (names; a last "…" says the list was cut), or a reason inside this one.
struct ReasonParam {
  enum class Type : uint8_t { kCount, kReal, kText, kList, kReason };
  std::string name;
  Type type = Type::kText;
  int64_t count = 0;
  double real = 0;
  std::string text;
  std::vector<std::string> list;
  std::vector<Reason> reason;  // kReason: exactly one

  bool operator==(const ReasonParam& o) const;
};

struct Reason {
  std::string code;
  std::vector<ReasonParam> params;

  Reason() = default;
  explicit Reason(std::string c) : code(std::move(c)) {}
  Reason& Count(std::string name, int64_t v) {
    Add(std::move(name), ReasonParam::Type::kCount).count = v;
    return *this;
  }
  Reason& Real(std::string name, double v) {
    Add(std::move(name), ReasonParam::Type::kReal).real = v;
    return *this;
  }
  Reason& Text(std::string name, std::string v) {
    Add(std::move(name), ReasonParam::Type::kText).text = std::move(v);
    return *this;
  }
  Reason& List(std::string name, std::vector<std::string> v) {
    Add(std::move(name), ReasonParam::Type::kList).list = std::move(v);
    return *this;
  }
  Reason& Nested(std::string name, Reason r) {
    Add(std::move(name), ReasonParam::Type::kReason).reason.push_back(std::move(r));
    return *this;
  }
  bool operator==(const Reason& o) const { return code == o.code && params == o.params; }
  bool operator!=(const Reason& o) const { return !(*this == o); }

 private:
  ReasonParam& Add(std::string name, ReasonParam::Type type) {
    params.emplace_back();
    params.back().name = std::move(name);
    params.back().type = type;
    return params.back();
  }
};

inline bool ReasonParam::operator==(const ReasonParam& o) const {
  return name == o.name && type == o.type && count == o.count && real == o.real && text == o.text &&
         list == o.list && reason == o.reason;
}

}  // namespace chainatlas::matcher
