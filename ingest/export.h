// Writing the graph out for other tools: NetworkX node-link JSON and GraphML (Gephi, Cytoscape,
// NetworkX, igraph), and the JSON form of one node shared by `show` and the export.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "graph/snapshot.h"

namespace chainatlas::ingest {

// A node as a JSON object: id ("kind:key"), kind, key, name, region (code) and the attributes of
// its kind; unknown values are left out.
nlohmann::json NodeJson(const Snapshot& snapshot, VertexId v);

// NetworkX node-link form: {"directed": true, "multigraph": true, "graph": {...}, "nodes": [...],
// "links": [{"source", "target", "key", "kind", "weight"}]}. Streams, so memory stays flat.
void WriteNodeLinkJson(const Snapshot& snapshot, std::ostream& out, const std::string& graph_name);

// GraphML with typed keys; list attributes are joined with ';'.
void WriteGraphml(const Snapshot& snapshot, std::ostream& out, const std::string& graph_name);

}  // namespace chainatlas::ingest
