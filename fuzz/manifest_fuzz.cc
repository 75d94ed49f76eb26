// The bundle manifest (manifest.json: its JSON, format, version, source and file map, the files'
// confinement to the bundle's folder) through ReadBundle/ImportBundle and BundleFingerprint.
//
// Input: the bytes of manifest.json in a copy of tests/fixtures/small (whose CSV files the
// manifest may name). The bundle is imported into a fresh database.
#include <cstdint>

#include "fuzz/fuzz_common.h"
#include "ingest/importer.h"
#include "ingest/store.h"

using namespace chainatlas;

namespace {
std::filesystem::path g_bundle;
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  g_bundle = fuzz::CopyToScratch(std::filesystem::path(FIXTURES_DIR) / "small", "small");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::WriteBytes(g_bundle / "manifest.json", data, size);
  fuzz::ExpectClearErrors([&] {
    fuzz::ScratchDb db;
    ingest::Store store(db.path());
    ingest::ImportReport r = ingest::ImportBundle(store, g_bundle);
    fuzz::CheckProblems(r.problems, "bundle import");
    if (r.accepted != r.problems.empty()) fuzz::Bug("accepted must mean no problems");
    if (r.accepted) store.LoadSnapshot();
  });
  fuzz::ExpectClearErrors([&] { ingest::BundleFingerprint(g_bundle); });
  return 0;
}
