// chainatlas-service-bench: a closed-loop load generator for the Thrift service. N connections,
// each a thread doing framed binary calls back to back for a fixed time; prints QPS and latency
// percentiles (one JSON line, or a table row with --text).
//
//   chainatlas-service-bench --port P --method health|partners [--connections N] [--seconds S]
//                            [--enterprise E0020 | --enterprises N] [--top 100] [--role supplier]
//
// --enterprises N: partners calls cycle through E0001 .. E000N (the default dataset's ids), each
// connection from its own start, so that the answer cache holds N answers, not one.
//
// --reply decode (the default) reads each reply into the answer's objects, as an application's
// client does. --reply check reads the reply's frame whole and checks only its header (a reply to
// the call, whose result holds field 0, the success value), as a load generator such as wrk reads
// replies: on a machine where the client shares the server's cores, decoding a 92 KB top-100
// answer (a string and a vector allocated per field) costs the client about ten times the
// server's CPU per call, so that the decoding client, not the server, is what is measured.
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
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "ChainAtlas.h"

namespace rpc = chainatlas::rpc;
using Clock = std::chrono::steady_clock;
using apache::thrift::protocol::TBinaryProtocol;
using apache::thrift::transport::TMemoryBuffer;

namespace {

// Reads one reply frame from the socket into `frame` and checks its header: a reply to `name`
// whose result's first field is field 0 (the success value) rather than a declared exception.
bool CheckedReply(apache::thrift::transport::TSocket& socket, std::vector<uint8_t>& frame,
                  const std::string& name) {
  uint8_t size_bytes[4];
  socket.readAll(size_bytes, 4);
  const uint32_t size = (uint32_t{size_bytes[0]} << 24) | (uint32_t{size_bytes[1]} << 16) |
                        (uint32_t{size_bytes[2]} << 8) | uint32_t{size_bytes[3]};
  if (size > (64u << 20)) throw std::runtime_error("reply frame of " + std::to_string(size));
  frame.resize(size);
  socket.readAll(frame.data(), size);
  auto buffer = std::make_shared<TMemoryBuffer>(frame.data(), size);
  TBinaryProtocol protocol(buffer);
  std::string got, ignored;
  apache::thrift::protocol::TMessageType type;
  apache::thrift::protocol::TType field_type;
  int32_t seqid = 0;
  int16_t field = -1;
  protocol.readMessageBegin(got, type, seqid);
  if (type != apache::thrift::protocol::T_REPLY || got != name) return false;
  protocol.readStructBegin(ignored);
  protocol.readFieldBegin(ignored, field_type, field);
  return field == 0 && field_type == apache::thrift::protocol::T_STRUCT;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"closed-loop load generator for chainatlas serve"};
  std::string host = "127.0.0.1", method = "health", enterprise = "E0020", role = "supplier",
              reply = "decode";
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
  app.add_option("--reply", reply, "decode: into the answer's objects; check: the frame's header")
      ->check(CLI::IsMember({"decode", "check"}));
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
      std::vector<uint8_t> frame;
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
          if (reply == "check") {
            if (method == "health") {
              client.send_health();
            } else {
              client.send_partners(mine_request);
            }
            if (!CheckedReply(*socket, frame, method)) {
              throw std::runtime_error("not a successful reply to " + method);
            }
          } else if (method == "health") {
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
    const std::string label = method + (reply == "check" ? " (reply checked)" : "");
    std::printf("| %s | %d | %.0f | %.0f | %.0f | %.0f | %d |\n", label.c_str(), connections, qps,
                pct(0.50), pct(0.99), pct(0.999), failures.load());
  } else {
    nlohmann::json j = {{"method", method},           {"reply", reply},
                        {"connections", connections}, {"calls", all.size()},
                        {"seconds", elapsed},         {"qps", qps},
                        {"p50_us", pct(0.50)},        {"p99_us", pct(0.99)},
                        {"p999_us", pct(0.999)},      {"failures", failures.load()}};
    std::cout << j.dump() << "\n";
  }
  return failures ? 1 : 0;
}
