// The report's creative section: for each run, every creative of our products with its thumbnail
// (inline, each image embedded once per page and reused), what it is, its CTR day by day as a
// small chart, and its pool events (added, paused by the wear-out test with the evidence, rotated,
// resumed). Same promises as report_html.h: escaped text, no NaN, no network references.
#pragma once

#include <string>
#include <vector>

#include "sim/run_result.h"

namespace cf {

// `headings[i]` is the (already escaped) HTML naming runs[i].
std::string CreativesSection(const std::vector<const RunResult*>& runs,
                             const std::vector<std::string>& headings, uint32_t days);

// Width and height from a PNG's header; {0, 0} when `png` is not a PNG.
std::pair<int, int> PngSize(const std::string& png);

}  // namespace cf
