// One CSV file of an import bundle through the real reader, its row checks and the importer's
// cross-file checks (ingest/csv_reader.h, ingest/bundle.h, ingest/importer.h).
//
// Input: the first byte picks the file kind, modulo 15, in the order of BundleFileKinds() among
// the 15 files of tests/fixtures/small (regions, tracks, segments, enterprises, hospitals,
// institutions, platforms, produces, supplies, trades_with, researches, clinical, serves,
// cooperates, invests); the rest replaces that file in a copy of the bundle. The bundle is
// imported into a fresh database; an accepted import is loaded into a snapshot as well.
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz/fuzz_common.h"
#include "ingest/importer.h"
#include "ingest/store.h"

using namespace chainatlas;

namespace {
std::filesystem::path g_bundle;
std::vector<std::string> g_kinds;     // the file kinds of the fixture bundle
std::vector<std::string> g_original;  // their text
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  g_bundle = fuzz::CopyToScratch(std::filesystem::path(FIXTURES_DIR) / "small", "small");
  for (const std::string& kind : ingest::BundleFileKinds()) {
    if (!std::filesystem::exists(g_bundle / (kind + ".csv"))) continue;
    g_kinds.push_back(kind);
    g_original.push_back(fuzz::ReadBytes(g_bundle / (kind + ".csv")));
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t k = data[0] % g_kinds.size();
  const std::filesystem::path file = g_bundle / (g_kinds[k] + ".csv");
  fuzz::WriteBytes(file, data + 1, size - 1);
  fuzz::ExpectClearErrors([&] {
    fuzz::ScratchDb db;
    ingest::Store store(db.path());
    ingest::ImportReport r = ingest::ImportBundle(store, g_bundle);
    fuzz::CheckProblems(r.problems, "bundle import");
    if (r.accepted != r.problems.empty()) fuzz::Bug("accepted must mean no problems");
    if (r.accepted) store.LoadSnapshot();
  });
  fuzz::WriteBytes(file, reinterpret_cast<const uint8_t*>(g_original[k].data()),
                   g_original[k].size());
  return 0;
}
