// The targets file of `chainatlas indicators --targets` (matcher/indicators.h: ReadTargets), and
// the indicators computed against what it read, on the small fixture bundle's snapshot.
//
// Input: the bytes of the targets file.
#include <cstdint>
#include <memory>

#include "fuzz/fuzz_common.h"
#include "ingest/importer.h"
#include "ingest/store.h"
#include "matcher/indicators.h"

using namespace chainatlas;

namespace {
std::shared_ptr<const Snapshot> g_snapshot;
VertexId g_region = kNoVertex;
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::ScratchDb db;
  ingest::Store store(db.path());
  if (!ingest::ImportBundle(store, std::filesystem::path(FIXTURES_DIR) / "small").accepted) {
    fuzz::Bug("the small fixture bundle does not import");
  }
  g_snapshot = store.LoadSnapshot();
  g_region = g_snapshot->FindKey(NodeKind::kRegion, "330122");
  if (g_region == kNoVertex) fuzz::Bug("region 330122 missing from the small fixture");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::filesystem::path file = fuzz::Scratch() / "targets.csv";
  fuzz::WriteBytes(file, data, size);
  fuzz::ExpectClearErrors([&] {
    std::vector<matcher::Target> targets = matcher::ReadTargets(file);
    for (const auto& t : targets) fuzz::CheckMessage(t.indicator, "indicator name");
    matcher::IndicatorsResult r = matcher::ComputeIndicators(*g_snapshot, g_region, targets);
    for (const auto& i : r.indicators) {
      if (!i.note.empty()) fuzz::CheckMessage(i.note, "note");  // the --json output prints it
    }
  });
  return 0;
}
