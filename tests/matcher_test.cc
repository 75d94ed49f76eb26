// The chain panorama against a hand-computed answer on the small fixture bundle.
#include <catch2/catch.hpp>
#include <filesystem>

#include "graph/lookup.h"
#include "ingest/importer.h"
#include "matcher/panorama.h"

using namespace chainatlas;

TEST_CASE("panorama of Tonglu's endoscope chain on the small fixture", "[matcher]") {
  auto dir = std::filesystem::temp_directory_path() / "chainatlas_matcher_test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  ingest::Store store(dir / "t.db");
  REQUIRE(ingest::ImportBundle(store, std::string(FIXTURES_DIR) + "/small").accepted);
  auto s = store.LoadSnapshot();
  VertexId tonglu = ResolveEntity(*s, "region:330122");
  VertexId endo = ResolveEntity(*s, "track:endo");
  matcher::Panorama p = matcher::ChainPanorama(*s, tonglu, endo);
  REQUIRE(p.segments.size() == 5);
  auto row = [&](const char* key) {
    VertexId seg = ResolveEntity(*s, std::string("segment:") + key);
    for (const auto& r : p.segments) {
      if (r.segment == seg) return r;
    }
    FAIL("segment missing");
    return p.segments[0];
  };
  // CMOS: made only in Pudong, needed by Tonglu's rigid-scope makers E1 and E5: the gap.
  auto cmos = row("endo.cmos");
  CHECK(cmos.local_producers.empty());
  CHECK(cmos.producers_elsewhere == 1);
  CHECK(cmos.local_buyers.size() == 2);
  // Lenses: E2 and E6 in Tonglu make them.
  CHECK(row("endo.lens").local_producers.size() == 2);
  // Rigid scopes: E1 (park, inside Tonglu) and E5 locally; E4 in Yuecheng elsewhere; H1 demands.
  auto rigid = row("endo.rigid");
  CHECK(rigid.local_producers.size() == 2);
  CHECK(rigid.producers_elsewhere == 1);
  CHECK(rigid.local_hospitals.size() == 1);
  CHECK(row("endo.lens").depth == 2);
  // Demanded locally: lens, cmos (buyers E1, E5), rigid (H1, buyer E1 of dist), dist has no
  // output; made locally: lens, rigid → 2 of 3.
  CHECK(p.covered_share_of_demanded == Approx(2.0 / 3.0));
  std::filesystem::remove_all(dir);
}
