// Importing a bundle into the store, all or nothing.
//
// 1. ReadBundle checks every row on its own (columns, types, ranges, vocabularies, USCC).
// 2. The bundle is checked against itself and the database: references resolve to entities of
//    the right kind, region parents sit one level up, segments stay within their track without
//    cycles, no self-loops, no repeated relation keys, no organisation id taken over from another
//    source under a different name.
// 3. Only when no row is bad is anything written, in one transaction. Rows are upserted by key,
//    so re-importing a bundle changes nothing. An enterprise new to the database is merged into an
//    existing one from another source by USCC, else by normalised name within a region (same
//    region, or one containing the other); more than one candidate is reported as an ambiguous
//    merge and the enterprise is kept apart. A merged row only fills fields the existing one
//    lacks.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "ingest/bundle.h"
#include "ingest/store.h"

namespace chainatlas::ingest {

struct ImportOptions {
  // Called now and then with a stage name and progress within it (for a terminal display).
  std::function<void(std::string_view stage, uint64_t done, uint64_t total)> progress;
};

struct MergeNote {
  std::string file;
  uint32_t line = 0;
  std::string key;          // the bundle's id
  std::string merged_into;  // "enterprise:<key>" of the existing node
  std::string matched_by;   // "uscc", "name" or "id"
};

struct AmbiguousMerge {
  std::string file;
  uint32_t line = 0;
  std::string key;
  std::vector<std::string> candidates;  // "enterprise:<key> <name> (<region>)"
};

struct ImportReport {
  bool accepted = false;
  int64_t import_id = 0;
  std::string source;
  std::string fingerprint;
  std::vector<BundleFile> files;
  std::vector<Problem> problems;  // non-empty exactly when rejected
  std::vector<MergeNote> merges;
  std::vector<AmbiguousMerge> ambiguous;
  int64_t nodes_inserted = 0, nodes_updated = 0, nodes_unchanged = 0;
  int64_t edges_inserted = 0, edges_updated = 0, edges_unchanged = 0;
  uint64_t relation_rows = 0;
  double seconds = 0;
};

// Imports the bundle at `path` into `store`. A rejected import returns accepted = false with
// every problem found and leaves the database exactly as it was. Throws Error(kIo) when files or
// the database cannot be read or written (the transaction is rolled back).
ImportReport ImportBundle(Store& store, const std::filesystem::path& path,
                          const ImportOptions& options = {});

// Imports records already read into memory (by a reader of another format, e.g. ckg.h), with the
// same checks, merges and all-or-nothing write as ImportBundle. `bundle.dir` and `bundle.files`
// name the source files so problems read `file:line: reason`; `problems` holds what the reader
// already found (any problem rejects the import). bundle.manifest_ok must be true.
ImportReport ImportRecords(Store& store, Bundle bundle, std::vector<Problem> problems,
                           const ImportOptions& options = {});

}  // namespace chainatlas::ingest
