// The read commands' answers (server/answers.h) as the Thrift IDL's structs
// (server/chainatlas.thrift), filled straight from the matcher's types. The documents of
// report::ToJson carry the same fields (tests/service_test.py compares the two on every method).
#pragma once

#include "chainatlas_types.h"
#include "graph/snapshot.h"
#include "server/answers.h"

namespace chainatlas::service {

void Fill(const Snapshot& s, const engine::StatsAnswer& a, rpc::StatsResponse& out);
void Fill(const Snapshot& s, const engine::SearchAnswer& a, rpc::SearchResponse& out);
void Fill(const Snapshot& s, const engine::ShowAnswer& a, rpc::ShowResponse& out);
void Fill(const Snapshot& s, const engine::ChainAnswer& a, rpc::ChainResponse& out);
void Fill(const Snapshot& s, const engine::PartnersAnswer& a, rpc::PartnersResponse& out);
void Fill(const Snapshot& s, const engine::PairingsAnswer& a, rpc::PairingsResponse& out);
void Fill(const Snapshot& s, const engine::TargetsAnswer& a, rpc::TargetsResponse& out);
void Fill(const Snapshot& s, const engine::LeadersAnswer& a, rpc::LeadersResponse& out);
void Fill(const Snapshot& s, const engine::RecommendAnswer& a, rpc::RecommendResponse& out);
void Fill(const Snapshot& s, const engine::RelatednessAnswer& a, rpc::RelatednessResponse& out);
void Fill(const Snapshot& s, const engine::ClustersAnswer& a, rpc::ClustersResponse& out);
void Fill(const Snapshot& s, const engine::IndicatorsAnswer& a, rpc::IndicatorsResponse& out);

}  // namespace chainatlas::service
