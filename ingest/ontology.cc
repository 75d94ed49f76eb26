#include "ingest/ontology.h"

#include <unicode/brkiter.h>
#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <functional>
#include <tuple>
#include <memory>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "graph/error.h"

namespace chainatlas::ingest {
namespace {

struct Cue {
  std::string_view text;
  ChainRole role;
};
// Role cues: the generic words a name ends with. Longer cues first where one ends another.
constexpr Cue kCues[] = {
    // materials
    {"原材料", ChainRole::kMaterial},
    {"化工原料", ChainRole::kMaterial},
    {"原料药", ChainRole::kMaterial},
    {"原料", ChainRole::kMaterial},
    {"材料", ChainRole::kMaterial},
    {"化学品", ChainRole::kMaterial},
    {"前驱体", ChainRole::kMaterial},
    {"电解液", ChainRole::kMaterial},
    {"树脂", ChainRole::kMaterial},
    {"粉末", ChainRole::kMaterial},
    {"粉", ChainRole::kMaterial},
    {"箔", ChainRole::kMaterial},
    {"薄膜", ChainRole::kMaterial},
    {"隔膜", ChainRole::kMaterial},
    {"膜", ChainRole::kMaterial},
    {"纤维", ChainRole::kMaterial},
    {"母粒", ChainRole::kMaterial},
    {"助剂", ChainRole::kMaterial},
    {"添加剂", ChainRole::kMaterial},
    {"浆料", ChainRole::kMaterial},
    {"靶材", ChainRole::kMaterial},
    {"中间体", ChainRole::kMaterial},
    {"精矿", ChainRole::kMaterial},
    {"辅材", ChainRole::kMaterial},
    {"辅料", ChainRole::kMaterial},
    // components
    {"零部件", ChainRole::kComponent},
    {"零配件", ChainRole::kComponent},
    {"零件", ChainRole::kComponent},
    {"部件", ChainRole::kComponent},
    {"配件", ChainRole::kComponent},
    {"元器件", ChainRole::kComponent},
    {"元件", ChainRole::kComponent},
    {"器件", ChainRole::kComponent},
    {"组件", ChainRole::kComponent},
    {"模组", ChainRole::kComponent},
    {"芯片", ChainRole::kComponent},
    {"传感器", ChainRole::kComponent},
    {"铸件", ChainRole::kComponent},
    {"锻件", ChainRole::kComponent},
    {"轴承", ChainRole::kComponent},
    {"电芯", ChainRole::kComponent},
    {"连接器", ChainRole::kComponent},
    {"线束", ChainRole::kComponent},
    {"结构件", ChainRole::kComponent},
    {"总成", ChainRole::kComponent},
    {"主轴", ChainRole::kComponent},
    {"塔筒", ChainRole::kComponent},
    {"塔架", ChainRole::kComponent},
    {"叶片", ChainRole::kComponent},
    {"控制器", ChainRole::kComponent},
    {"仪表", ChainRole::kComponent},
    // equipment for making things
    {"专用设备", ChainRole::kEquipment},
    {"生产设备", ChainRole::kEquipment},
    {"设备", ChainRole::kEquipment},
    {"装备", ChainRole::kEquipment},
    {"生产线", ChainRole::kEquipment},
    {"机床", ChainRole::kEquipment},
    // services and trade
    {"服务", ChainRole::kService},
    {"维修", ChainRole::kService},
    {"售后", ChainRole::kService},
    {"咨询", ChainRole::kService},
    {"物流", ChainRole::kService},
    {"租赁", ChainRole::kService},
    {"运营", ChainRole::kService},
    {"外包", ChainRole::kService},
    {"代理", ChainRole::kService},
    {"贸易", ChainRole::kService},
    {"经销", ChainRole::kService},
    {"经销商", ChainRole::kService},
};
// Industry names of equipment for making things (not equipment as a product: 电网设备).
constexpr std::string_view kProductionEquipment[] = {"专用设备", "加工设备", "生产设备"};
// Generic tails that say nothing about the product (覆铜板业务, 制冷配件产业, 铜盐类).
constexpr std::string_view kGenericTails[] = {"业务单元", "业务", "产业", "产品",   "系列",
                                              "板块",     "销售", "收入", "制造业", "制造",
                                              "及其他",   "其他", "等",   "类",     "行业"};
// Modifiers that say nothing about what a stem is (高端装备 is not equipment for 高端 things).
constexpr std::string_view kEmptyModifiers[] = {
    "中高端", "高端", "低端", "高性能", "高效",   "智能", "新型", "其他",
    "相关",   "通用", "专用", "精密",   "各类",   "各种", "综合", "主要",
    "重要",   "一般", "传统", "自动",   "自动化", "成套", "配套"};
// Joining characters left at the end of a stem (显示系统及部件 → 显示系统).
constexpr std::string_view kJoiners[] = {"及", "和", "与", "、", "用", "的", "之", "-", "/", "("};

bool EndsWith(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string Normalise(std::string_view raw) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCCasefoldInstance(status);
  if (U_FAILURE(status)) throw Error(ErrorCode::kInternal, "ICU NFKC_Casefold is unavailable");
  // Roman-numeral level marks of industry names (家电零部件Ⅲ) are not part of the name.
  std::string cleaned;
  for (size_t i = 0; i < raw.size();) {
    if (raw.substr(i, 3) == "Ⅰ" || raw.substr(i, 3) == "Ⅱ" || raw.substr(i, 3) == "Ⅲ") {
      i += 3;
      continue;
    }
    cleaned += raw[i++];
  }
  icu::UnicodeString u = nfkc->normalize(icu::UnicodeString::fromUTF8(cleaned), status);
  if (U_FAILURE(status)) return cleaned;
  std::string out;
  icu::UnicodeString kept;
  for (int32_t i = 0; i < u.length();) {
    UChar32 c = u.char32At(i);
    if (!u_isUWhiteSpace(c)) kept.append(c);
    i += U16_LENGTH(c);
  }
  kept.toUTF8String(out);
  return out;
}

std::vector<std::string> Words(const std::string& text) {
  std::vector<std::string> out;
  if (text.empty()) return out;
  UErrorCode status = U_ZERO_ERROR;
  thread_local std::unique_ptr<icu::BreakIterator> it(
      icu::BreakIterator::createWordInstance(icu::Locale::getChinese(), status));
  if (!it || U_FAILURE(status)) throw Error(ErrorCode::kInternal, "ICU word break is unavailable");
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(text);
  it->setText(u);
  int32_t start = it->first();
  for (int32_t end = it->next(); end != icu::BreakIterator::DONE; start = end, end = it->next()) {
    if (it->getRuleStatus() == UBRK_WORD_NONE) continue;  // punctuation, spaces
    std::string w;
    u.tempSubStringBetween(start, end).toUTF8String(w);
    out.push_back(std::move(w));
  }
  return out;
}

}  // namespace

std::string_view ChainRoleName(ChainRole role) {
  constexpr std::string_view kNames[] = {"final", "material", "component", "equipment", "service"};
  return kNames[static_cast<size_t>(role)];
}

ProductName AnalyseProductName(std::string_view name) {
  ProductName p;
  p.normalized = Normalise(name);
  p.core = p.normalized;
  for (bool again = true; again;) {
    again = false;
    for (std::string_view t : kGenericTails) {
      if (EndsWith(p.core, t) && CodePoints(p.core) > CodePoints(t) + 1) {
        p.core.resize(p.core.size() - t.size());
        again = true;
      }
    }
  }
  for (const Cue& c : kCues) {
    if (!EndsWith(p.core, c.text)) continue;
    p.role = c.role;
    std::string stem = p.core.substr(0, p.core.size() - c.text.size());
    for (bool again = true; again;) {
      again = false;
      for (std::string_view j : kJoiners) {
        if (EndsWith(stem, j)) {
          stem.resize(stem.size() - j.size());
          again = true;
        }
      }
    }
    for (bool again = true; again;) {
      again = false;
      for (std::string_view m : kEmptyModifiers) {
        if (stem.size() >= m.size() && stem.compare(0, m.size(), m) == 0) {
          stem.erase(0, m.size());
          again = true;
        }
      }
    }
    if (CodePoints(stem) >= 2) p.stem = std::move(stem);
    break;
  }
  p.words = Words(p.core);
  if (!p.words.empty()) {
    p.head = p.words.back();
    if (CodePoints(p.head) < 2 && p.words.size() >= 2) {
      p.head = p.words[p.words.size() - 2] + p.head;
    }
  }
  return p;
}

namespace {

// Produced products by every substring of their core (2..kMaxKey code points).
class SubstringIndex {
 public:
  static constexpr size_t kMaxKey = 12;
  void Add(int product, const std::string& core) {
    std::vector<size_t> starts;
    for (size_t i = 0; i < core.size(); ++i) {
      if ((static_cast<unsigned char>(core[i]) & 0xC0) != 0x80) starts.push_back(i);
    }
    starts.push_back(core.size());
    std::unordered_set<std::string_view> seen;
    for (size_t a = 0; a + 1 < starts.size(); ++a) {
      for (size_t b = a + 2; b < starts.size() && b - a <= kMaxKey; ++b) {
        std::string_view key(core.data() + starts[a], starts[b] - starts[a]);
        if (seen.insert(key).second) map_[std::string(key)].push_back(product);
      }
    }
  }
  const std::vector<int>* Find(const std::string& key) const {
    auto it = map_.find(key);
    return it == map_.end() ? nullptr : &it->second;
  }

 private:
  std::unordered_map<std::string, std::vector<int>> map_;
};

// Whether the name ends with `parent` starting at a word boundary: 胰岛素泵|锂电池 specialises
// 锂电池, 氯化|聚乙烯 does not specialise 乙烯 (聚乙烯 is another substance).
bool SpecialisesAtWord(const ProductName& child, const std::string& parent) {
  if (!EndsWith(child.core, parent)) return false;
  const size_t start = child.core.size() - parent.size();
  if (start == 0) return true;
  size_t pos = 0;
  for (const std::string& w : child.words) {
    size_t at = child.core.find(w, pos);
    if (at == std::string::npos) break;
    if (at == start) return true;
    if (at > start) return false;
    pos = at + w.size();
  }
  return pos == start;
}

uint64_t PairKey(int a, int b) {
  return (static_cast<uint64_t>(a) << 32) | static_cast<uint32_t>(b);
}

}  // namespace

OntologyResult BuildOntology(const std::vector<OntologyProduct>& products,
                             const std::vector<std::pair<int, int>>& given,
                             const std::vector<OntologyIndustry>& industries,
                             const std::vector<std::pair<int, int>>& given_industry) {
  OntologyResult r;
  const int n = static_cast<int>(products.size());
  r.names.reserve(products.size());
  for (const OntologyProduct& p : products) {
    r.names.push_back(AnalyseProductName(p.name));
    r.roles[static_cast<size_t>(r.names.back().role)]++;
  }
  std::unordered_set<uint64_t> linked;
  for (auto [a, b] : given) linked.insert(PairKey(a, b));
  auto add = [&](int src, int dst, SupplyRule rule, EvidenceKind kind, float weight) {
    if (src == dst || !linked.insert(PairKey(src, dst)).second) return false;
    r.supplies.push_back({src, dst, false, EvidenceByte(kind, rule), weight});
    r.by_rule[std::string(SupplyRuleName(rule))]++;
    return true;
  };

  // Hierarchy: keep a sub-product under its parent only where the names agree.
  for (int c = 0; c < n; ++c) {
    int parent = products[c].parent;
    if (parent < 0) continue;
    const ProductName& cn = r.names[c];
    const ProductName& pn = r.names[parent];
    if (SpecialisesAtWord(cn, pn.core) || (!cn.head.empty() && cn.head == pn.head)) continue;
    r.detached.push_back(c);
    if (cn.core.size() > pn.core.size() && cn.core.compare(0, pn.core.size(), pn.core) == 0) {
      ProductName rest = AnalyseProductName(cn.core.substr(pn.core.size()));
      if (rest.role == ChainRole::kMaterial || rest.role == ChainRole::kComponent ||
          rest.role == ChainRole::kEquipment) {
        if (add(c, parent, SupplyRule::kPartOfParent, EvidenceKind::kInferred,
                kInferredReliability)) {
          r.part_of_parent.push_back(c);
        }
      }
    }
  }

  // Name-derived parents: a product without a (kept) parent is placed under the product its name
  // specialises: the one named exactly its core (汽车制造业 → 汽车), else the longest proper
  // ending of its core, at a word boundary, that names a product (汽车玻璃 → 玻璃). A parent that
  // would take more than kMaxNameChildren such children is too generic to say anything (系统).
  {
    std::unordered_map<std::string, int> by_name;  // normalized name → product (first wins)
    for (int i = 0; i < n; ++i) by_name.try_emplace(r.names[i].normalized, i);
    std::vector<char> has_parent(n, 0);
    for (int i = 0; i < n; ++i) has_parent[i] = products[i].parent >= 0;
    for (int c : r.detached) has_parent[c] = 0;
    std::vector<int> proposed(n, -1);
    std::unordered_map<int, size_t> children_of;
    for (int c = 0; c < n; ++c) {
      if (has_parent[c]) continue;
      const ProductName& cn = r.names[c];
      int parent = -1;
      if (cn.core != cn.normalized) {
        auto it = by_name.find(cn.core);
        if (it != by_name.end() && it->second != c) parent = it->second;
      }
      if (parent < 0 && kNameSuffixParents) {
        size_t pos = 0;
        for (const std::string& w : cn.words) {
          size_t at = cn.core.find(w, pos);
          if (at == std::string::npos) break;
          pos = at + w.size();
          if (at == 0) continue;
          auto it = by_name.find(cn.core.substr(at));
          if (it != by_name.end() && it->second != c && CodePoints(it->first) >= 2) {
            parent = it->second;
            break;  // the longest ending first
          }
        }
      }
      if (parent >= 0) {
        proposed[c] = parent;
        children_of[parent]++;
      }
    }
    for (int c = 0; c < n; ++c) {
      int parent = proposed[c];
      if (parent < 0 || children_of[parent] > kMaxNameChildren) continue;
      r.name_parents.push_back({c, parent});
    }
  }

  // Produced products: the only ones a derived relation can connect to enterprises.
  std::vector<int> produced;
  for (int i = 0; i < n; ++i) {
    if (products[i].produced) produced.push_back(i);
  }
  SubstringIndex index;
  for (int i : produced) index.Add(i, r.names[i].core);

  // Inferred from names: "X材料 / X零部件 / X设备" supplies the products named X.
  for (int q : produced) {
    const ProductName& qn = r.names[q];
    if (qn.stem.empty() || qn.role == ChainRole::kFinal || qn.role == ChainRole::kService) continue;
    const std::vector<int>* hits = index.Find(qn.stem);
    if (!hits) continue;
    std::vector<std::pair<std::tuple<int, size_t, std::string_view>, int>> ranked;
    for (int p : *hits) {
      const ProductName& pn = r.names[p];
      if (p == q || pn.role == qn.role || pn.role == ChainRole::kService ||
          pn.role == ChainRole::kMaterial) {
        continue;
      }
      if (pn.core.find(qn.core) != std::string::npos) continue;  // p specialises q
      int closeness = pn.core == qn.stem                                 ? 0
                      : EndsWith(pn.core, qn.stem)                       ? 1
                      : pn.core.compare(0, qn.stem.size(), qn.stem) == 0 ? 2
                                                                         : 3;
      ranked.push_back({{closeness, pn.core.size(), products[p].key}, p});
    }
    std::sort(ranked.begin(), ranked.end());
    SupplyRule rule = qn.role == ChainRole::kMaterial    ? SupplyRule::kMaterialName
                      : qn.role == ChainRole::kComponent ? SupplyRule::kComponentName
                                                         : SupplyRule::kEquipmentName;
    size_t added = 0;
    for (const auto& [rank, p] : ranked) {
      if (added >= kMaxInferredPerSource) break;
      float w = kInferredReliability * (std::get<0>(rank) <= 1 ? 1.0f : 0.8f);
      added += add(q, p, rule, EvidenceKind::kInferred, w);
    }
  }

  // Learned: input heads → output heads, from the given product-level relations.
  std::map<std::pair<std::string, std::string>, size_t> pair_count;
  std::unordered_map<std::string, size_t> out_count, in_count;
  size_t counted = 0;
  for (auto [a, b] : given) {
    const std::string& ha = r.names[a].head;
    const std::string& hb = r.names[b].head;
    if (CodePoints(ha) < 2 || CodePoints(hb) < 2) continue;
    out_count[hb]++;
    in_count[ha]++;
    counted++;
    if (ha != hb) pair_count[{ha, hb}]++;
  }
  // Heads too common to say what a product is (系统, 设备): more than 1 in 400 names end in them.
  std::unordered_map<std::string, size_t> head_count;
  for (const ProductName& pn : r.names) head_count[pn.head]++;
  const size_t generic = std::max<size_t>(20, r.names.size() / 400);
  std::unordered_map<std::string, std::vector<std::pair<double, std::string>>> inputs_of;
  for (const auto& [heads, count] : pair_count) {
    if (count < kMinLearnedSupport) continue;
    if (head_count[heads.first] > generic || head_count[heads.second] > generic) continue;
    double confidence = static_cast<double>(count) / static_cast<double>(out_count[heads.second]);
    if (confidence < kMinLearnedConfidence) continue;
    // Lift: how much more often h_in feeds h_out than it feeds any output. An input head that
    // feeds everything (金属, 钢材) says little about any one output.
    double base = static_cast<double>(in_count[heads.first]) / static_cast<double>(counted);
    if (confidence < kMinLearnedLift * base) continue;
    inputs_of[heads.second].push_back({confidence, heads.first});
    r.learned_pairs++;
  }
  std::unordered_map<std::string, std::vector<int>> produced_by_head;
  for (int i : produced) {
    if (CodePoints(r.names[i].head) >= 2) produced_by_head[r.names[i].head].push_back(i);
  }
  for (auto& [head, list] : produced_by_head) {
    std::sort(list.begin(), list.end(), [&](int a, int b) {
      if (r.names[a].core.size() != r.names[b].core.size()) {
        return r.names[a].core.size() < r.names[b].core.size();
      }
      return products[a].key < products[b].key;
    });
  }
  for (auto& [head, list] : inputs_of) {
    std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
  }
  for (int p : produced) {
    auto it = inputs_of.find(r.names[p].head);
    if (it == inputs_of.end()) continue;
    size_t added = 0;
    for (const auto& [confidence, input_head] : it->second) {
      auto q = produced_by_head.find(input_head);
      if (q == produced_by_head.end()) continue;
      float w = kLearnedReliability * static_cast<float>(std::min(1.0, 0.5 + confidence));
      for (int src : q->second) {
        if (added >= kMaxLearnedPerTarget) break;
        added += add(src, p, SupplyRule::kLearnedHeads, EvidenceKind::kLearned, w);
      }
      if (added >= kMaxLearnedPerTarget) break;
    }
  }

  // Sector rule on the industry tree.
  const int m = static_cast<int>(industries.size());
  std::vector<ProductName> inames;
  for (const OntologyIndustry& i : industries) inames.push_back(AnalyseProductName(i.name));
  // A parts industry: a materials or components class (汽车零部件, 电池化学品, 光伏辅材), or
  // equipment for making its sector's products: special-purpose or processing equipment
  // (锂电专用设备, 光伏加工设备), or equipment named for its parent sector (半导体设备 under
  // 半导体).
  auto is_parts_name = [&](int i) {
    const ProductName& in = inames[i];
    if (in.role == ChainRole::kMaterial || in.role == ChainRole::kComponent) return true;
    if (in.role != ChainRole::kEquipment) return false;
    for (std::string_view tail : kProductionEquipment) {
      if (EndsWith(in.core, tail)) return true;
    }
    int parent = industries[i].parent;
    return parent >= 0 && !in.stem.empty() && in.stem == inames[parent].core;
  };
  std::vector<int> parts(m, -1);  // memo: 1 parts, 0 not
  std::function<bool(int)> is_parts = [&](int i) -> bool {
    if (parts[i] < 0) {
      parts[i] = is_parts_name(i) || (industries[i].parent >= 0 && is_parts(industries[i].parent));
    }
    return parts[i] == 1;
  };
  std::vector<std::vector<int>> children(m);
  for (int i = 0; i < m; ++i) {
    if (industries[i].parent >= 0) children[industries[i].parent].push_back(i);
  }
  std::function<void(int, std::vector<int>&)> end_leaves = [&](int a, std::vector<int>& out) {
    for (int c : children[a]) {
      if (is_parts(c) || inames[c].role == ChainRole::kService) continue;
      if (children[c].empty()) {
        out.push_back(c);
      } else {
        end_leaves(c, out);
      }
    }
  };
  std::unordered_set<uint64_t> industry_linked;
  for (auto [a, b] : given_industry) industry_linked.insert(PairKey(a, b));
  std::vector<std::vector<int>> sector_targets(m);
  for (int i = 0; i < m; ++i) {
    if (!children[i].empty() || !is_parts(i)) continue;
    std::vector<int>& targets = sector_targets[i];
    for (int a = industries[i].parent; a >= 0 && targets.empty(); a = industries[a].parent) {
      end_leaves(a, targets);
    }
    for (int t : targets) {
      if (!industry_linked.insert(PairKey(i, t)).second) continue;
      r.supplies.push_back({i, t, true,
                            EvidenceByte(EvidenceKind::kIndustry, SupplyRule::kSectorParts),
                            kSectorReliability});
      r.by_rule[std::string(SupplyRuleName(SupplyRule::kSectorParts))]++;
    }
  }
  // Products of a parts industry: most of their makers belong to it.
  for (int p : produced) {
    const OntologyProduct& op = products[p];
    if (op.makers < kMinSectorMakers) continue;
    std::map<int, size_t> count;
    for (int i : op.maker_industries) {
      if (i >= 0 && i < m && !sector_targets[i].empty()) count[i]++;
    }
    for (const auto& [i, c] : count) {
      if (c < kMinSectorMakers || 2 * c < op.makers) continue;
      for (int t : sector_targets[i]) {
        if (!linked.insert(PairKey(p, -1 - t)).second) continue;
        r.supplies.push_back({p, t, true,
                              EvidenceByte(EvidenceKind::kIndustry, SupplyRule::kSectorProducts),
                              kSectorReliability});
        r.supplies.back().src_is_product = true;
        r.by_rule[std::string(SupplyRuleName(SupplyRule::kSectorProducts))]++;
      }
    }
  }
  return r;
}

}  // namespace chainatlas::ingest
