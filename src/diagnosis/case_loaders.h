// Loaders for folders of labelled root-cause cases, in two public layouts.
//
// robustspot (../shared/data/rca-robustspot): `anomaly.yaml` lists items with `data` (a CSV name
//   without `.csv`), `timestamp` (the anomalous `min`) and `cause` ({'dim':value} or a list of
//   them). Each CSV has `min,value,cnt` and one column per dimension, one row per (minute, leaf).
//   The KPI is the failure ratio (cnt - value) / cnt, loaded as a ratio case: numerator =
//   failures, denominator = cnt; the forecast of each leaf is the mean of its numerator and of its
//   denominator over the 4 minutes before the anomalous one (a minute where the leaf is absent
//   counts as 0). Leaves absent at the anomalous minute are dropped.
// squeeze: `injection_info.csv` with (at least) columns `timestamp` and `set`
//   (`a=a1&b=b2;a=a3`), read by header name; each labelled row is one case read from
//   `<timestamp>.csv`, which has one column per dimension plus `real` and `predict` (additive KPI).
//   CSVs without a labelled row are ignored.
//
// Promises: every error (missing folder or file, malformed CSV/YAML, unknown dimension in a label,
// missing minute) throws CaseLoadError whose message names the file and line and what to do. The
// optional progress callback is called after each case with (done, total). Thread-compatible.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "diagnosis/rca_case.h"

namespace cf::diagnosis {

class CaseLoadError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

using LoadProgress = std::function<void(size_t done, size_t total)>;

// Number of minutes before the anomalous one averaged for the forecast (robustspot).
inline constexpr int kRobustSpotHistoryMinutes = 4;

// `limit` > 0 loads only the first `limit` labelled cases.
std::vector<RcaCase> LoadRobustSpotCases(const std::filesystem::path& dir,
                                         const LoadProgress& progress = {}, size_t limit = 0);
std::vector<RcaCase> LoadSqueezeCases(const std::filesystem::path& dir,
                                      const LoadProgress& progress = {}, size_t limit = 0);
// format: "robustspot" or "squeeze"; "auto" (or empty) picks by the files present
// (anomaly.yaml -> robustspot, injection_info.csv -> squeeze). Unknown formats throw.
std::vector<RcaCase> LoadCases(const std::filesystem::path& dir, const std::string& format,
                               const LoadProgress& progress = {}, size_t limit = 0);

}  // namespace cf::diagnosis
