// The embedded default database: built from the default dataset (an import bundle, data/) on
// first use and rebuilt whenever the dataset's content changes.
#pragma once

#include <filesystem>

namespace chainatlas::ingest {

// Returns db_path after making sure it holds exactly the bundle at data_dir: when the database is
// missing or was built from other content, it is rebuilt into a temporary file beside it and
// renamed into place, so concurrent callers never see a half-built database. Throws Error when
// the bundle is rejected or files cannot be written.
std::filesystem::path EnsureDefaultDatabase(const std::filesystem::path& data_dir,
                                            const std::filesystem::path& db_path);

}  // namespace chainatlas::ingest
