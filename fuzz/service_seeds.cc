// Writes the seed corpus of service_fuzz: one valid request of each method, in the framed binary
// protocol (prefix byte 0) and in the JSON protocol (prefix byte 1), with the generated client
// writing into a memory buffer. Usage: service_seeds OUT_DIR. The output is committed under
// fuzz/corpus/service/; run it again when server/chainatlas.thrift changes.
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/protocol/TJSONProtocol.h>
#include <thrift/transport/TBufferTransports.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "ChainAtlas.h"

namespace rpc = ::chainatlas::rpc;
namespace at = ::apache::thrift;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: service_seeds OUT_DIR\n";
    return 2;
  }
  const std::filesystem::path out_dir = argv[1];
  std::filesystem::create_directories(out_dir);

  rpc::RecOptions top5;
  top5.__set_top(5);
  rpc::RecOptions endo;
  endo.__set_track("endo");
  endo.__set_top(3);
  rpc::StatsRequest stats;
  stats.__set_region("330122");
  rpc::SearchRequest search;
  search.text = "杭州";
  search.__set_kind("region");
  search.__set_limit(5);
  rpc::ShowRequest show;
  show.entity = "E0020";
  rpc::ChainRequest chain;
  chain.region = "330122";
  chain.__set_track("endo");
  rpc::ChainRequest gaps = chain;
  gaps.__set_status("missing");
  rpc::PartnersRequest partners;
  partners.enterprise = "E0020";
  partners.__set_role("customer");
  partners.__set_options(top5);
  rpc::PairingsRequest pairings;
  pairings.enterprise = "E0020";
  pairings.__set_kind("hospital");
  pairings.__set_options(top5);
  rpc::TargetsRequest targets;
  targets.region = "330122";
  targets.__set_options(endo);
  rpc::RelatednessRequest relatedness;
  relatedness.__set_region("330122");
  relatedness.__set_top(5);
  rpc::LeadersRequest leaders;
  leaders.__set_region("330100");
  leaders.__set_options(top5);
  rpc::ClustersRequest clusters;
  clusters.__set_region("330100");
  clusters.__set_seed(7);
  rpc::IndicatorsRequest indicators;
  indicators.region = "330122";
  rpc::IndicatorTarget t;
  t.indicator = "enterprises";
  t.target = 100;
  indicators.__set_targets({t});

  using Send = std::function<void(rpc::ChainAtlasClient&)>;
  const std::vector<std::pair<std::string, Send>> calls = {
      {"health", [](auto& c) { c.send_health(); }},
      {"stats", [&](auto& c) { c.send_stats(stats); }},
      {"search", [&](auto& c) { c.send_search(search); }},
      {"show", [&](auto& c) { c.send_show(show); }},
      {"chain", [&](auto& c) { c.send_chain(chain); }},
      {"gaps", [&](auto& c) { c.send_gaps(gaps); }},
      {"partners", [&](auto& c) { c.send_partners(partners); }},
      {"pairings", [&](auto& c) { c.send_pairings(pairings); }},
      {"targets", [&](auto& c) { c.send_targets(targets); }},
      {"relatedness", [&](auto& c) { c.send_relatedness(relatedness); }},
      {"leaders", [&](auto& c) { c.send_leaders(leaders); }},
      {"clusters", [&](auto& c) { c.send_clusters(clusters); }},
      {"indicators", [&](auto& c) { c.send_indicators(indicators); }},
      {"reload", [](auto& c) { c.send_reload("not-the-token"); }},
  };
  for (const auto& [name, send] : calls) {
    for (int json = 0; json <= 1; ++json) {
      auto buffer = std::make_shared<at::transport::TMemoryBuffer>();
      std::shared_ptr<at::protocol::TProtocol> protocol;
      if (json) {
        protocol = std::make_shared<at::protocol::TJSONProtocol>(buffer);
      } else {
        protocol = std::make_shared<at::protocol::TBinaryProtocol>(
            std::make_shared<at::transport::TFramedTransport>(buffer));
      }
      rpc::ChainAtlasClient client(protocol);
      send(client);
      std::ofstream out(out_dir / (name + (json ? ".json" : ".bin")), std::ios::binary);
      out << static_cast<char>(json) << buffer->getBufferAsString();
    }
  }
  return 0;
}
