#include "diagnosis/case_loaders.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <unordered_map>

#include "common/csv.h"
#include "diagnosis/mini_yaml.h"

namespace cf::diagnosis {

namespace fs = std::filesystem;

namespace {

// Joins the dimension fields of the current record into one key (unit separator between fields).
std::string LeafKey(const CsvReader& csv, const std::vector<int>& dim_cols) {
  std::string key;
  for (int c : dim_cols) {
    key.append(csv.Field(c));
    key.push_back('\x1f');
  }
  return key;
}

std::string ScalarOf(const YamlValue& v, const std::string& where) {
  if (v.kind != YamlValue::Kind::kScalar) {
    throw CaseLoadError(fmt::format("{}: expected a plain value", where));
  }
  return v.scalar;
}

Element CauseElement(const YamlValue& v, const std::string& where) {
  if (v.kind != YamlValue::Kind::kMap || v.map.empty()) {
    throw CaseLoadError(
        fmt::format("{}: a root cause must be a mapping like {{'bitrate':2000,'p2p':1}}", where));
  }
  Element e;
  for (const auto& [k, val] : v.map) e.items.emplace_back(k, ScalarOf(val, where));
  e.Normalise();
  return e;
}

void CheckTruthDims(const RcaCase& c, const std::string& where) {
  for (const Element& e : c.truth) {
    for (const auto& [dim, value] : e.items) {
      if (std::find(c.dims.begin(), c.dims.end(), dim) == c.dims.end()) {
        throw CaseLoadError(fmt::format(
            "{}: the label names dimension '{}', which case '{}' does not have (columns: {})",
            where, dim, c.name, fmt::join(c.dims, ",")));
      }
    }
  }
}

RcaCase LoadRobustSpotCsv(const fs::path& path, int64_t timestamp, const std::string& where) {
  CsvReader csv(path, fmt::format("named by {}; is the folder complete?", where));
  const int min_col = csv.Column("min");
  const int value_col = csv.Column("value");
  const int cnt_col = csv.Column("cnt");
  RcaCase c;
  c.name = path.stem().string();
  c.ratio = true;
  std::vector<int> dim_cols;
  for (int i = 0; i < static_cast<int>(csv.header().size()); ++i) {
    if (i == min_col || i == value_col || i == cnt_col) continue;
    dim_cols.push_back(i);
    c.dims.push_back(csv.header()[i]);
  }
  if (dim_cols.empty()) csv.FailRecord("no dimension columns besides min,value,cnt");
  c.values.resize(c.dims.size());

  struct Acc {
    double fail_now = 0, cnt_now = 0;
    bool present_now = false;
    std::map<int64_t, std::pair<double, double>> past;  // minute -> (failures, cnt)
    std::vector<uint32_t> attrs;
  };
  std::unordered_map<std::string, Acc> leaves;
  std::vector<std::string> order;  // first-seen order, for deterministic output
  std::map<int64_t, bool> minutes_before;
  while (csv.Next()) {
    const int64_t minute = csv.GetInt(min_col);
    if (minute > timestamp) continue;
    const double value = csv.GetDouble(value_col);
    const double cnt = csv.GetDouble(cnt_col);
    if (cnt < 0 || value < 0) csv.Fail(cnt < 0 ? cnt_col : value_col, "negative count");
    std::string key = LeafKey(csv, dim_cols);
    auto [it, inserted] = leaves.try_emplace(key);
    Acc& a = it->second;
    if (inserted) {
      order.push_back(key);
      for (size_t d = 0; d < dim_cols.size(); ++d) {
        a.attrs.push_back(c.Intern(d, std::string(csv.Field(dim_cols[d]))));
      }
    }
    if (minute == timestamp) {
      a.fail_now += cnt - value;
      a.cnt_now += cnt;
      a.present_now = true;
    } else {
      auto& p = a.past[minute];
      p.first += cnt - value;
      p.second += cnt;
      minutes_before[minute] = true;
    }
  }
  // The last kRobustSpotHistoryMinutes minutes before the anomaly.
  std::vector<int64_t> hist;
  for (auto it = minutes_before.rbegin();
       it != minutes_before.rend() && hist.size() < kRobustSpotHistoryMinutes; ++it) {
    hist.push_back(it->first);
  }
  if (hist.empty()) {
    throw CaseLoadError(fmt::format(
        "{}: no rows before the anomalous minute {} (named by {}); the forecast needs the "
        "previous minutes",
        path.string(), timestamp, where));
  }
  bool any_now = false;
  for (const std::string& key : order) {
    const Acc& a = leaves[key];
    if (!a.present_now) continue;
    any_now = true;
    Leaf leaf;
    leaf.attrs = a.attrs;
    leaf.real = a.fail_now;
    leaf.real_den = a.cnt_now;
    for (int64_t m : hist) {
      auto it = a.past.find(m);
      if (it == a.past.end()) continue;
      leaf.predict += it->second.first;
      leaf.predict_den += it->second.second;
    }
    leaf.predict /= static_cast<double>(hist.size());
    leaf.predict_den /= static_cast<double>(hist.size());
    c.leaves.push_back(std::move(leaf));
  }
  if (!any_now) {
    throw CaseLoadError(fmt::format("{}: no rows at the anomalous minute {} (named by {})",
                                    path.string(), timestamp, where));
  }
  return c;
}

RcaCase LoadSqueezeCsv(const fs::path& path, const std::string& where) {
  CsvReader csv(path, fmt::format("named by {}; is the folder complete?", where));
  const int real_col = csv.Column("real");
  const int predict_col = csv.Column("predict");
  RcaCase c;
  c.name = path.stem().string();
  std::vector<int> dim_cols;
  for (int i = 0; i < static_cast<int>(csv.header().size()); ++i) {
    if (i == real_col || i == predict_col) continue;
    dim_cols.push_back(i);
    c.dims.push_back(csv.header()[i]);
  }
  if (dim_cols.empty()) csv.FailRecord("no dimension columns besides real,predict");
  c.values.resize(c.dims.size());
  std::unordered_map<std::string, size_t> index;
  while (csv.Next()) {
    const double real = csv.GetDouble(real_col);
    const double predict = csv.GetDouble(predict_col);
    std::string key = LeafKey(csv, dim_cols);
    auto [it, inserted] = index.try_emplace(key, c.leaves.size());
    if (inserted) {
      Leaf leaf;
      for (size_t d = 0; d < dim_cols.size(); ++d) {
        leaf.attrs.push_back(c.Intern(d, std::string(csv.Field(dim_cols[d]))));
      }
      c.leaves.push_back(std::move(leaf));
    }
    c.leaves[it->second].real += real;
    c.leaves[it->second].predict += predict;
  }
  if (c.leaves.empty()) {
    throw CaseLoadError(fmt::format("{}: no data rows (named by {})", path.string(), where));
  }
  return c;
}

void CheckDir(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw CaseLoadError(
        fmt::format("{}: not a folder; pass --data DIR with a folder of cases", dir.string()));
  }
}

}  // namespace

std::vector<RcaCase> LoadRobustSpotCases(const fs::path& dir, const LoadProgress& progress,
                                         size_t limit) {
  CheckDir(dir);
  const fs::path yaml = dir / "anomaly.yaml";
  if (!fs::exists(yaml)) {
    throw CaseLoadError(fmt::format(
        "{}: missing; a robustspot folder lists its cases in anomaly.yaml (or use --format "
        "squeeze for a folder with injection_info.csv)",
        yaml.string()));
  }
  std::vector<YamlRecord> records;
  try {
    records = LoadYamlRecords(yaml);
  } catch (const YamlError& e) {
    throw CaseLoadError(e.what());
  }
  if (limit > 0 && records.size() > limit) records.resize(limit);
  std::vector<RcaCase> cases;
  for (const YamlRecord& r : records) {
    const std::string where = fmt::format("{}:{}", yaml.string(), r.line);
    const YamlValue* data = r.Find("data");
    const YamlValue* ts = r.Find("timestamp");
    const YamlValue* cause = r.Find("cause");
    if (!data || !ts || !cause) {
      throw CaseLoadError(
          fmt::format("{}: each case needs the keys data, timestamp and cause", where));
    }
    int64_t timestamp = 0;
    const std::string ts_text = ScalarOf(*ts, where);
    try {
      size_t used = 0;
      timestamp = std::stoll(ts_text, &used);
      if (used != ts_text.size()) throw std::invalid_argument("trailing text");
    } catch (const std::exception&) {
      throw CaseLoadError(fmt::format("{}: timestamp '{}' is not an integer", where, ts_text));
    }
    RcaCase c;
    try {
      c = LoadRobustSpotCsv(dir / (ScalarOf(*data, where) + ".csv"), timestamp, where);
    } catch (const CsvError& e) {
      throw CaseLoadError(e.what());
    }
    if (cause->kind == YamlValue::Kind::kList) {
      for (const YamlValue& v : cause->list) c.truth.push_back(CauseElement(v, where));
    } else {
      c.truth.push_back(CauseElement(*cause, where));
    }
    CheckTruthDims(c, where);
    cases.push_back(std::move(c));
    if (progress) progress(cases.size(), records.size());
  }
  return cases;
}

std::vector<RcaCase> LoadSqueezeCases(const fs::path& dir, const LoadProgress& progress,
                                      size_t limit) {
  CheckDir(dir);
  const fs::path info = dir / "injection_info.csv";
  std::vector<std::pair<std::string, std::string>> labels;  // timestamp, set
  std::vector<std::string> wheres;
  try {
    CsvReader csv(info,
                  "a squeeze folder labels its cases in injection_info.csv with columns "
                  "timestamp,set (or use --format robustspot for a folder with anomaly.yaml)");
    const int ts_col = csv.Column("timestamp");
    const int set_col = csv.Column("set");
    while (csv.Next()) {
      labels.emplace_back(csv.GetString(ts_col), csv.GetString(set_col));
      wheres.push_back(fmt::format("{}:{}", info.string(), csv.line()));
    }
  } catch (const CsvError& e) {
    throw CaseLoadError(e.what());
  }
  if (limit > 0 && labels.size() > limit) labels.resize(limit);
  std::vector<RcaCase> cases;
  for (size_t i = 0; i < labels.size(); ++i) {
    const auto& [ts, set] = labels[i];
    RcaCase c;
    try {
      c = LoadSqueezeCsv(dir / (ts + ".csv"), wheres[i]);
    } catch (const CsvError& e) {
      throw CaseLoadError(e.what());
    }
    try {
      c.truth = ParseElementSet(set);
    } catch (const std::invalid_argument& e) {
      throw CaseLoadError(fmt::format("{}: column 'set': {}", wheres[i], e.what()));
    }
    if (c.truth.empty()) {
      throw CaseLoadError(
          fmt::format("{}: column 'set' is empty; expected e.g. a=a1&b=b2;a=a3", wheres[i]));
    }
    CheckTruthDims(c, wheres[i]);
    cases.push_back(std::move(c));
    if (progress) progress(cases.size(), labels.size());
  }
  return cases;
}

std::vector<RcaCase> LoadCases(const fs::path& dir, const std::string& format,
                               const LoadProgress& progress, size_t limit) {
  if (format == "robustspot") return LoadRobustSpotCases(dir, progress, limit);
  if (format == "squeeze") return LoadSqueezeCases(dir, progress, limit);
  if (format.empty() || format == "auto") {
    CheckDir(dir);
    if (fs::exists(dir / "anomaly.yaml")) return LoadRobustSpotCases(dir, progress, limit);
    if (fs::exists(dir / "injection_info.csv")) return LoadSqueezeCases(dir, progress, limit);
    throw CaseLoadError(
        fmt::format("{}: neither anomaly.yaml (robustspot) nor injection_info.csv (squeeze) found; "
                    "pass a folder of labelled cases",
                    dir.string()));
  }
  throw CaseLoadError(fmt::format("unknown case format '{}': use robustspot or squeeze", format));
}

}  // namespace cf::diagnosis
