#include "server/export.h"

#include <csv.h>
#include <xlsxwriter.h>

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "graph/error.h"
#include "matcher/gaps.h"
#include "server/report.h"

namespace chainatlas::report {
namespace {

using json = nlohmann::json;

std::string Zh(const std::map<std::string, std::string>& names, const std::string& code) {
  auto it = names.find(code);
  return it == names.end() ? code : it->second;
}

const std::map<std::string, std::string> kPosition = {
    {"upstream", "上游"}, {"midstream", "中游"}, {"downstream", "下游"}};
const std::map<std::string, std::string> kKind = {{"enterprise", "企业"},
                                                  {"institution", "高校院所"},
                                                  {"hospital", "医院"},
                                                  {"platform", "平台"}};

std::string Label(const std::string& zh, const std::string& en) { return zh + " (" + en + ")"; }

Cell Text(const json& j, const char* key) {
  if (!j.contains(key) || j[key].is_null()) return {};
  if (j[key].is_string()) return j[key].get<std::string>();
  if (j[key].is_number()) return j[key].get<double>();
  if (j[key].is_boolean()) return std::string(j[key].get<bool>() ? "是" : "否");
  return j[key].dump();
}
Cell Number(const json& j, const char* key) {
  if (!j.contains(key) || !j[key].is_number()) return {};
  return j[key].get<double>();
}
Cell NameOf(const json& j, const char* key) {
  if (!j.contains(key) || !j[key].is_object()) return {};
  return Text(j[key], "name");
}
std::string Joined(const json& list, const char* sep = "；") {
  std::string out;
  if (!list.is_array()) return out;
  for (const auto& x : list) {
    std::string s = x.is_string()                         ? x.get<std::string>()
                    : x.is_object() && x.contains("name") ? x["name"].get<std::string>()
                                                          : x.dump();
    out += (out.empty() ? "" : sep) + s;
  }
  return out;
}
Cell Count(const json& j, const char* key) {
  if (!j.contains(key)) return {};
  if (j[key].is_array()) return static_cast<double>(j[key].size());
  if (j[key].is_number()) return j[key].get<double>();
  return {};
}

// The component names of the first item, in order: a column each (points).
std::vector<std::string> ComponentNames(const json& items) {
  std::vector<std::string> out;
  if (!items.is_array() || items.empty()) return out;
  for (const auto& c : items[0].value("components", json::array())) out.push_back(c["name"]);
  return out;
}
void AddComponents(std::vector<Cell>& row, const json& item,
                   const std::vector<std::string>& names) {
  for (const auto& name : names) {
    Cell v;
    for (const auto& c : item.value("components", json::array())) {
      if (c["name"] == name) v = c["points"].get<double>();
    }
    row.push_back(v);
  }
}

Table Segments(const json& doc, const std::string& title) {
  Table t;
  t.title = title;
  const json& segs = doc.value("segments", json::array());
  std::vector<std::string> comps = ComponentNames(segs);
  t.columns = {Label("环节", "segment"),
               Label("编号", "id"),
               Label("链位", "position"),
               Label("状态", "status"),
               Label("优先级评分", "score"),
               Label("本地企业数", "local producers"),
               Label("外地企业数", "producers elsewhere"),
               Label("本地需求企业数", "local buyers"),
               Label("本地医院数", "local hospitals"),
               Label("区位商", "location quotient"),
               Label("关联密度", "density")};
  for (const auto& c : comps) t.columns.push_back(Label(ComponentNameZh(c), c));
  t.columns.push_back(Label("依据", "why"));
  for (const auto& s : segs) {
    std::vector<Cell> row = {Text(s, "name"),
                             Text(s, "id"),
                             Zh(kPosition, s.value("position", "")),
                             std::string(matcher::SegmentStatusNameZh(
                                 matcher::ParseSegmentStatus(s.value("status", "absent")))),
                             Number(s, "score"),
                             Count(s, "local_producers"),
                             Count(s, "producers_elsewhere"),
                             Count(s, "local_buyers"),
                             Count(s, "local_hospitals"),
                             Number(s, "location_quotient"),
                             Number(s, "density")};
    AddComponents(row, s, comps);
    row.push_back(Joined(s.value("why", json::array())));
    t.rows.push_back(std::move(row));
  }
  return t;
}

Table Items(const json& doc, const std::string& title, bool evidence) {
  Table t;
  t.title = title;
  const json& items = doc.value("items", json::array());
  std::vector<std::string> comps = ComponentNames(items);
  t.columns = {Label("排名", "rank"), Label("名称", "name"),   Label("编号", "id"),
               Label("类型", "kind"), Label("地区", "region"), Label("总分", "score")};
  for (const auto& c : comps) t.columns.push_back(Label(ComponentNameZh(c), c));
  if (evidence) {
    t.columns.push_back(Label("证据类型", "evidence"));
    t.columns.push_back(Label("证据规则", "rule"));
  }
  t.columns.push_back(Label("已有合作", "known"));
  t.columns.push_back(Label("路径", "path"));
  t.columns.push_back(Label("依据", "why"));
  for (const auto& it : items) {
    std::vector<Cell> row = {Number(it, "rank"),   Text(it, "name"),
                             Text(it, "id"),       Zh(kKind, it.value("kind", "")),
                             NameOf(it, "region"), Number(it, "score")};
    AddComponents(row, it, comps);
    if (evidence) {
      const json ev = it.value("evidence", json::object());
      row.push_back(Text(ev, "kind"));
      row.push_back(Text(ev, "rule"));
    }
    row.push_back(std::string(it.value("known", false) ? "是" : "否"));
    const json& paths = it.value("paths", json::array());
    row.push_back(paths.empty() ? Cell{} : Cell{paths[0].get<std::string>()});
    row.push_back(Joined(it.value("why", json::array())));
    t.rows.push_back(std::move(row));
  }
  return t;
}

Table Indicators(const json& doc) {
  Table t;
  t.title = "规划指标 indicators";
  t.columns = {Label("指标", "indicator"), Label("说明", "description"), Label("现值", "value"),
               Label("目标", "target"), Label("完成度", "progress")};
  for (const auto& i : doc.value("indicators", json::array())) {
    t.rows.push_back({Text(i, "name"), Text(i, "description"), Number(i, "value"),
                      Number(i, "target"), Number(i, "progress")});
  }
  return t;
}

Table Relatedness(const json& doc) {
  Table t;
  t.title = "产业关联 relatedness";
  t.columns = {Label("地区", "region"),     Label("地区编号", "region id"),
               Label("环节", "segment"),    Label("环节编号", "segment id"),
               Label("企业数", "activity"), Label("显示性比较优势", "RCA"),
               Label("具备", "M"),          Label("关联密度", "density"),
               Label("距离", "distance"),   Label("机会收益", "opportunity gain")};
  for (const auto& r : doc.value("regions", json::array())) {
    for (const auto& c : r.value("cells", json::array())) {
      t.rows.push_back({Text(r, "name"), Text(r, "id"), NameOf(c, "segment"),
                        c.contains("segment") ? Text(c["segment"], "id") : Cell{},
                        Number(c, "activity"), Number(c, "rca"), Number(c, "m"),
                        Number(c, "density"), Number(c, "distance"),
                        Number(c, "opportunity_gain")});
    }
  }
  return t;
}

std::string CellText(const Cell& c) {
  if (std::holds_alternative<std::string>(c)) return std::get<std::string>(c);
  if (std::holds_alternative<double>(c)) {
    json j = std::get<double>(c);
    return j.dump();
  }
  return "";
}

void WriteCsv(const Table& table, const std::vector<std::string>& provenance,
              const std::filesystem::path& file, const std::string& shown) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  if (!out) throw Error(ErrorCode::kIo, Msg("export.cannot_create", {{"path", shown}}));
  auto line = [&](const std::vector<std::string>& cells) {
    std::string text;
    for (size_t i = 0; i < cells.size(); ++i) {
      std::string quoted(cells[i].size() * 2 + 2, '\0');
      quoted.resize(csv_write(quoted.data(), quoted.size(), cells[i].data(), cells[i].size()));
      text += (i ? "," : "") + quoted;
    }
    out << text << "\r\n";
  };
  out << "\xEF\xBB\xBF";  // UTF-8 byte-order mark: Excel then reads the Chinese right
  for (const auto& p : provenance) line({"# " + p});
  line(table.columns);
  for (const auto& row : table.rows) {
    std::vector<std::string> cells;
    for (const auto& c : row) cells.push_back(CellText(c));
    line(cells);
  }
  out.flush();
  if (!out) throw Error(ErrorCode::kIo, Msg("export.cannot_write", {{"path", shown}}));
}

void WriteXlsx(const Table& table, const std::vector<std::string>& provenance,
               const std::filesystem::path& file, const std::string& shown) {
  lxw_workbook* book = workbook_new(file.c_str());
  if (!book) throw Error(ErrorCode::kIo, Msg("export.cannot_create_book", {{"path", shown}}));
  // Sheet names: at most 31 characters, none of []:*?/\ .
  std::string sheet_name = table.title.substr(0, 31);
  lxw_worksheet* sheet = workbook_add_worksheet(book, sheet_name.c_str());
  if (!sheet) sheet = workbook_add_worksheet(book, nullptr);
  lxw_format* bold = workbook_add_format(book);
  format_set_bold(bold);
  lxw_format* note = workbook_add_format(book);
  format_set_italic(note);
  lxw_row_t r = 0;
  for (const auto& p : provenance) worksheet_write_string(sheet, r++, 0, p.c_str(), note);
  if (!provenance.empty()) ++r;
  const lxw_row_t header = r;
  for (size_t c = 0; c < table.columns.size(); ++c) {
    worksheet_write_string(sheet, r, static_cast<lxw_col_t>(c), table.columns[c].c_str(), bold);
  }
  ++r;
  for (const auto& row : table.rows) {
    for (size_t c = 0; c < row.size(); ++c) {
      const Cell& cell = row[c];
      if (std::holds_alternative<double>(cell)) {
        worksheet_write_number(sheet, r, static_cast<lxw_col_t>(c), std::get<double>(cell),
                               nullptr);
      } else if (std::holds_alternative<std::string>(cell)) {
        // A cell holds at most 32,767 characters.
        std::string s = std::get<std::string>(cell).substr(0, 32000);
        worksheet_write_string(sheet, r, static_cast<lxw_col_t>(c), s.c_str(), nullptr);
      }
    }
    ++r;
  }
  worksheet_freeze_panes(sheet, header + 1, 0);
  if (!table.columns.empty()) {
    worksheet_set_column(sheet, 0, static_cast<lxw_col_t>(table.columns.size() - 1), 16, nullptr);
    worksheet_autofilter(sheet, header, 0, r > header + 1 ? r - 1 : header,
                         static_cast<lxw_col_t>(table.columns.size() - 1));
  }
  lxw_error e = workbook_close(book);
  if (e != LXW_NO_ERROR) {
    std::error_code ec;
    std::filesystem::remove(file, ec);
    throw Error(ErrorCode::kIo,
                Msg("export.cannot_write_book", {{"path", shown}, {"detail", lxw_strerror(e)}}));
  }
}

}  // namespace

bool Exportable(const std::string& command) {
  static const std::set<std::string> commands = {
      "gaps", "chain", "targets", "partners", "pairings", "leaders", "indicators", "relatedness"};
  return commands.count(command) != 0;
}

Table TableOf(const std::string& command, const json& doc) {
  if (command == "gaps") return Segments(doc, "缺链弱链 gaps");
  if (command == "chain") return Segments(doc, "产业链全景 chain");
  if (command == "targets") return Items(doc, "招商目标 targets", false);
  if (command == "partners") return Items(doc, "供应链伙伴 partners", true);
  if (command == "pairings") return Items(doc, "产学研医 pairings", false);
  if (command == "leaders") return Items(doc, "链主 leaders", false);
  if (command == "indicators") return Indicators(doc);
  if (command == "relatedness") return Relatedness(doc);
  throw Error(ErrorCode::kInvalidArgument, Msg("export.no_table", {{"command", command}}));
}

void WriteTable(const Table& table, const std::vector<std::string>& provenance,
                const std::string& format, const std::filesystem::path& file) {
  if (format != "csv" && format != "xlsx") {
    throw Error(ErrorCode::kInvalidArgument, Msg("export.format", {{"format", format}}));
  }
  std::filesystem::path folder = file.parent_path().empty() ? "." : file.parent_path();
  if (!std::filesystem::is_directory(folder)) {
    throw Error(ErrorCode::kIo,
                Msg("export.no_folder", {{"path", file.string()}, {"folder", folder.string()}}));
  }
  // Written beside the target and renamed over it: a failure leaves no partial file.
  std::filesystem::path part = file;
  part += ".part";
  try {
    if (format == "csv") {
      WriteCsv(table, provenance, part, file.string());
    } else {
      WriteXlsx(table, provenance, part, file.string());
    }
    std::filesystem::rename(part, file);
  } catch (const std::filesystem::filesystem_error& e) {
    std::error_code ec;
    std::filesystem::remove(part, ec);
    throw Error(ErrorCode::kIo, Msg("export.cannot_write_detail",
                                    {{"path", file.string()}, {"detail", e.code().message()}}));
  } catch (...) {
    std::error_code ec;
    std::filesystem::remove(part, ec);
    throw;
  }
}

std::string TableBytes(const Table& table, const std::vector<std::string>& provenance,
                       const std::string& format) {
  // libxlsxwriter 1.1.4 (Debian bookworm) writes workbooks to files only.
  std::string name = (std::filesystem::temp_directory_path() / "chainatlas-table-XXXXXX").string();
  int fd = ::mkstemp(name.data());
  if (fd < 0) throw Error(ErrorCode::kIo, "cannot create a temporary file for the table");
  ::close(fd);
  const std::filesystem::path file = name;
  struct Remove {
    std::filesystem::path file;
    ~Remove() {
      std::error_code ec;
      std::filesystem::remove(file, ec);
    }
  } remove{file};
  WriteTable(table, provenance, format, file);
  std::ifstream in(file, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (!in && !in.eof()) throw Error(ErrorCode::kIo, "cannot read the table back");
  return bytes.str();
}

}  // namespace chainatlas::report
