#include "sim/report_creatives.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "common/base64.h"
#include "sim/report_html.h"
#include "sim/summary_json.h"

namespace cf {
namespace {

constexpr size_t kMaxCreativeRows = 120;      // per run
constexpr uint64_t kMinDayImpressions = 100;  // fewer: the day's CTR is too noisy to draw
constexpr int kThumbW = 72, kThumbH = 128;    // on the page, CSS pixels

std::string Pct(double ratio) { return FormatPercent(ratio, 2); }

// Thumbnails already on the page: creative media key -> element id.
using Shown = std::map<std::string, std::string>;

std::string Thumbnail(const CreativeRow& r, Shown& shown) {
  const auto [w, h] = PngSize(r.thumbnail_png);
  if (w > 0 && h > 0) {
    const std::string key = CreativeMediaKey(r.creative);
    const std::string box = fmt::format(
        "<svg class=\"thumb\" viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\" role=\"img\" "
        "aria-label=\"thumbnail of creative {}\">",
        w, h, kThumbW, kThumbW * h / w, r.creative.id);
    auto it = shown.find(key);
    if (it != shown.end()) return box + fmt::format("<use href=\"#{}\"/></svg>", it->second);
    const std::string id = fmt::format("thumb-{}", shown.size());
    shown.emplace(key, id);
    return box + fmt::format(
                     "<image id=\"{}\" width=\"{}\" height=\"{}\" "
                     "href=\"data:image/png;base64,{}\"/></svg>",
                     id, w, h, Base64Encode(r.thumbnail_png));
  }
  // No media was made: a card with what the creative is.
  return fmt::format(
      "<svg class=\"thumb\" viewBox=\"0 0 {0} {1}\" width=\"{0}\" height=\"{1}\" role=\"img\" "
      "aria-label=\"creative {2} (no thumbnail)\"><rect width=\"{0}\" height=\"{1}\" rx=\"6\" "
      "fill=\"#eef2ff\"/><text x=\"{3}\" y=\"56\" text-anchor=\"middle\" class=\"tk\">{4}</text>"
      "<text x=\"{3}\" y=\"74\" text-anchor=\"middle\" class=\"tk\">{5}</text></svg>",
      kThumbW, kThumbH, r.creative.id, kThumbW / 2, HtmlEscape(HookStyleName(r.creative.hook)),
      HtmlEscape(SceneName(r.creative.scene)));
}

double DayCtr(const CreativeRow& r, size_t d) {
  return r.day_impressions[d] ? static_cast<double>(r.day_clicks[d]) / r.day_impressions[d] : 0;
}

// CTR by flight day: days with too few impressions are gaps; pause and rotation days are marked.
std::string Sparkline(const CreativeRow& r, uint32_t days, double max_ctr) {
  constexpr double kW = 160, kH = 40, kPad = 4;
  const double span = std::max(1u, days > 0 ? days - 1 : 0);
  auto x = [&](size_t d) { return kPad + (kW - 2 * kPad) * static_cast<double>(d) / span; };
  auto y = [&](double ctr) { return kH - kPad - (kH - 2 * kPad) * std::min(1.0, ctr / max_ctr); };
  std::string out = fmt::format(
      "<svg class=\"spark\" viewBox=\"0 0 {0} {1}\" width=\"{0}\" height=\"{1}\" role=\"img\" "
      "aria-label=\"CTR by day\"><line class=\"ax\" x1=\"{2}\" y1=\"{3:.1f}\" x2=\"{4}\" "
      "y2=\"{3:.1f}\"/>",
      kW, kH, kPad, kH - kPad, kW - kPad);
  std::string points;
  auto flush = [&] {
    if (points.empty()) return;
    out += fmt::format("<polyline points=\"{}\"/>", points);
    points.clear();
  };
  const size_t n = std::min<size_t>(days, r.day_impressions.size());
  for (size_t d = 0; d < n; ++d) {
    if (r.day_impressions[d] < kMinDayImpressions || !(max_ctr > 0)) {
      flush();
      continue;
    }
    const double c = DayCtr(r, d);
    points += fmt::format("{}{:.1f},{:.1f}", points.empty() ? "" : " ", x(d), y(c));
    out += fmt::format(
        "<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"2\"><title>day {}: CTR {} ({} "
        "impressions)</title></circle>",
        x(d), y(c), d, Pct(c), FormatCount(r.day_impressions[d]));
  }
  flush();
  for (const PoolEvent& e : r.events) {
    if (e.what != "paused" && e.what != "rotated") continue;
    if (e.day >= days) continue;
    out += fmt::format(
        "<line class=\"ev\" x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\"><title>day {3}: "
        "{4}</title></line>",
        x(e.day), kPad, kH - kPad, e.day, e.what);
  }
  return out + "</svg>";
}

std::string EventText(const PoolEvent& e) {
  const WearoutVerdict& v = e.verdict;
  if (e.what == "paused") {
    return fmt::format(
        "day {}: paused by the wear-out test: CTR {} over its first impressions, {} over its "
        "latest (z = {:.1f}, {} impressions in all)",
        e.day, Pct(v.early_ctr), Pct(v.recent_ctr), std::isfinite(v.z) ? v.z : 0.0,
        FormatCount(v.exposures));
  }
  if (e.what == "rotated") {
    return v.ready
               ? fmt::format("day {}: rotated out (CTR {} early, {} recently, {} impressions)",
                             e.day, Pct(v.early_ctr), Pct(v.recent_ctr), FormatCount(v.exposures))
               : fmt::format("day {}: rotated out", e.day);
  }
  if (e.what == "resumed") return fmt::format("day {}: resumed (no other creative left)", e.day);
  return fmt::format("day {}: {}", e.day, e.what);
}

std::string Describe(const CreativeRow& r) {
  const Creative& c = r.creative;
  const std::string tmpl = !r.media.template_name.empty() ? r.media.template_name
                           : c.scene == Scene::kNone      ? std::string("plain product video")
                                                          : std::string(SceneName(c.scene));
  std::string out = fmt::format(
      "<b>#{}</b> {}<br>{} hook, {}{}", c.id,
      HtmlEscape(r.product_name.empty() ? fmt::format("product {}", c.product) : r.product_name),
      HtmlEscape(HookStyleName(c.hook)), HtmlEscape(tmpl),
      c.voice.empty() ? "" : ", voice " + HtmlEscape(c.voice));
  const std::string& hook = r.media.hook_text.empty() ? c.hook_text : r.media.hook_text;
  if (!hook.empty()) {
    out += fmt::format("<br><q lang=\"{}\">{}</q>", c.lang == "zh" ? "zh-Hans" : "en",
                       HtmlEscape(hook));
  }
  return out;
}

std::string RunTable(const RunResult& r, uint32_t days, Shown& shown) {
  if (r.creatives.empty()) return "<p>Our products had no creatives in this run.</p>\n";
  size_t paused = 0, rotated = 0;
  double max_ctr = 0;
  for (const CreativeRow& c : r.creatives) {
    for (const PoolEvent& e : c.events) {
      paused += e.what == "paused";
      rotated += e.what == "rotated";
    }
    for (size_t d = 0; d < c.day_impressions.size() && d < c.day_clicks.size(); ++d) {
      if (c.day_impressions[d] >= kMinDayImpressions) max_ctr = std::max(max_ctr, DayCtr(c, d));
    }
  }
  std::string out = fmt::format(
      "<p>{} creatives over the flight; {} paused by the wear-out test, {} rotated out; {} live "
      "at the end.</p>\n",
      FormatCount(r.creatives.size()), FormatCount(paused), FormatCount(rotated),
      FormatCount(static_cast<uint64_t>(std::count_if(
          r.creatives.begin(), r.creatives.end(), [](const CreativeRow& c) { return c.live; }))));
  const CreativeRegret& g = r.creative_regret;
  if (g.impressions > 0) {
    out += fmt::format(
        "<p>Against the market's hidden truth (evaluation only): on {} of our ads with a choice of "
        "creative, the chosen creatives' expected clicks were {} against {} had each ad shown the "
        "best live creative of its product for that user at that moment: a regret of {}.</p>\n",
        FormatCount(g.impressions), FormatGrouped(g.chosen_clicks, 0),
        FormatGrouped(g.best_clicks, 0), Pct(g.regret()));
  }
  out +=
      "<table class=\"creatives\">\n<thead><tr><th>Thumbnail</th><th>Creative</th><th "
      "class=\"num\">Made</th><th class=\"num\">Impressions</th><th class=\"num\">CTR</th>"
      "<th>CTR by day</th><th>Status and events</th></tr></thead>\n<tbody>\n";
  std::vector<const CreativeRow*> order;
  for (const CreativeRow& c : r.creatives) order.push_back(&c);
  std::stable_sort(order.begin(), order.end(), [](const CreativeRow* a, const CreativeRow* b) {
    return a->creative.product < b->creative.product;
  });
  const size_t rows = std::min(order.size(), kMaxCreativeRows);
  for (size_t i = 0; i < rows; ++i) {
    const CreativeRow& c = *order[i];
    std::string events = c.live ? "<b class=\"ok\">live</b>" : "<b>paused</b>";
    for (const PoolEvent& e : c.events) {
      if (e.what == "added") continue;
      events += "<br>" + HtmlEscape(EventText(e));
    }
    out += fmt::format(
        "<tr><td>{}</td><td>{}</td><td class=\"num\">day {}</td><td class=\"num\">{}</td><td "
        "class=\"num\">{}</td><td>{}</td><td>{}</td></tr>\n",
        Thumbnail(c, shown), Describe(c), c.creative.created_day, FormatCount(c.impressions),
        c.impressions ? Pct(c.ctr()) : "n/a", Sparkline(c, days, max_ctr), events);
  }
  out += "</tbody>\n</table>\n";
  if (r.creatives.size() > rows) {
    out += fmt::format(
        "<p class=\"note\">{} more creatives are not shown here; summary.json lists them "
        "all.</p>\n",
        FormatCount(r.creatives.size() - rows));
  }
  return out;
}

}  // namespace

std::pair<int, int> PngSize(const std::string& png) {
  static constexpr unsigned char kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (png.size() < 24 ||
      !std::equal(kSignature, kSignature + 8, png.begin(),
                  [](unsigned char a, char b) { return a == static_cast<unsigned char>(b); }) ||
      png.compare(12, 4, "IHDR") != 0) {
    return {0, 0};
  }
  auto be32 = [&](size_t at) {
    uint32_t v = 0;
    for (size_t i = 0; i < 4; ++i) v = v << 8 | static_cast<unsigned char>(png[at + i]);
    return v;
  };
  const uint32_t w = be32(16), h = be32(20);
  if (w == 0 || h == 0 || w > 16384 || h > 16384) return {0, 0};
  return {static_cast<int>(w), static_cast<int>(h)};
}

std::string CreativesSection(const std::vector<const RunResult*>& runs,
                             const std::vector<std::string>& headings, uint32_t days) {
  std::string out =
      "<section id=\"creatives\">\n<h2>Creatives</h2>\n<p class=\"note\">Every video ad our "
      "products had: its hook frame, what it is, its click-through rate day by day (days with "
      "fewer than 100 impressions are left out; a red line marks the day it was paused or "
      "rotated out), and what happened to it. The creative bandit serves each product's pool by "
      "Thompson sampling, pauses a creative whose CTR has decayed with exposure, and makes a "
      "fresh variant in its place.</p>\n";
  if (runs.empty()) return out + "<p>No runs were recorded.</p>\n</section>\n";
  Shown shown;
  for (size_t i = 0; i < runs.size(); ++i) {
    out += fmt::format("<h3>{}</h3>\n", i < headings.size() ? headings[i] : "");
    out += RunTable(*runs[i], days, shown);
  }
  return out + "</section>\n";
}

}  // namespace cf
