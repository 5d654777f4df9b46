// The human-readable output of `chengfang run`: one self-contained HTML page (report.html).
// Promises: no network references of any kind (inline CSS, inline SVG charts drawn here, no
// scripts or fonts; the only images are creative thumbnails embedded as data: URIs); UTF-8 with
// <meta charset="utf-8"> and lang attributes; every piece of text from the summary is HTML-escaped;
// no NaN or infinity appears in the page (undefined ratios are shown as "n/a" or as gaps in a
// chart). Content is described in docs/summary-json.md. Stateless; thread-safe.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "sim/run_result.h"

namespace cf {

// The complete report page. Hourly charts read summary.runs[*].hourly.
std::string RenderReportHtml(const SimSummary& summary);

// Writes RenderReportHtml(summary) to `path` atomically (temporary file + rename).
// Throws std::runtime_error naming `path` if it cannot be written; no file is left behind then.
void WriteReportHtml(const SimSummary& summary, const std::filesystem::path& path);

// `text` with &, <, >, " and ' replaced by character references.
std::string HtmlEscape(std::string_view text);

}  // namespace cf
