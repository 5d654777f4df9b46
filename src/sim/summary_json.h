// The machine-readable output of `chengfang run` (summary.json) and the terminal comparison table,
// plus the small formatting and file helpers that report_html shares with them.
// Promises: every number written is finite (non-finite values become 0 in JSON and "n/a" in text);
// money is written in currency units rounded to cents, ratios rounded to 4 decimals; files are
// written atomically (temporary file in the same directory, then rename), so a reader never sees a
// half-written file. The field list is documented in docs/summary-json.md. Stateless; thread-safe.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/money.h"
#include "sim/run_result.h"

namespace cf {

// The whole summary as JSON (the shape in docs/summary-json.md). Hourly series are not included.
nlohmann::json SummaryToJson(const SimSummary& summary);

// Writes SummaryToJson(summary), pretty-printed, to `path` atomically.
// Throws std::runtime_error naming `path` if it cannot be written; no file is left behind then.
void WriteSummaryJson(const SimSummary& summary, const std::filesystem::path& path);

// A plain-text table comparing the runs side by side (ours, then the market), for the terminal.
std::string FormatRunTable(const SimSummary& summary);

// ---- Helpers shared by the run outputs (summary_json.cc, report_html.cc). ----

// Currency units rounded half away from zero to cents, computed exactly from the micros.
double MoneyToCents(Money m);
// `v` rounded to `decimals` places; non-finite values give 0, and -0 is returned as 0.
double RoundTo(double v, int decimals);
// `v` with `decimals` places and thousands separators: 1234567.891 -> "1,234,567.89".
// Non-finite values give "n/a"; a value that rounds to zero never carries a minus sign.
std::string FormatGrouped(double v, int decimals);
// Money in currency units with cents and thousands separators: "9,812.40".
std::string FormatMoney(Money m);
// A count with thousands separators: 12345 -> "12,345".
std::string FormatCount(uint64_t n);
// A ratio as a percentage: 0.01234 -> "1.23%" (decimals = 2). Non-finite gives "n/a".
std::string FormatPercent(double ratio, int decimals = 2);
// The runs in display order: "manual" first, then "autopilot", then any others by name.
std::vector<const RunResult*> RunsInDisplayOrder(const SimSummary& summary);

}  // namespace cf
