#include "ingest/default_db.h"

#include <unistd.h>

#include "graph/error.h"
#include "ingest/bundle.h"
#include "ingest/importer.h"
#include "ingest/store.h"

namespace chainatlas::ingest {
namespace {
constexpr const char* kFingerprintKey = "default_dataset_fingerprint";
}

std::filesystem::path EnsureDefaultDatabase(const std::filesystem::path& data_dir,
                                            const std::filesystem::path& db_path) {
  const std::string want = BundleFingerprint(data_dir);
  if (std::filesystem::exists(db_path)) {
    try {
      Store store(db_path, /*read_only=*/true);
      if (store.Meta(kFingerprintKey) == want) return db_path;
    } catch (const Error&) {
      // An old schema or a damaged file: rebuild it below.
    }
  }
  std::filesystem::create_directories(db_path.parent_path().empty() ? "." : db_path.parent_path());
  std::filesystem::path tmp = db_path;
  tmp += ".tmp." + std::to_string(::getpid());
  std::filesystem::remove(tmp);
  {
    Store store(tmp);
    ImportReport report = ImportBundle(store, data_dir);
    if (!report.accepted) {
      std::string problems;
      for (const Problem& p : report.problems) problems.append("\n").append(p.ToString());
      std::filesystem::remove(tmp);
      throw Error(ErrorCode::kInvalidData, Msg("db.default_rejected", {{"path", data_dir.string()},
                                                                       {"problems", problems}}));
    }
    store.SetMeta(kFingerprintKey, want);
  }
  std::filesystem::rename(tmp, db_path);
  return db_path;
}

}  // namespace chainatlas::ingest
