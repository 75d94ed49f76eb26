// A forest over a subset of the snapshot's vertices (the region hierarchy, the segment taxonomy),
// numbered in preorder so that "everything below" is one interval and containment is O(1).
#pragma once

#include <unordered_map>
#include <vector>

#include "graph/snapshot.h"

namespace chainatlas {

class Forest {
 public:
  Forest() = default;
  // members: the vertices of the forest; parent_of(v) gives v's parent or kNoVertex for a root.
  // Children are ordered by vertex id. Throws Error(kInvalidData) on a cycle or a parent that is
  // not a member.
  template <typename ParentOf>
  Forest(const std::vector<VertexId>& members, ParentOf parent_of) {
    std::vector<VertexId> parents;
    parents.reserve(members.size());
    for (VertexId v : members) parents.push_back(parent_of(v));
    Init(members, parents);
  }

  bool Has(VertexId v) const { return index_.count(v) != 0; }
  VertexId Parent(VertexId v) const { return parent_[At(v)]; }
  const std::vector<VertexId>& Children(VertexId v) const { return children_[At(v)]; }
  const std::vector<VertexId>& Roots() const { return roots_; }
  // v and everything below it, in preorder (v first).
  std::vector<VertexId> SelfAndDescendants(VertexId v) const;
  // Everything below v, in preorder.
  std::vector<VertexId> Descendants(VertexId v) const;
  // From v's parent up to its root.
  std::vector<VertexId> Ancestors(VertexId v) const;
  // True when v is ancestor itself or lies below it. False for non-members.
  bool Contains(VertexId ancestor, VertexId v) const;
  int Depth(VertexId v) const { return depth_[At(v)]; }
  // v's position in the preorder (Descendants lists a subtree in increasing positions).
  uint32_t PreorderIndex(VertexId v) const { return enter_[At(v)]; }
  size_t size() const { return parent_.size(); }

 private:
  void Init(const std::vector<VertexId>& members, const std::vector<VertexId>& parents);
  size_t At(VertexId v) const;

  std::unordered_map<VertexId, uint32_t> index_;  // vertex → local index
  std::vector<VertexId> parent_;
  std::vector<std::vector<VertexId>> children_;
  std::vector<int> depth_;
  std::vector<uint32_t> enter_, exit_;  // preorder interval [enter, exit)
  std::vector<VertexId> preorder_;
  std::vector<VertexId> roots_;
};

}  // namespace chainatlas
