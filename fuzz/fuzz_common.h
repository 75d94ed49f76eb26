// Shared by the fuzz targets: a scratch folder per process, and what counts as a bug.
//
// Bad input must come back as a clear answer: an import report whose problems read
// `file:line: reason`, or an Error (graph/error.h) other than kInternal. Anything else — a crash,
// a sanitizer report, another exception escaping, an internal error, a problem without a reason
// or a message that is not UTF-8 (what the bundle readers' EscapeInvalidUtf8 keeps out of the
// output) — aborts, so libFuzzer records the input.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <vector>

#include <nlohmann/json.hpp>

#include "graph/error.h"
#include "ingest/bundle.h"

// UBSan: every report ends the run (so libFuzzer keeps the input), except those fuzz/ubsan.supp
// suppresses (third-party headers). Each fuzz target is one translation unit including this.
extern "C" const char* __ubsan_default_options() {
  return "halt_on_error=1:print_stacktrace=1:suppressions=" UBSAN_SUPPRESSIONS;
}

namespace chainatlas::fuzz {

[[noreturn]] inline void Bug(const std::string& what) {
  std::fprintf(stderr, "fuzz target: BUG: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

// A fresh folder of this process, in memory (/dev/shm) where there is one, else under the
// temporary folder; removed at exit.
inline const std::filesystem::path& Scratch() {
  static const std::filesystem::path dir = [] {
    std::error_code e;
    const std::filesystem::path base = std::filesystem::is_directory("/dev/shm", e)
                                           ? std::filesystem::path("/dev/shm")
                                           : std::filesystem::temp_directory_path();
    std::string t = (base / "chainatlas_fuzz_XXXXXX").string();
    if (!mkdtemp(t.data())) Bug("cannot create a scratch folder");
    std::atexit([] {
      std::error_code e;
      std::filesystem::remove_all(Scratch(), e);
    });
    return std::filesystem::path(t);
  }();
  return dir;
}

inline void WriteBytes(const std::filesystem::path& p, const uint8_t* data, size_t size) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  if (!out) Bug("cannot write " + p.string());
}

inline std::string ReadBytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Copies a folder of the source tree (a fixture bundle) into the scratch folder.
inline std::filesystem::path CopyToScratch(const std::filesystem::path& from,
                                           const std::string& name) {
  std::filesystem::path to = Scratch() / name;
  std::filesystem::remove_all(to);
  std::filesystem::copy(from, to, std::filesystem::copy_options::recursive);
  return to;
}

// A fresh database in the scratch folder, removed when the object goes away. (Not ":memory:":
// Store::LoadSnapshot opens a second connection by path.)
class ScratchDb {
 public:
  ScratchDb() : path_(Scratch() / "fuzz.db") { Remove(); }
  ~ScratchDb() { Remove(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  void Remove() {
    std::error_code e;
    for (const char* suffix : {"", "-journal", "-wal", "-shm"}) {
      std::filesystem::remove(path_.string() + suffix, e);
    }
  }
  std::filesystem::path path_;
};

// A clear message: non-empty and valid UTF-8 (printable as JSON as it is).
inline void CheckMessage(const std::string& message, const std::string& what) {
  if (message.empty()) Bug(what + ": empty message");
  try {
    (void)nlohmann::json(message).dump();
  } catch (const nlohmann::json::exception& e) {
    Bug(what + ": message not printable as JSON (" + e.what() + ")");
  }
}

inline void CheckProblems(const std::vector<ingest::Problem>& problems, const char* what) {
  for (const ingest::Problem& p : problems) {
    if (p.file.empty()) Bug(std::string(what) + ": a problem without a file: " + p.reason);
    if (p.reason.empty()) Bug(std::string(what) + ": a problem without a reason: " + p.file);
    CheckMessage(p.ToString(), what);
  }
}

// Runs f; an Error other than kInternal is the clear answer to bad input.
template <typename F>
void ExpectClearErrors(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    if (e.code() == ErrorCode::kInternal) Bug(std::string("internal error: ") + e.what());
    CheckMessage(e.what(), "error");
  }
}

}  // namespace chainatlas::fuzz
