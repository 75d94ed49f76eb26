#include "ingest/export.h"

#include <cmath>
#include <map>

namespace chainatlas::ingest {
namespace {

using json = nlohmann::json;

void PutInt(json& j, const char* name, int64_t v) {
  if (v >= 0) j[name] = v;
}
void PutReal(json& j, const char* name, double v) {
  if (!std::isnan(v)) j[name] = v;
}
std::string Joined(const json& v) {
  if (!v.is_array()) return v.is_string() ? v.get<std::string>() : v.dump();
  std::string out;
  for (const auto& x : v)
    out += (out.empty() ? "" : ";") + (x.is_string() ? x.get<std::string>() : x.dump());
  return out;
}

std::string XmlEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace

json NodeJson(const Snapshot& s, VertexId v) {
  json j;
  j["id"] = s.Label(v);
  j["kind"] = std::string(NodeKindName(s.Kind(v)));
  j["key"] = std::string(s.Key(v));
  j["name"] = std::string(s.Name(v));
  if (s.Region(v) != kNoVertex) j["region"] = std::string(s.Key(s.Region(v)));
  if (IsOrganisation(s.Kind(v))) j["illustrative"] = s.Illustrative(v);
  switch (s.Kind(v)) {
    case NodeKind::kRegion: {
      const auto& a = s.RegionInfo(v);
      j["level"] = std::string(RegionLevelName(a.level));
      if (a.parent != kNoVertex) j["parent"] = std::string(s.Key(a.parent));
      break;
    }
    case NodeKind::kTrack:
      if (!s.Track(v).name_en.empty()) j["name_en"] = s.Track(v).name_en;
      break;
    case NodeKind::kSegment: {
      const auto& a = s.Segment(v);
      j["track"] = std::string(s.Key(a.track));
      if (a.parent != kNoVertex) j["parent"] = std::string(s.Key(a.parent));
      j["position"] = std::string(PositionName(a.position));
      if (!a.name_en.empty()) j["name_en"] = a.name_en;
      break;
    }
    case NodeKind::kEnterprise: {
      const auto& a = s.Enterprise(v);
      if (!a.uscc.empty()) j["uscc"] = a.uscc;
      PutInt(j, "founded", a.founded);
      if (a.above_scale >= 0) j["above_scale"] = a.above_scale == 1;
      PutReal(j, "revenue", a.revenue);
      PutInt(j, "employees", a.employees);
      j["tags"] = TagNames(a.tags);
      PutInt(j, "class2_certs", a.class2_certs);
      PutInt(j, "class3_certs", a.class3_certs);
      PutInt(j, "patents", a.patents);
      PutReal(j, "rd_ratio", a.rd_ratio);
      break;
    }
    case NodeKind::kHospital: {
      const auto& a = s.Hospital(v);
      if (!a.grade.empty()) j["grade"] = a.grade;
      j["clinical_trial"] = a.clinical_trial;
      j["demo_base"] = a.demo_base;
      j["departments"] = a.departments;
      break;
    }
    case NodeKind::kInstitution:
      j["institution_kind"] = s.Institution(v).kind;
      j["key_labs"] = s.Institution(v).key_labs;
      break;
    case NodeKind::kPlatform:
      j["platform_kind"] = s.Platform(v).kind;
      j["accreditations"] = s.Platform(v).accreditations;
      break;
  }
  return j;
}

void WriteNodeLinkJson(const Snapshot& s, std::ostream& out, const std::string& graph_name) {
  out << "{\"directed\": true, \"multigraph\": true, \"graph\": "
      << json{{"name", graph_name}}.dump() << ",\n\"nodes\": [\n";
  for (VertexId v = 0; v < s.NumVertices(); ++v) {
    out << (v ? ",\n" : "") << NodeJson(s, v).dump();
  }
  out << "\n],\n\"links\": [\n";
  bool first = true;
  for (VertexId v = 0; v < s.NumVertices(); ++v) {
    for (EdgeKind k : kAllEdgeKinds) {
      for (Neighbor nb : s.Out(v, k)) {
        // The edge kind doubles as the multigraph key: one edge of a kind joins two nodes.
        json link = {{"source", s.Label(v)},
                     {"target", s.Label(nb.vertex)},
                     {"key", std::string(EdgeKindName(k))},
                     {"kind", std::string(EdgeKindName(k))},
                     {"weight", nb.weight}};
        out << (first ? "" : ",\n") << link.dump();
        first = false;
      }
    }
  }
  out << "\n]}\n";
}

void WriteGraphml(const Snapshot& s, std::ostream& out, const std::string& graph_name) {
  // Node attribute keys: the union over all nodes of NodeJson's fields, typed by their values.
  std::map<std::string, std::string> node_keys;  // name → GraphML type
  for (VertexId v = 0; v < s.NumVertices(); ++v) {
    const json node = NodeJson(s, v);
    for (auto& [name, value] : node.items()) {
      if (name == "id") continue;
      std::string type = value.is_boolean()          ? "boolean"
                         : value.is_number_integer() ? "long"
                         : value.is_number()         ? "double"
                                                     : "string";
      auto [it, fresh] = node_keys.emplace(name, type);
      if (!fresh && it->second != type) it->second = "string";
    }
  }
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" "
         "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
         "xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns "
         "http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n";
  for (const auto& [name, type] : node_keys) {
    out << "  <key id=\"n_" << name << "\" for=\"node\" attr.name=\"" << name << "\" attr.type=\""
        << type << "\"/>\n";
  }
  out << "  <key id=\"e_kind\" for=\"edge\" attr.name=\"kind\" attr.type=\"string\"/>\n"
         "  <key id=\"e_weight\" for=\"edge\" attr.name=\"weight\" attr.type=\"double\"/>\n"
      << "  <graph id=\"" << XmlEscape(graph_name)
      << "\" edgedefault=\"directed\" parse.nodeids=\"free\" parse.edgeids=\"free\">\n";
  for (VertexId v = 0; v < s.NumVertices(); ++v) {
    out << "    <node id=\"" << XmlEscape(s.Label(v)) << "\">";
    const json node = NodeJson(s, v);
    for (auto& [name, value] : node.items()) {
      if (name == "id") continue;
      std::string text = value.is_boolean() ? (value.get<bool>() ? "true" : "false")
                                            : Joined(value);
      out << "<data key=\"n_" << name << "\">" << XmlEscape(text) << "</data>";
    }
    out << "</node>\n";
  }
  for (VertexId v = 0; v < s.NumVertices(); ++v) {
    for (EdgeKind k : kAllEdgeKinds) {
      for (Neighbor nb : s.Out(v, k)) {
        out << "    <edge source=\"" << XmlEscape(s.Label(v)) << "\" target=\""
            << XmlEscape(s.Label(nb.vertex)) << "\"><data key=\"e_kind\">" << EdgeKindName(k)
            << "</data><data key=\"e_weight\">" << nb.weight << "</data></edge>\n";
      }
    }
  }
  out << "  </graph>\n</graphml>\n";
}

}  // namespace chainatlas::ingest
