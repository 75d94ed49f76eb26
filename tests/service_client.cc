// A C++ client of the ChainAtlas service: calls every method once on fixed arguments and prints
// one JSON line per call with the ids and scores of the answer, in order. tests/service_test.py
// computes the same lines from the CLI's --json answers and compares.
//
//   service_client PORT [HOST]
#include <thrift/TConfiguration.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/transport/TBufferTransports.h>
#include <thrift/transport/TSocket.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "ChainAtlas.h"

namespace rpc = chainatlas::rpc;
using json = nlohmann::json;
using apache::thrift::TConfiguration;

namespace {

void Print(const std::string& method, const json& ids, const json& scores) {
  std::cout << json{{"method", method}, {"ids", ids}, {"scores", scores}}.dump() << "\n";
}

void PrintItems(const std::string& method, const std::vector<rpc::Item>& items) {
  json ids = json::array(), scores = json::array();
  for (const auto& it : items) {
    ids.push_back(it.id);
    scores.push_back(it.score);
  }
  Print(method, ids, scores);
}

void PrintSegments(const std::string& method, const rpc::ChainResponse& r) {
  json ids = json::array(), scores = json::array();
  for (const auto& s : r.segments) {
    ids.push_back(s.id);
    scores.push_back(s.score);
  }
  Print(method, ids, scores);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: service_client PORT [HOST]\n";
    return 2;
  }
  std::string host = argc > 2 ? argv[2] : "127.0.0.1";
  auto config = std::make_shared<TConfiguration>(64 << 20, 64 << 20);
  auto socket = std::make_shared<apache::thrift::transport::TSocket>(host, std::stoi(argv[1]),
                                                                     config);
  auto transport = std::make_shared<apache::thrift::transport::TFramedTransport>(socket, config);
  rpc::ChainAtlasClient client(
      std::make_shared<apache::thrift::protocol::TBinaryProtocol>(transport));
  transport->open();
  try {
    rpc::HealthResponse h;
    client.health(h);
    Print("health", json::array({h.status}), json::array({h.generation}));

    rpc::StatsResponse st;
    client.stats(st, rpc::StatsRequest());
    json codes = json::array();
    for (const auto& r : st.regions) codes.push_back(r.code);
    Print("stats", codes, json::array({st.vertices, st.edge_total}));

    rpc::SearchRequest sq;
    sq.text = "医疗";
    rpc::SearchResponse sr;
    client.search(sr, sq);
    json ids = json::array();
    for (const auto& n : sr.results) ids.push_back(n.id);
    Print("search", ids, json::array());

    rpc::ShowRequest shq;
    shq.entity = "E0020";
    rpc::ShowResponse sh;
    client.show(sh, shq);
    ids = json::array({sh.node.id});
    json scores = json::array();
    for (const auto& r : sh.out_relations) {
      ids.push_back(r.other);
      scores.push_back(r.weight);
    }
    for (const auto& r : sh.in_relations) {
      ids.push_back(r.other);
      scores.push_back(r.weight);
    }
    Print("show", ids, scores);

    rpc::ChainRequest cq;
    cq.region = "330122";
    cq.__set_track("endo");
    rpc::ChainResponse cr;
    client.chain(cr, cq);
    PrintSegments("chain", cr);
    client.gaps(cr, cq);
    PrintSegments("gaps", cr);

    rpc::RecOptions top100;
    top100.__set_top(100);
    rpc::PartnersRequest pq;
    pq.enterprise = "E0020";
    pq.__set_options(top100);
    rpc::PartnersResponse pr;
    client.partners(pr, pq);
    PrintItems("partners", pr.items);

    rpc::PairingsRequest paq;
    paq.enterprise = "E0020";
    rpc::PairingsResponse par;
    client.pairings(par, paq);
    PrintItems("pairings", par.items);

    rpc::TargetsRequest tq;
    tq.region = "330122";
    rpc::RecOptions endo;
    endo.__set_track("endo");
    tq.__set_options(endo);
    rpc::TargetsResponse tr;
    client.targets(tr, tq);
    PrintItems("targets", tr.items);

    rpc::RelatednessRequest rq;
    rq.__set_region("330122");
    rpc::RelatednessResponse rr;
    client.relatedness(rr, rq);
    ids = json::array();
    scores = json::array();
    for (const auto& region : rr.regions) {
      for (const auto& c : region.cells) {
        ids.push_back(c.segment.id);
        scores.push_back(c.density);
      }
    }
    Print("relatedness", ids, scores);

    rpc::LeadersRequest lq;
    lq.__set_region("330100");
    rpc::LeadersResponse lr;
    client.leaders(lr, lq);
    PrintItems("leaders", lr.items);

    rpc::ClustersRequest clq;
    clq.__set_region("330000");
    rpc::ClustersResponse clr;
    client.clusters(clr, clq);
    ids = json::array();
    scores = json::array({clr.modularity});
    for (const auto& c : clr.communities) {
      ids.push_back(c.members.empty() ? "" : c.members[0].id);
      scores.push_back(c.internal_weight);
    }
    Print("clusters", ids, scores);

    rpc::IndicatorsRequest iq;
    iq.region = "330122";
    rpc::IndicatorTarget target;
    target.indicator = "above_scale_revenue";
    target.target = 350000;
    iq.__set_targets({target});
    rpc::IndicatorsResponse ir;
    client.indicators(ir, iq);
    ids = json::array();
    scores = json::array();
    for (const auto& i : ir.indicators) {
      ids.push_back(i.name);
      scores.push_back(i.value);
    }
    Print("indicators", ids, scores);

    // Declared exceptions.
    try {
      rpc::ShowRequest missing;
      missing.entity = "no-such-entity-anywhere";
      client.show(sh, missing);
      Print("not_found", json::array({"no exception"}), json::array());
    } catch (const rpc::NotFound& e) {
      Print("not_found", e.suggestions, json::array());
    }
    try {
      rpc::RecOptions zero;
      zero.__set_top(0);
      pq.__set_options(zero);
      client.partners(pr, pq);
      Print("invalid", json::array({"no exception"}), json::array());
    } catch (const rpc::InvalidArgument& e) {
      Print("invalid", json::array({e.message}), json::array());
    }
  } catch (const std::exception& e) {
    std::cerr << "service_client: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
