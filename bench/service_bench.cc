// chainatlas-service-bench: a closed-loop load generator for the Thrift service. N connections,
// each a thread doing framed binary calls back to back for a fixed time; prints QPS and latency
// percentiles (one JSON line, or a table row with --text).
//
//   chainatlas-service-bench --port P --method health|partners [--connections N] [--seconds S]
//                            [--enterprise E0020 | --enterprises N] [--top 100] [--role supplier]
//
// --enterprises N: partners calls cycle through E0001 .. E000N (the default dataset's ids), each
// connection from its own start, so that the answer cache holds N answers, not one.
#include <thrift/TConfiguration.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/transport/TBufferTransports.h>
#include <thrift/transport/TSocket.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "ChainAtlas.h"

namespace rpc = chainatlas::rpc;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  CLI::App app{"closed-loop load generator for chainatlas serve"};
  std::string host = "127.0.0.1", method = "health", enterprise = "E0020", role = "supplier";
  int port = 9090, connections = 1, top = 100, enterprises = 0;
  double seconds = 5, warmup = 1;
  bool text = false;
  app.add_option("--host", host);
  app.add_option("--port", port)->required();
  app.add_option("--method", method)->check(CLI::IsMember({"health", "partners"}));
  app.add_option("--connections", connections)->check(CLI::Range(1, 4096));
  app.add_option("--seconds", seconds, "measured time");
  app.add_option("--warmup", warmup, "seconds of calls before measuring");
  app.add_option("--enterprise", enterprise);
  app.add_option("--enterprises", enterprises, "cycle through E0001 .. E000N")
      ->check(CLI::Range(0, 9999));
  app.add_option("--top", top);
  app.add_option("--role", role);
  app.add_flag("--text", text, "a Markdown table row instead of JSON");
  CLI11_PARSE(app, argc, argv);

  rpc::PartnersRequest request;
  request.enterprise = enterprise;
  request.__set_role(role);
  rpc::RecOptions options;
  options.__set_top(top);
  request.__set_options(options);

  std::atomic<bool> measuring{false}, stop{false};
  std::atomic<int> failures{0};
  std::vector<std::vector<double>> latencies(connections);
  std::vector<std::thread> threads;
  for (int i = 0; i < connections; ++i) {
    threads.emplace_back([&, i] {
      auto config = std::make_shared<apache::thrift::TConfiguration>(64 << 20, 64 << 20);
      auto socket = std::make_shared<apache::thrift::transport::TSocket>(host, port, config);
      socket->setNoDelay(true);
      auto transport = std::make_shared<apache::thrift::transport::TFramedTransport>(socket,
                                                                                     config);
      rpc::ChainAtlasClient client(
          std::make_shared<apache::thrift::protocol::TBinaryProtocol>(transport));
      try {
        transport->open();
      } catch (const std::exception& e) {
        std::cerr << "connection " << i << ": " << e.what() << "\n";
        ++failures;
        return;
      }
      auto& mine = latencies[i];
      mine.reserve(1 << 20);
      rpc::HealthResponse health;
      rpc::PartnersResponse partners;
      rpc::PartnersRequest mine_request = request;
      int next = enterprises > 0 ? (i * 37) % enterprises : 0;
      while (!stop.load(std::memory_order_relaxed)) {
        if (enterprises > 0) {
          char id[16];
          std::snprintf(id, sizeof id, "E%04d", next + 1);
          mine_request.enterprise = id;
          next = (next + 1) % enterprises;
        }
        auto t0 = Clock::now();
        try {
          if (method == "health") {
            client.health(health);
          } else {
            client.partners(partners, mine_request);
          }
        } catch (const std::exception& e) {
          std::cerr << "connection " << i << ": " << e.what() << "\n";
          ++failures;
          break;
        }
        if (measuring.load(std::memory_order_relaxed)) {
          mine.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
        }
      }
      transport->close();
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(warmup));
  measuring = true;
  auto start = Clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  measuring = false;
  double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  stop = true;
  for (auto& t : threads) t.join();

  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) {
    return all.empty() ? 0.0 : all[std::min(all.size() - 1, static_cast<size_t>(p * all.size()))];
  };
  double qps = all.size() / elapsed;
  if (text) {
    std::printf("| %s | %d | %.0f | %.0f | %.0f | %.0f | %d |\n", method.c_str(), connections, qps,
                pct(0.50), pct(0.99), pct(0.999), failures.load());
  } else {
    nlohmann::json j = {{"method", method},
                        {"connections", connections},
                        {"calls", all.size()},
                        {"seconds", elapsed},
                        {"qps", qps},
                        {"p50_us", pct(0.50)},
                        {"p99_us", pct(0.99)},
                        {"p999_us", pct(0.999)},
                        {"failures", failures.load()}};
    std::cout << j.dump() << "\n";
  }
  return failures ? 1 : 0;
}
