#include "graph/forest.h"

#include <algorithm>
#include <string>

#include "graph/error.h"

namespace chainatlas {

void Forest::Init(const std::vector<VertexId>& members, const std::vector<VertexId>& parents) {
  const size_t n = members.size();
  index_.reserve(n);
  for (size_t i = 0; i < n; ++i) index_.emplace(members[i], static_cast<uint32_t>(i));
  parent_ = parents;
  children_.assign(n, {});
  for (size_t i = 0; i < n; ++i) {
    if (parents[i] == kNoVertex) {
      roots_.push_back(members[i]);
    } else {
      auto it = index_.find(parents[i]);
      if (it == index_.end()) {
        throw Error(ErrorCode::kInvalidData,
                    "hierarchy: parent of vertex " + std::to_string(members[i]) + " is not in it");
      }
      children_[it->second].push_back(members[i]);
    }
  }
  std::sort(roots_.begin(), roots_.end());
  for (auto& c : children_) std::sort(c.begin(), c.end());

  // Iterative preorder walk; a member never reached from a root sits on a cycle.
  depth_.assign(n, 0);
  enter_.assign(n, 0);
  exit_.assign(n, 0);
  preorder_.reserve(n);
  std::vector<std::pair<VertexId, size_t>> stack;  // (vertex, next child)
  for (VertexId root : roots_) {
    enter_[index_[root]] = static_cast<uint32_t>(preorder_.size());
    preorder_.push_back(root);
    stack.emplace_back(root, 0);
    while (!stack.empty()) {
      auto& [v, next] = stack.back();
      const uint32_t vi = index_[v];
      if (next < children_[vi].size()) {
        VertexId c = children_[vi][next++];
        const uint32_t ci = index_[c];
        depth_[ci] = depth_[vi] + 1;
        enter_[ci] = static_cast<uint32_t>(preorder_.size());
        preorder_.push_back(c);
        stack.emplace_back(c, 0);
      } else {
        exit_[vi] = static_cast<uint32_t>(preorder_.size());
        stack.pop_back();
      }
    }
  }
  if (preorder_.size() != n) {
    throw Error(ErrorCode::kInvalidData, "hierarchy: " + std::to_string(n - preorder_.size()) +
                                             " members sit on a parent cycle");
  }
}

size_t Forest::At(VertexId v) const {
  auto it = index_.find(v);
  if (it == index_.end()) {
    throw Error(ErrorCode::kInvalidArgument,
                "vertex " + std::to_string(v) + " is not part of this hierarchy");
  }
  return it->second;
}

std::vector<VertexId> Forest::SelfAndDescendants(VertexId v) const {
  const size_t i = At(v);
  return std::vector<VertexId>(preorder_.begin() + enter_[i], preorder_.begin() + exit_[i]);
}

std::vector<VertexId> Forest::Descendants(VertexId v) const {
  const size_t i = At(v);
  return std::vector<VertexId>(preorder_.begin() + enter_[i] + 1, preorder_.begin() + exit_[i]);
}

std::vector<VertexId> Forest::Ancestors(VertexId v) const {
  std::vector<VertexId> out;
  for (VertexId p = Parent(v); p != kNoVertex; p = Parent(p)) out.push_back(p);
  return out;
}

bool Forest::Contains(VertexId ancestor, VertexId v) const {
  auto a = index_.find(ancestor);
  auto b = index_.find(v);
  if (a == index_.end() || b == index_.end()) return false;
  return enter_[a->second] <= enter_[b->second] && enter_[b->second] < exit_[a->second];
}

}  // namespace chainatlas
