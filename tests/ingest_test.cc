// CSV reading, text rules and every validation rule of the bundle reader, each with a bad-input
// fixture made by changing one file of the small fixture bundle.
#include <sys/stat.h>

#include <random>

#include <catch2/catch.hpp>

#include "graph/error.h"
#include "ingest/bundle.h"
#include "ingest/csv_reader.h"
#include "ingest/text.h"
#include "test_util.h"

using namespace chainatlas;
using namespace chainatlas::ingest;
using chainatlas::testing::CopyFixture;
using chainatlas::testing::HasProblem;
using chainatlas::testing::ReadText;
using chainatlas::testing::TempDir;
using chainatlas::testing::WriteText;

namespace {

// A record with its fields copied out (CsvRecord's are views valid during the call only).
struct OwnedRecord {
  uint32_t line = 0;
  std::vector<std::string> fields;
  bool operator==(const OwnedRecord& o) const { return line == o.line && fields == o.fields; }
};

std::vector<OwnedRecord> ReadAll(const std::filesystem::path& p, std::string* error = nullptr,
                                 uint32_t* error_line = nullptr, bool libcsv_only = false) {
  std::vector<OwnedRecord> out;
  uint32_t line = 0;
  auto keep = [&](const CsvRecord& r) {
    out.push_back({r.line, std::vector<std::string>(r.fields.begin(), r.fields.end())});
  };
  std::string e = libcsv_only ? ReadCsvLibcsv(p, keep, &line) : ReadCsv(p, keep, &line);
  if (error) *error = e;
  if (error_line) *error_line = line;
  return out;
}

// Reads the small fixture with `file` replaced by `content` (or with `extra` appended), and
// returns the problems as "file:line: reason" with the folder stripped.
std::vector<std::string> ProblemsWith(const std::string& file, const std::string& content,
                                      bool append = false) {
  TempDir dir;
  auto bundle = CopyFixture("small", dir);
  WriteText(bundle / file, append ? ReadText(bundle / file) + content : content);
  std::vector<Problem> problems;
  ReadBundle(bundle, problems);
  return chainatlas::testing::ShortProblems(problems);
}

#define CHECK_PROBLEM(problems, prefix, words)           \
  do {                                                   \
    auto ps_ = (problems);                               \
    INFO("problems: " << Catch::Detail::stringify(ps_)); \
    CHECK(HasProblem(ps_, prefix, words));               \
  } while (0)

}  // namespace

TEST_CASE("CSV: quoted newlines keep the starting line, BOM and CRLF are handled", "[csv]") {
  TempDir dir;
  WriteText(dir / "a.csv",
            "\xEF\xBB\xBF"
            "id,name\r\nA,\"two\r\nlines\"\r\n\r\nB,\"say \"\"hi\"\"\"\r\nC,plain");
  auto rows = ReadAll(dir / "a.csv");
  REQUIRE(rows.size() == 4);
  CHECK(rows[0].fields == std::vector<std::string>{"id", "name"});
  CHECK(rows[1].line == 2);
  CHECK(rows[1].fields[1] == "two\r\nlines");
  CHECK(rows[2].line == 5);
  CHECK(rows[2].fields[1] == "say \"hi\"");
  CHECK(rows[3].line == 6);
  CHECK(rows[3].fields == std::vector<std::string>{"C", "plain"});
}

TEST_CASE("CSV: a stray or unterminated quote is reported with its line", "[csv]") {
  TempDir dir;
  WriteText(dir / "a.csv", "id,name\nA,ok\nB,\"open\nC,x\n");
  std::string error;
  uint32_t line = 0;
  auto rows = ReadAll(dir / "a.csv", &error, &line);
  CHECK(error.find("malformed CSV") != std::string::npos);
  CHECK(line == 3);
  WriteText(dir / "b.csv", "id,name\nA,ok\nB,x\"y\"z\n");
  ReadAll(dir / "b.csv", &error, &line);
  CHECK(error.find("malformed CSV") != std::string::npos);
  CHECK(line == 3);
}

TEST_CASE("CSV: lines split in place read as libcsv reads them (random texts)", "[csv]") {
  // Texts from an alphabet rich in what matters (commas, quotes, spaces, tabs, CR, LF, a BOM,
  // multibyte UTF-8): every record, line and error as the libcsv-only reader gives them.
  TempDir dir;
  const std::vector<std::string> pieces = {"a",  "bc", ",",  ",",  "\"",   "\"\"",         " ",
                                           "\t", "\r", "\n", "\n", "\r\n", "\xE7\xA4\xBA", "x y"};
  std::mt19937 rng(20261128);
  size_t with_errors = 0, records = 0;
  for (int trial = 0; trial < 4000; ++trial) {
    std::string text = trial % 7 == 0 ? "\xEF\xBB\xBF" : "";
    const size_t n = rng() % 40;
    for (size_t i = 0; i < n; ++i) {
      // Mostly plain lines, with a quote now and then.
      size_t k = rng() % pieces.size();
      if ((k == 4 || k == 5) && rng() % 3 != 0) k = 0;
      text += pieces[k];
    }
    WriteText(dir / "r.csv", text);
    std::string e1, e2;
    uint32_t l1 = 0, l2 = 0;
    auto fast = ReadAll(dir / "r.csv", &e1, &l1);
    auto ref = ReadAll(dir / "r.csv", &e2, &l2, /*libcsv_only=*/true);
    INFO("text: " << Catch::Detail::stringify(text));
    REQUIRE(fast == ref);
    REQUIRE(e1 == e2);
    if (!e1.empty()) {
      REQUIRE(l1 == l2);
      ++with_errors;
    }
    records += ref.size();
  }
  // The alphabet reaches both outcomes.
  CHECK(with_errors > 100);
  CHECK(records > 5000);
}

TEST_CASE("CSV: plain lines keep libcsv's trimming, blank lines and line numbers", "[csv]") {
  TempDir dir;
  WriteText(dir / "a.csv", "id , name\n\n  \t\n A\t,\tb c \r\n,\n\"q\",x\nlast, ");
  auto rows = ReadAll(dir / "a.csv");
  REQUIRE(rows == ReadAll(dir / "a.csv", nullptr, nullptr, true));
  REQUIRE(rows.size() == 5);
  CHECK(rows[0].fields == std::vector<std::string>{"id", "name"});
  CHECK(rows[1].line == 4);
  CHECK(rows[1].fields == std::vector<std::string>{"A", "b c"});
  CHECK(rows[2].fields == std::vector<std::string>{"", ""});
  CHECK(rows[3].fields == std::vector<std::string>{"q", "x"});
  CHECK(rows[4].line == 7);
  CHECK(rows[4].fields == std::vector<std::string>{"last", ""});
}

TEST_CASE("UTF-8 validation", "[text]") {
  CHECK(IsValidUtf8("桐庐 abc"));
  CHECK_FALSE(IsValidUtf8("\xC3"));
  CHECK_FALSE(IsValidUtf8("\xC0\xAF"));      // overlong
  CHECK_FALSE(IsValidUtf8("\xED\xA0\x80"));  // surrogate
  CHECK_FALSE(IsValidUtf8("\xFF"));
}

TEST_CASE("USCC check character (GB 32100-2015)", "[text]") {
  // Worked by hand: weights 1,3,9,27,19,26,16,17,20,29,25,13,8,24,10,30,28; check = 31 - sum%31.
  CHECK(UsccCheckCharacter("91330122MA2AB0001") == 'N');
  CHECK(UsccProblem("91330122MA2AB0001N").empty());
  CHECK(UsccProblem("91330122MA2AB0001P").find("check character") != std::string::npos);
  CHECK(UsccProblem("91330122MA2AB0001").find("18 characters") != std::string::npos);
  CHECK(UsccProblem("91330122MA2AB0O01N").find("not allowed") != std::string::npos);
  // A published example code (the standard's annex style): 91350100M000100Y43.
  CHECK(UsccProblem("91350100M000100Y43").empty());
}

TEST_CASE("name normalisation for merging", "[text]") {
  CHECK(NormaliseName("杭州示例光学有限公司") == "杭州示例光学");
  CHECK(NormaliseName("杭州示例光学股份有限公司") == "杭州示例光学");
  CHECK(NormaliseName("杭州示例光学（集团）有限公司") == "杭州示例光学");
  CHECK(NormaliseName("ＡＢＣ　Ｍｅｄｉｃａｌ 有限公司") == "abcmedical");
  CHECK(NormaliseName("ABC Medical Co., Ltd.") == "abcmedical");
  CHECK(NormaliseName("ＢＥＩＪＩＮＧ示例") == "beijing示例");
}

TEST_CASE("the small fixture bundle reads without problems", "[bundle]") {
  std::vector<Problem> problems;
  Bundle b = ReadBundle(std::string(FIXTURES_DIR) + "/small", problems);
  for (const auto& p : problems) UNSCOPED_INFO(p.ToString());
  REQUIRE(problems.empty());
  CHECK(b.source == "test-small");
  CHECK(b.entities.size() == 8 + 1 + 5 + 6 + 2 + 1 + 1);
  // clinical H2 gives two edges (demand and strength), H1 one.
  CHECK(b.relations.size() == 7 + 3 + 2 + 1 + 3 + 1 + 2 + 1);
  CHECK(b.fingerprint.size() == 16);
}

TEST_CASE("manifest rules", "[bundle]") {
  CHECK_PROBLEM(ProblemsWith("manifest.json", "{not json"), "manifest.json", "not valid JSON");
  CHECK_PROBLEM(
      ProblemsWith("manifest.json",
                   R"({"format":"chainatlas-bundle","version":2,"source":"x","files":{}})"),
      "manifest.json", "\"version\" must be 1");
  CHECK_PROBLEM(
      ProblemsWith(
          "manifest.json",
          R"({"format":"chainatlas-bundle","version":1,"source":"x","files":{"people":"p.csv"}})"),
      "manifest.json", "unknown file kind 'people'");
  CHECK_PROBLEM(
      ProblemsWith("manifest.json", R"({"format":"chainatlas-bundle","version":1,"files":{}})"),
      "manifest.json", "\"source\"");
  CHECK_PROBLEM(
      ProblemsWith(
          "manifest.json",
          R"({"format":"chainatlas-bundle","version":1,"source":"x","files":{"tracks":"nope.csv"}})"),
      "nope.csv", "missing");
}

TEST_CASE("file structure rules", "[bundle]") {
  CHECK_PROBLEM(ProblemsWith("tracks.csv", "id,name,colour\nendo,内窥镜,red\n"), "tracks.csv:1",
                "unknown column 'colour'");
  CHECK_PROBLEM(ProblemsWith("tracks.csv", "id,name_en\nendo,Endoscopes\n"), "tracks.csv:1",
                "required column 'name' is missing");
  CHECK_PROBLEM(ProblemsWith("tracks.csv", "id,name,name\nendo,a,b\n"), "tracks.csv:1",
                "appears twice");
  CHECK_PROBLEM(ProblemsWith("tracks.csv", "id,name\nendo,内窥镜,extra\n"), "tracks.csv:2",
                "has 3 fields, header has 2");
  CHECK_PROBLEM(ProblemsWith("tracks.csv", ""), "tracks.csv", "empty file");
  CHECK_PROBLEM(ProblemsWith("tracks.csv", "id,name\nendo,\"unterminated\n"), "tracks.csv:2",
                "malformed CSV");
  CHECK_PROBLEM(ProblemsWith("tracks.csv", "id,name\nendo,bad\xFF\n"), "tracks.csv:2",
                "not valid UTF-8");
  CHECK_PROBLEM(ProblemsWith("tracks.csv", "id,name\n,内窥镜\n"), "tracks.csv:2", "id is required");
  CHECK_PROBLEM(ProblemsWith("tracks.csv", "id,name\na:b,内窥镜\n"), "tracks.csv:2",
                "must not contain ':'");
}

TEST_CASE("value rules", "[bundle]") {
  const std::string ent_header =
      "id,name,region,uscc,founded,above_scale,revenue,employees,tags,class2_certs,class3_certs,"
      "patents,rd_ratio,illustrative,note\n";
  auto ent = [&](const std::string& row) {
    return ProblemsWith("enterprises.csv", ent_header + row + "\n");
  };
  CHECK_PROBLEM(ent("E9,n,330122,91330122MA2AB0001P,,,,,,,,,,,"), "enterprises.csv:2",
                "check character is 'P', should be 'N'");
  CHECK_PROBLEM(ent("E9,n,330122,,1850,,,,,,,,,,"), "enterprises.csv:2",
                "founded 1850 is out of range");
  CHECK_PROBLEM(ent("E9,n,330122,,20x0,,,,,,,,,,"), "enterprises.csv:2", "not a whole number");
  CHECK_PROBLEM(ent("E9,n,330122,,,2,,,,,,,,,"), "enterprises.csv:2", "must be 0 or 1");
  CHECK_PROBLEM(ent("E9,n,330122,,,,-5,,,,,,,,"), "enterprises.csv:2",
                "revenue -5 is out of range");
  CHECK_PROBLEM(ent("E9,n,330122,,,,abc,,,,,,,,"), "enterprises.csv:2", "is not a number");
  CHECK_PROBLEM(ent("E9,n,330122,,,,,-1,,,,,,,"), "enterprises.csv:2", "employees -1");
  CHECK_PROBLEM(ent("E9,n,330122,,,,,,famous,,,,,,"), "enterprises.csv:2", "tag 'famous'");
  CHECK_PROBLEM(ent("E9,n,330122,,,,,,,,,,1.5,,"), "enterprises.csv:2", "rd_ratio 1.5");
  CHECK_PROBLEM(ent("E9,,330122,,,,,,,,,,,,"), "enterprises.csv:2", "name is required");
  CHECK_PROBLEM(ent("E9,n,,,,,,,,,,,,,"), "enterprises.csv:2", "region is required");
  CHECK_PROBLEM(ProblemsWith("segments.csv", "id,track,name,position\ns1,endo,x,sideways\n"),
                "segments.csv:2", "position 'sideways'");
  CHECK_PROBLEM(
      ProblemsWith("segments.csv", "id,track,name,position,parent\ns1,endo,x,upstream,s1\n"),
      "segments.csv:2", "its own parent");
  CHECK_PROBLEM(ProblemsWith("hospitals.csv", "id,name,region,grade\nH9,x,330122,四级\n"),
                "hospitals.csv:2", "grade '四级'");
  CHECK_PROBLEM(ProblemsWith("institutions.csv", "id,name,region,kind\nU9,x,330122,school\n"),
                "institutions.csv:2", "kind 'school'");
  CHECK_PROBLEM(ProblemsWith("platforms.csv", "id,name,region,kind\nP9,x,330122,bank\n"),
                "platforms.csv:2", "kind 'bank'");
  CHECK_PROBLEM(ProblemsWith("produces.csv", "enterprise,segment,share\nE1,endo.lens,0\n"),
                "produces.csv:2", "share 0 is out of range (0, 1]");
  CHECK_PROBLEM(ProblemsWith("produces.csv", "enterprise,segment,share\nE1,endo.lens,1.2\n"),
                "produces.csv:2", "share 1.2 is out of range");
  CHECK_PROBLEM(ProblemsWith("clinical.csv", "hospital,segment,demand,strength\nH1,endo.lens,0,\n"),
                "clinical.csv:2", "both 0 or empty");
  CHECK_PROBLEM(ProblemsWith("cooperates.csv", "from,to\nsegment:endo.lens,E1\n"),
                "cooperates.csv:2", "prefix must be one of");
}

TEST_CASE("region code rules", "[bundle]") {
  auto reg = [&](const std::string& rows) {
    return ProblemsWith("regions.csv", "code,name,level,parent\n330000,浙江省,province,\n" + rows);
  };
  CHECK_PROBLEM(reg("33012,x,county,330000\n"), "regions.csv:3", "six digits");
  CHECK_PROBLEM(reg("330100,x,metropolis,330000\n"), "regions.csv:3", "level 'metropolis'");
  CHECK_PROBLEM(reg("330122,x,county,\n"), "regions.csv:3", "parent is required");
  CHECK_PROBLEM(reg("340100,x,city,330000\n"), "regions.csv:3", "different provinces");
  CHECK_PROBLEM(reg("330122,x,park,330100\n"), "regions.csv:3", "a county code, '-' and a suffix");
  CHECK_PROBLEM(reg("330100,x,province,\n"), "regions.csv:3", "must end in 0000");
}

TEST_CASE("duplicate keys within a bundle, every bad row reported", "[bundle]") {
  auto problems = ProblemsWith("tracks.csv",
                               "id,name\nendo,内窥镜\nivd,体外诊断\nendo,again\nivd,again\n");
  CHECK_PROBLEM(problems, "tracks.csv:4", "duplicate track id 'endo' (first at line 2)");
  CHECK_PROBLEM(problems, "tracks.csv:5", "duplicate track id 'ivd' (first at line 3)");
  CHECK_PROBLEM(
      ProblemsWith("enterprises.csv", "E9,n,330122,91330122MA2AB0001N,,,,,,,,,,,\n", true),
      "enterprises.csv:8", "duplicate uscc '91330122MA2AB0001N' (first at line 2");
  // Bad rows in several files are all reported.
  TempDir dir;
  auto bundle = CopyFixture("small", dir);
  WriteText(bundle / "invests.csv", "investor,investee,share\nE1,E2,2\nE1,E3,-1\n");
  WriteText(bundle / "serves.csv", "platform,segment,weight\nP1,endo.rigid,x\n");
  std::vector<Problem> ps;
  ReadBundle(bundle, ps);
  CHECK(ps.size() == 3);
}

TEST_CASE("display width: wide characters take two columns", "[text]") {
  CHECK(DisplayWidth("") == 0);
  CHECK(DisplayWidth("CMOS") == 4);
  CHECK(DisplayWidth("硬管内窥镜") == 10);
  CHECK(DisplayWidth("4K/3D内窥镜") == 11);
  CHECK(DisplayWidth("（钳、剪）") == 10);  // full-width brackets and the ideographic comma
  CHECK(DisplayWidth("e\xCC\x81") == 1);    // e + combining acute accent
  CHECK(DisplayWidth("\xFF") == 1);         // an invalid byte still takes a column
  CHECK(PadRight("光学", 6) == "光学  ");
  CHECK(PadRight("光学透镜", 6) == "光学透镜 ");  // too wide: one space still
}

TEST_CASE("hostile text: nesting capped before parsing, messages cut and escaped as UTF-8",
          "[text][hostile]") {
  CHECK(JsonNestingProblem(std::string(64, '[') + std::string(64, ']')).empty());
  CHECK(JsonNestingProblem(std::string(65, '[') + std::string(65, ']')) ==
        "JSON nested deeper than 64 levels at column 65");
  CHECK(JsonNestingProblem("{\"a\": \"" + std::string(100, '[') + "\\\"\"}").empty());
  CHECK_FALSE(JsonNestingProblem(std::string(100000, '{')).empty());
  // Cut on a character boundary: 名 is three bytes.
  CHECK(Abbreviated("名名名", 9) == "名名名");
  CHECK(Abbreviated("名名名", 8) == "名名...");
  CHECK(Abbreviated("名名名", 2) == "...");
  CHECK(IsValidUtf8(Abbreviated(std::string(1 << 20, 'x') + "名", (1 << 20) + 1)));
  CHECK(EscapeInvalidUtf8("a\xFF名\xE5\x90") == "a\\xff名\\xe5\\x90");
  CHECK(EscapeInvalidUtf8("名") == "名");
}

TEST_CASE("hostile manifests: nesting, invalid UTF-8, folders, loops", "[bundle][hostile]") {
  CHECK_PROBLEM(ProblemsWith("manifest.json", "{\"files\": " + std::string(100000, '[') +
                                                  std::string(100000, ']') + "}"),
                "manifest.json", "not valid JSON: JSON nested deeper than 64 levels");
  auto bad_utf8 = ProblemsWith(
      "manifest.json",
      "{\"format\":\"chainatlas-bundle\",\"version\":1,\"source\":\"x\xFF\",\"files\":{}}");
  CHECK_PROBLEM(bad_utf8, "manifest.json", "ill-formed UTF-8");
  for (const auto& p : bad_utf8) CHECK(IsValidUtf8(p));
  CHECK_PROBLEM(ProblemsWith("manifest.json", R"({"format":"chainatlas-bundle","version":1,)"
                                              R"("source":"a\u0000b","files":{}})"),
                "manifest.json", "\"source\" contains a control character");
  TempDir dir;
  std::filesystem::create_directories(dir / "bundle" / "manifest.json");
  std::vector<Problem> problems;
  try {
    ReadBundle(dir / "bundle", problems);
    FAIL("a folder in place of manifest.json was read");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kIo);
    CHECK(std::string(e.what()).find("manifest.json: cannot open the bundle manifest: not a "
                                     "regular file") != std::string::npos);
  }
  std::filesystem::create_symlink(dir / "b", dir / "a");
  std::filesystem::create_symlink(dir / "a", dir / "b");
  try {
    ReadBundle(dir / "a", problems);
    FAIL("a symlink loop was read");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kIo);
    CHECK(std::string(e.what()).find("Too many levels of symbolic links") != std::string::npos);
  }
}

TEST_CASE("hostile bundles: files stay inside the bundle's folder, regular files only",
          "[bundle][hostile]") {
  TempDir dir;
  auto bundle = CopyFixture("small", dir);
  WriteText(dir / "outside.csv", ReadText(bundle / "invests.csv"));
  std::filesystem::create_symlink(dir / "outside.csv", bundle / "out.csv");
  std::filesystem::create_symlink(bundle / "serves.csv", bundle / "in.csv");
  std::filesystem::create_directories(bundle / "sub");
  REQUIRE(mkfifo((bundle / "fifo.csv").c_str(), 0600) == 0);
  std::string manifest = ReadText(bundle / "manifest.json");
  auto with = [&](const std::string& from, const std::string& to) {
    std::string m = manifest;
    m.replace(m.find(from), from.size(), to);
    WriteText(bundle / "manifest.json", m);
    std::vector<Problem> problems;
    ReadBundle(bundle, problems);
    return chainatlas::testing::ShortProblems(problems);
  };
  CHECK_PROBLEM(with("\"trades_with.csv\"", "\"../../../../etc/shadow\""), "shadow",
                "as 'trades_with' but must not contain '..'");
  CHECK_PROBLEM(with("\"trades_with.csv\"", "\"sub/../trades_with.csv\""), "trades_with.csv",
                "must not contain '..'");
  CHECK_PROBLEM(with("\"invests.csv\"", "\"/dev/zero\""), "zero",
                "must be a path relative to the bundle's folder");
  CHECK_PROBLEM(with("\"invests.csv\"", "\"fifo.csv\""), "fifo.csv", "is not a regular file");
  CHECK_PROBLEM(with("\"invests.csv\"", "\"sub\""), "sub", "is not a regular file");
  CHECK_PROBLEM(with("\"invests.csv\"", "\"out.csv\""), "out.csv", "outside the bundle's folder");
  // A symlink that resolves inside is fine.
  CHECK(with("\"serves.csv\"", "\"in.csv\"").empty());
  // The fingerprint never reads what the rules refuse (a FIFO would block it).
  WriteText(bundle / "manifest.json",
            manifest.replace(manifest.find("\"invests.csv\""), 13, "\"fifo.csv\""));
  CHECK_FALSE(BundleFingerprint(bundle).empty());
}

TEST_CASE("hostile rows: control characters, tiny weights, long multibyte ids",
          "[bundle][hostile]") {
  const std::string platforms = "id,name,region,kind,accreditations,illustrative,note\n";
  auto plat = [&](const std::string& row) {
    return ProblemsWith("platforms.csv", platforms + row + "\n");
  };
  CHECK_PROBLEM(plat("P9,a" + std::string(1, '\0') + "b,330122,testing,,1,"), "platforms.csv:2",
                "column 'name' contains a control character (\\x00)");
  CHECK_PROBLEM(plat("P9,\"a\tb\",330122,testing,,1,"), "platforms.csv:2",
                "column 'name' contains a control character (\\x09)");
  CHECK_PROBLEM(plat("P9\x1b,n,330122,testing,,1,"), "platforms.csv:2",
                "column 'id' contains a control character (\\x1b)");
  CHECK(plat("P9,n,330122,testing,,1,\"line one\nline two\"").empty());  // a note may break
  CHECK_PROBLEM(plat("P9,n,330122,testing,,1,a" + std::string(1, '\0')), "platforms.csv:2",
                "column 'note' contains a control character (\\x00)");
  CHECK_PROBLEM(ProblemsWith("produces.csv", "E1,endo.lens,1e-50\n", true),
                "produces.csv:", "share 1e-50 is below the smallest weight");
  CHECK_PROBLEM(ProblemsWith("clinical.csv", "H1,endo.dist,,1e-45,\n", true),
                "clinical.csv:", "demand 1e-45 is below the smallest weight");
  CHECK(ProblemsWith("produces.csv", "E1,endo.lens,1.2e-38\n", true).empty());
  CHECK_PROBLEM(ProblemsWith("produces.csv", "E1,endo.lens,1e309\n", true),
                "produces.csv:", "share 1e309 is out of range");
  // A long id of three-byte characters: the message quotes a prefix cut between characters.
  std::string id;
  for (int i = 0; i < 100000; ++i) id += "名";
  auto problems = plat(id + ",n,330122,testing,,1,");
  CHECK_PROBLEM(problems, "platforms.csv:2", "is longer than 128 bytes");
  for (const auto& p : problems) CHECK(IsValidUtf8(p));
}
