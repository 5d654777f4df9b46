#include "sim/report_html.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>
#include <vector>

#include "common/atomic_file.h"
#include "common/channel.h"
#include "common/sim_clock.h"
#include "sim/report_creatives.h"
#include "sim/summary_json.h"

namespace cf {

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

namespace {

constexpr size_t kMaxActionRows = 200;
// Hours beyond this are ignored by the charts (a year of hourly points), guarding against garbage.
constexpr uint32_t kMaxChartHours = 24 * 366;
constexpr std::array<const char*, 6> kRunColours = {"#2563eb", "#ea580c", "#16a34a",
                                                    "#9333ea", "#0891b2", "#be123c"};

const char* RunColour(size_t i) { return kRunColours[i % kRunColours.size()]; }

// ---------------------------------------------------------------------------------------------
// Number formatting for prose and tables.

// Few significant digits for small values, cents for ordinary ones, none for large ones.
std::string Adaptive(double v) {
  if (!std::isfinite(v)) return "n/a";
  const double a = std::fabs(v);
  if (a == 0) return "0";
  if (a >= 1000) return FormatGrouped(v, 0);
  if (a >= 1) return FormatGrouped(v, 2);
  const int decimals = std::min(8, 2 - static_cast<int>(std::floor(std::log10(a))));
  return FormatGrouped(v, decimals);
}

// "+8.7%" for a relative change, "n/a" when the base is zero.
std::string Change(double base, double value) {
  if (base == 0 || !std::isfinite(base) || !std::isfinite(value)) return "n/a";
  const double pct = (value - base) / std::fabs(base) * 100.0;
  return (pct >= 0 ? "+" : "") + FormatGrouped(pct, 1) + "%";
}

std::string RunPhrase(const RunResult& r) {
  if (r.name == "manual") return "manual plan";
  if (r.name == "autopilot") return "autopilot";
  if (r.name == kBaselineInsightRun) return "autopilot with the baseline insight";
  return fmt::format("\u201c{}\u201d run", r.name);
}

// ---------------------------------------------------------------------------------------------
// Equality of results, for the "identical runs" sentence.

bool SameKpi(const KpiTotals& a, const KpiTotals& b) {
  return a.budget == b.budget && a.spend == b.spend && a.impressions == b.impressions &&
         a.clicks == b.clicks && a.purchases == b.purchases && a.gmv == b.gmv;
}

bool SameResults(const RunResult& a, const RunResult& b) {
  if (!SameKpi(a.ours, b.ours) || !SameKpi(a.market, b.market)) return false;
  if (a.opportunities != b.opportunities || a.organic_views != b.organic_views ||
      a.organic_gmv != b.organic_gmv || a.hourly.size() != b.hourly.size()) {
    return false;
  }
  for (size_t c = 0; c < a.ours_by_channel.size(); ++c) {
    if (!SameKpi(a.ours_by_channel[c], b.ours_by_channel[c]) ||
        !SameKpi(a.market_by_channel[c], b.market_by_channel[c])) {
      return false;
    }
  }
  for (size_t i = 0; i < a.hourly.size(); ++i) {
    const HourPoint& x = a.hourly[i];
    const HourPoint& y = b.hourly[i];
    if (x.hour != y.hour || x.planned_spend != y.planned_spend || !SameKpi(x.ours, y.ours) ||
        !SameKpi(x.market, y.market)) {
      return false;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// SVG charts. Every chart is drawn by LineChart or BarChart over a shared frame (title, legend,
// y axis with grid and tick labels, axis titles).

struct LegendItem {
  std::string label;
  std::string colour;
  bool dashed = false;
  double opacity = 1.0;
};

struct Axis {
  double lo = 0;
  double hi = 1;
  double step = 0.2;
};

// A range with "nice" round ticks (1, 2 or 5 times a power of ten) covering [lo, hi].
Axis NiceAxis(double lo, double hi) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) lo = 0, hi = 1;
  if (hi <= lo) hi = lo + (lo == 0 ? 1 : std::fabs(lo));
  const double rough = (hi - lo) / 5;
  const double mag = std::pow(10.0, std::floor(std::log10(rough)));
  const double norm = rough / mag;
  const double step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
  return {std::floor(lo / step) * step, std::ceil(hi / step) * step, step};
}

int DecimalsForStep(double step) {
  if (!(step > 0) || step >= 1) return 0;
  return std::min(8, static_cast<int>(std::ceil(-std::log10(step) - 1e-9)));
}

// Tick label: "250k", "1.5M", "0.05".
std::string AxisLabel(double v, const Axis& axis) {
  if (std::fabs(v) < axis.step * 1e-6) return "0";
  const double top = std::max(std::fabs(axis.lo), std::fabs(axis.hi));
  if (top >= 1e6) return FormatGrouped(v / 1e6, DecimalsForStep(axis.step / 1e6)) + "M";
  if (top >= 1e4) return FormatGrouped(v / 1e3, DecimalsForStep(axis.step / 1e3)) + "k";
  return FormatGrouped(v, DecimalsForStep(axis.step));
}

// An SVG coordinate; never NaN or infinite.
std::string C(double v) { return fmt::format("{:.1f}", std::isfinite(v) ? v : 0.0); }

size_t Utf8Length(std::string_view s) {
  return static_cast<size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

constexpr double kChartWidth = 760;
constexpr double kPlotLeft = 70;
constexpr double kPlotRight = 20;
constexpr double kPlotHeight = 210;
constexpr double kPlotBottomMargin = 56;

struct Frame {
  std::string svg;
  double left = kPlotLeft;
  double top = 0;
  double width = kChartWidth - kPlotLeft - kPlotRight;
  double height = kPlotHeight;
  Axis y;
  double Y(double v) const { return top + height - (v - y.lo) / (y.hi - y.lo) * height; }
  double bottom() const { return top + height; }
};

// Opens the <svg> and draws the title, legend, y grid and labels, and the axis titles.
Frame OpenFrame(std::string_view title, const std::vector<LegendItem>& legend, const Axis& y,
                std::string_view y_label, std::string_view x_label) {
  // Lay the legend out in rows first: the plot starts below it.
  struct Placed {
    const LegendItem* item;
    double x, y;
  };
  std::vector<Placed> placed;
  double lx = kPlotLeft;
  double ly = 44;
  for (const LegendItem& item : legend) {
    const double w = 30 + 7.0 * static_cast<double>(Utf8Length(item.label)) + 18;
    if (lx + w > kChartWidth - kPlotRight && lx > kPlotLeft) {
      lx = kPlotLeft;
      ly += 18;
    }
    placed.push_back({&item, lx, ly});
    lx += w;
  }
  Frame f;
  f.y = y;
  f.top = (legend.empty() ? 34 : ly) + 20;
  const double total_height = f.top + f.height + kPlotBottomMargin;

  std::string& s = f.svg;
  s += fmt::format(
      "<svg class=\"chart\" viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\" role=\"img\" "
      "aria-label=\"{}\">\n",
      C(kChartWidth), C(total_height), C(kChartWidth), C(total_height), HtmlEscape(title));
  s += fmt::format("<title>{}</title>\n", HtmlEscape(title));
  s += fmt::format("<text class=\"ct\" x=\"{}\" y=\"22\">{}</text>\n", C(kPlotLeft),
                   HtmlEscape(title));
  for (const Placed& p : placed) {
    s += fmt::format(
        "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-opacity=\"{}\" "
        "stroke-width=\"{}\"{}/>",
        C(p.x), C(p.y - 4), C(p.x + 24), C(p.y - 4), p.item->colour, C(p.item->opacity),
        p.item->dashed ? 2.5 : 8, p.item->dashed ? " stroke-dasharray=\"6 4\"" : "");
    s += fmt::format("<text class=\"lg\" x=\"{}\" y=\"{}\">{}</text>\n", C(p.x + 30), C(p.y),
                     HtmlEscape(p.item->label));
  }
  // Horizontal grid and tick labels.
  for (int i = 0;; ++i) {
    const double v = y.lo + i * y.step;
    if (v > y.hi + y.step * 1e-6 || i > 50) break;
    const double py = f.Y(v);
    s += fmt::format("<line class=\"grid\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>", C(f.left),
                     C(py), C(f.left + f.width), C(py));
    s += fmt::format("<text class=\"tk\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\n",
                     C(f.left - 6), C(py + 4), HtmlEscape(AxisLabel(v, y)));
  }
  // Axes.
  s += fmt::format("<line class=\"ax\" x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\"/>", C(f.left),
                   C(f.top), C(f.bottom()));
  s += fmt::format("<line class=\"ax\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>\n", C(f.left),
                   C(f.Y(std::clamp(0.0, y.lo, y.hi))), C(f.left + f.width),
                   C(f.Y(std::clamp(0.0, y.lo, y.hi))));
  s += fmt::format(
      "<text class=\"at\" transform=\"translate(16 {}) rotate(-90)\" "
      "text-anchor=\"middle\">{}</text>\n",
      C(f.top + f.height / 2), HtmlEscape(y_label));
  s += fmt::format("<text class=\"at\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n",
                   C(f.left + f.width / 2), C(total_height - 8), HtmlEscape(x_label));
  return f;
}

struct LineSeries {
  std::string label;
  std::string colour;
  bool dashed = false;
  std::vector<std::optional<double>> y;  // y[i] is the value at hour i; nullopt leaves a gap
};

// A line chart over hours 0..n-1; each series is one polyline broken at its gaps.
std::string LineChart(std::string_view title, std::string_view y_label,
                      const std::vector<LineSeries>& series) {
  size_t n = 0;
  double lo = 0;
  double hi = 0;
  bool any = false;
  std::vector<LegendItem> legend;
  for (const LineSeries& s : series) {
    n = std::max(n, s.y.size());
    for (const auto& v : s.y) {
      if (!v || !std::isfinite(*v)) continue;
      lo = std::min(lo, *v);
      hi = std::max(hi, *v);
      any = true;
    }
    legend.push_back({s.label, s.colour, s.dashed, 1.0});
  }
  Frame f = OpenFrame(title, legend, NiceAxis(lo, hi), y_label, "hours since the start");
  std::string& out = f.svg;
  auto x_of = [&](size_t i) {
    return n <= 1 ? f.left + f.width / 2
                  : f.left + static_cast<double>(i) / static_cast<double>(n - 1) * f.width;
  };
  // X ticks at a round number of hours, about a dozen of them at most.
  if (n > 0) {
    size_t step = 1;
    for (size_t candidate : {1, 2, 3, 6, 12, 24, 48, 72, 168, 336, 720, 1440, 2160, 4320}) {
      step = candidate;
      if ((n - 1) / candidate <= 12) break;
    }
    for (size_t h = 0; h < n; h += step) {
      const double px = x_of(h);
      out += fmt::format("<line class=\"ax\" x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\"/>", C(px),
                         C(f.bottom()), C(f.bottom() + 4));
      out += fmt::format("<text class=\"tk\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n",
                         C(px), C(f.bottom() + 17), h);
    }
  }
  if (!any) {
    out +=
        fmt::format("<text class=\"nd\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">no data</text>\n",
                    C(f.left + f.width / 2), C(f.top + f.height / 2));
  }
  for (const LineSeries& s : series) {
    std::string d;
    std::string dots;
    size_t run_len = 0;  // points in the current unbroken stretch
    auto end_stretch = [&](size_t last) {
      if (run_len == 1) {  // an isolated point draws no line: mark it
        dots += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"2.5\" fill=\"{}\"/>", C(x_of(last)),
                            C(f.Y(*s.y[last])), s.colour);
      }
      run_len = 0;
    };
    for (size_t i = 0; i < s.y.size(); ++i) {
      if (!s.y[i] || !std::isfinite(*s.y[i])) {
        if (run_len > 0) end_stretch(i - 1);
        continue;
      }
      d += fmt::format("{}{} {} ", run_len == 0 ? "M" : "L", C(x_of(i)), C(f.Y(*s.y[i])));
      ++run_len;
    }
    if (run_len > 0) end_stretch(s.y.size() - 1);
    if (!d.empty()) {
      d.pop_back();
      out += fmt::format("<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"{}\"{}/>\n", d,
                         s.colour, s.dashed ? 1.6 : 2, s.dashed ? " stroke-dasharray=\"6 4\"" : "");
    }
    out += dots;
  }
  out += "</svg>\n";
  return out;
}

struct BarSeries {
  std::string label;
  std::string colour;
  double opacity = 1.0;
  std::vector<double> values;  // one per group
};

struct BarGroup {
  std::string label;
  std::string note;       // a second, smaller line under the label (may be empty)
  std::string note_lang;  // lang attribute of the note
};

// Grouped bars: one cluster per group, one bar per series in each cluster. Values are shown on
// hover (SVG <title>) followed by `unit`.
std::string BarChart(std::string_view title, std::string_view y_label, std::string_view unit,
                     const std::vector<BarGroup>& groups, const std::vector<BarSeries>& series) {
  double hi = 0;
  double lo = 0;
  std::vector<LegendItem> legend;
  for (const BarSeries& s : series) {
    for (double v : s.values) {
      if (!std::isfinite(v)) continue;
      hi = std::max(hi, v);
      lo = std::min(lo, v);
    }
    legend.push_back({s.label, s.colour, false, s.opacity});
  }
  Frame f = OpenFrame(title, legend, NiceAxis(lo, hi), y_label, "");
  std::string& out = f.svg;
  const double group_w = groups.empty() ? f.width : f.width / static_cast<double>(groups.size());
  const double bar_w = series.empty() ? 0 : group_w * 0.8 / static_cast<double>(series.size());
  for (size_t g = 0; g < groups.size(); ++g) {
    const double gx = f.left + group_w * static_cast<double>(g) + group_w * 0.1;
    for (size_t k = 0; k < series.size(); ++k) {
      const BarSeries& s = series[k];
      const double v = g < s.values.size() && std::isfinite(s.values[g]) ? s.values[g] : 0.0;
      const double y0 = f.Y(std::clamp(0.0, f.y.lo, f.y.hi));
      const double y1 = f.Y(v);
      out += fmt::format(
          "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" "
          "fill-opacity=\"{}\"><title>{} \u00b7 {}: {}{}</title></rect>\n",
          C(gx + bar_w * static_cast<double>(k)), C(std::min(y0, y1)), C(std::max(bar_w - 1, 0.5)),
          C(std::fabs(y0 - y1)), s.colour, C(s.opacity), HtmlEscape(groups[g].label),
          HtmlEscape(s.label), Adaptive(v), HtmlEscape(unit));
    }
    const double cx = f.left + group_w * (static_cast<double>(g) + 0.5);
    out += fmt::format("<text class=\"tk\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n",
                       C(cx), C(f.bottom() + 17), HtmlEscape(groups[g].label));
    if (!groups[g].note.empty()) {
      out += fmt::format(
          "<text class=\"tk\" x=\"{}\" y=\"{}\" text-anchor=\"middle\" lang=\"{}\">{}</text>\n",
          C(cx), C(f.bottom() + 32), HtmlEscape(groups[g].note_lang), HtmlEscape(groups[g].note));
    }
  }
  out += "</svg>\n";
  return out;
}

// ---------------------------------------------------------------------------------------------
// Hourly series.

// The run's hourly points indexed by hour (missing hours are null).
std::vector<const HourPoint*> ByHour(const RunResult& run) {
  uint32_t n = 0;
  for (const HourPoint& p : run.hourly) {
    if (p.hour < kMaxChartHours) n = std::max(n, p.hour + 1);
  }
  std::vector<const HourPoint*> out(n, nullptr);
  for (const HourPoint& p : run.hourly) {
    if (p.hour < kMaxChartHours) out[p.hour] = &p;
  }
  return out;
}

template <typename F>
std::vector<std::optional<double>> Hourly(const RunResult& run, F&& value) {
  const std::vector<const HourPoint*> points = ByHour(run);
  std::vector<std::optional<double>> out(points.size());
  for (size_t i = 0; i < points.size(); ++i) {
    if (points[i] != nullptr) out[i] = value(*points[i]);
  }
  return out;
}

// Running totals of an hourly series (missing hours stay gaps; the total carries over them).
std::vector<std::optional<double>> Cumulative(std::vector<std::optional<double>> v) {
  double sum = 0;
  for (auto& x : v) {
    if (!x) continue;
    sum += *x;
    x = sum;
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// Page sections.

constexpr std::string_view kStyle = R"css(
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans CJK SC",
       "PingFang SC", "Microsoft YaHei", sans-serif; margin: 2rem auto; max-width: 62rem;
       padding: 0 1rem; color: #1f2937; line-height: 1.5; }
h1 { margin-bottom: 0.2rem; }
h2 { margin-top: 2.2rem; border-bottom: 1px solid #e5e7eb; padding-bottom: 0.2rem; }
.scenario { color: #4b5563; margin-top: 0; }
table { border-collapse: collapse; margin: 0.8rem 0; font-size: 0.92rem; }
th, td { border: 1px solid #e5e7eb; padding: 0.25rem 0.6rem; text-align: left; vertical-align: top; }
th { background: #f9fafb; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.section th { background: #eef2ff; }
.ok { color: #15803d; font-weight: 600; }
.bad { color: #b91c1c; font-weight: 600; }
.note { color: #6b7280; font-size: 0.9rem; }
details { margin: 0.4rem 0; }
details pre { white-space: pre-wrap; background: #f9fafb; border: 1px solid #e5e7eb;
              padding: 0.5rem 0.7rem; font-size: 0.85rem; }
.swatch { display: inline-block; width: 0.8em; height: 0.8em; border-radius: 2px;
          margin-right: 0.35em; vertical-align: -0.05em; }
svg.chart { display: block; max-width: 100%; height: auto; margin: 1rem 0 1.6rem; }
svg.chart text { font-family: inherit; fill: #374151; }
svg.chart .ct { font-size: 15px; font-weight: 600; }
svg.chart .lg { font-size: 12px; }
svg.chart .tk { font-size: 11px; fill: #6b7280; }
svg.chart .at { font-size: 12px; }
svg.chart .nd { font-size: 14px; fill: #9ca3af; }
svg.chart .grid { stroke: #e5e7eb; stroke-width: 1; }
svg.chart .ax { stroke: #9ca3af; stroke-width: 1; }
table.creatives td { vertical-align: middle; }
svg.thumb { display: block; border-radius: 4px; }
svg.thumb .tk { font-size: 10px; fill: #4b5563; }
svg.spark polyline { fill: none; stroke: #2563eb; stroke-width: 1.5; }
svg.spark circle { fill: #2563eb; }
svg.spark .ax { stroke: #e5e7eb; stroke-width: 1; }
svg.spark .ev { stroke: #b91c1c; stroke-width: 1.5; }
@media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; } svg.chart { break-inside: avoid; } }
)css";

std::string RunName(const RunResult& r, size_t index) {
  return fmt::format("<span class=\"swatch\" style=\"background:{}\"></span>{}", RunColour(index),
                     HtmlEscape(r.name));
}

std::string ScenarioLine(const SimSummary& s) {
  std::string products;
  if (!s.our_products.empty()) {
    constexpr size_t kShown = 8;
    std::string names;
    for (size_t i = 0; i < s.our_products.size() && i < kShown; ++i) {
      names += (i ? ", " : "") + s.our_products[i];
    }
    if (s.our_products.size() > kShown)
      names += fmt::format(", +{} more", s.our_products.size() - kShown);
    products = fmt::format(" ({})", names);
  }
  return fmt::format(
      "Seed {} \u00b7 {} days \u00b7 {} users \u00b7 {} products \u00b7 {} merchants \u00b7 {} "
      "history events \u00b7 our merchant {} \u00b7 {} products promoted{} \u00b7 wall time {} s "
      "({} impressions/s)",
      s.seed, s.days, FormatCount(s.users), FormatCount(s.products), FormatCount(s.merchants),
      FormatCount(s.history_events), s.our_merchant.empty() ? "(none)" : s.our_merchant,
      s.our_products.size(), products, FormatGrouped(s.wall_seconds, 1),
      FormatGrouped(s.impressions_per_second, 0));
}

std::string SpendClause(const KpiTotals& k) {
  if (k.spend.micros() <= 0) {
    return k.budget.micros() > 0
               ? fmt::format("spent nothing of its {} budget", FormatMoney(k.budget))
               : std::string("spent nothing");
  }
  if (k.budget.micros() <= 0)
    return fmt::format("spent {} (no budget was set)", FormatMoney(k.spend));
  return fmt::format("spent {} of {} ({})", FormatMoney(k.spend), FormatMoney(k.budget),
                     FormatPercent(k.spend.units() / k.budget.units(), 0));
}

std::string RoiText(const KpiTotals& k) {
  return k.spend.micros() > 0 ? FormatGrouped(k.roi(), 2) : std::string("n/a");
}

// Plain-text sentences comparing the runs (escaped by the caller).
std::vector<std::string> ComparisonSentences(const SimSummary& summary) {
  std::vector<std::string> out;
  const std::vector<const RunResult*> runs = RunsInDisplayOrder(summary);
  if (runs.empty()) {
    out.push_back("No runs were recorded.");
    return out;
  }
  const RunResult& base = *runs.front();
  const KpiTotals& b = base.ours;
  if (b.spend.micros() > 0) {
    out.push_back(
        fmt::format("The {} {} and returned ROI {} on {} of ad-attributed GMV from {} purchases "
                    "({} clicks on {} impressions).",
                    RunPhrase(base), SpendClause(b), RoiText(b), FormatMoney(b.gmv),
                    FormatCount(b.purchases), FormatCount(b.clicks), FormatCount(b.impressions)));
  } else {
    out.push_back(fmt::format("The {} {}, so it has no ROI ({} impressions, {} purchases).",
                              RunPhrase(base), SpendClause(b), FormatCount(b.impressions),
                              FormatCount(b.purchases)));
  }
  for (size_t i = 1; i < runs.size(); ++i) {
    const RunResult& r = *runs[i];
    const KpiTotals& k = r.ours;
    if (SameResults(base, r)) {
      if (runs.size() == 2) {
        out.push_back(r.policy_description == base.policy_description
                          ? "The two runs are identical: the autopilot currently uses the same "
                            "baseline policy as the manual plan."
                          : fmt::format("The two runs are identical: the {} produced exactly the "
                                        "same results as the {}.",
                                        RunPhrase(r), RunPhrase(base)));
      } else {
        out.push_back(fmt::format("The {} produced exactly the same results as the {}.",
                                  RunPhrase(r), RunPhrase(base)));
      }
      continue;
    }
    std::string gmv_change;
    if (b.gmv.micros() != 0) {
      gmv_change = Change(b.gmv.units(), k.gmv.units()) + " GMV";
    } else if (k.gmv.micros() == 0) {
      gmv_change = "no ad-attributed GMV in either run";
    } else {
      gmv_change = fmt::format("GMV {} against none", FormatMoney(k.gmv));
    }
    if (k.spend.micros() > 0) {
      out.push_back(fmt::format("The {} {} and returned ROI {} against {} for the {} ({}).",
                                RunPhrase(r), SpendClause(k), RoiText(k), RoiText(b),
                                RunPhrase(base), gmv_change));
    } else {
      out.push_back(fmt::format("The {} {}, so it has no ROI (the {}: ROI {}; {}).", RunPhrase(r),
                                SpendClause(k), RunPhrase(base), RoiText(b), gmv_change));
    }
  }
  // Pacing against the plan, for every run with a plan.
  std::vector<std::string> pacing;
  for (const RunResult* r : runs) {
    Money planned;
    Money spent;
    for (const HourPoint& p : r->hourly) {
      planned += p.planned_spend;
      spent += p.ours.spend;
    }
    if (planned.micros() > 0) {
      pacing.push_back(fmt::format("the {} ended at {} of its planned spend", RunPhrase(*r),
                                   FormatPercent(spent.units() / planned.units(), 0)));
    }
  }
  if (!pacing.empty()) {
    std::string sentence = "Pacing: ";
    for (size_t i = 0; i < pacing.size(); ++i) {
      sentence += (i == 0 ? "" : i + 1 == pacing.size() ? " and " : ", ") + pacing[i];
    }
    out.push_back(sentence + ".");
  }
  // Our place in the market.
  const KpiTotals& m = base.market;
  if (m.impressions > 0) {
    out.push_back(fmt::format(
        "Across the whole market the {} run served {} ad impressions from {} auctioned slots; "
        "ours were {} of them and {} of all ad spend. Organic (not ad-attributed) GMV: {} from {} "
        "organic views.",
        base.name, FormatCount(m.impressions), FormatCount(base.opportunities),
        FormatPercent(static_cast<double>(b.impressions) / static_cast<double>(m.impressions), 1),
        m.spend.micros() > 0 ? FormatPercent(b.spend.units() / m.spend.units(), 1) : "n/a",
        FormatMoney(base.organic_gmv), FormatCount(base.organic_views)));
  }
  return out;
}

std::string WhatHappened(const SimSummary& s) {
  std::string out = "<section id=\"what-happened\">\n<h2>What happened</h2>\n";
  for (const std::string& line : s.findings) out += fmt::format("<p>{}</p>\n", HtmlEscape(line));
  for (const std::string& line : ComparisonSentences(s)) {
    out += fmt::format("<p>{}</p>\n", HtmlEscape(line));
  }
  return out + "</section>\n";
}

std::string ComparisonTable(const SimSummary& s) {
  const std::vector<const RunResult*> runs = RunsInDisplayOrder(s);
  std::string out = "<section id=\"runs\">\n<h2>Runs compared</h2>\n";
  if (runs.empty()) return out + "<p>No runs were recorded.</p>\n</section>\n";
  // With a manual plan and an autopilot, a change column shows autopilot against manual; with the
  // baseline-insight run too, another shows the autopilot against it (the learned insight's lift).
  const bool manual_autopilot =
      runs.size() >= 2 && runs[0]->name == "manual" && runs[1]->name == "autopilot";
  const bool with_lift =
      manual_autopilot && runs.size() == 3 && runs[2]->name == kBaselineInsightRun;
  const bool with_change = manual_autopilot && (runs.size() == 2 || with_lift);
  out += "<table>\n<thead><tr><th></th>";
  for (size_t i = 0; i < runs.size(); ++i) {
    out += fmt::format("<th class=\"num\">{}</th>", RunName(*runs[i], i));
  }
  if (with_change) out += "<th class=\"num\">autopilot vs manual</th>";
  if (with_lift) out += "<th class=\"num\">learned vs baseline insight</th>";
  out += "</tr></thead>\n<tbody>\n";
  const size_t cols = runs.size() + 1 + (with_change ? 1 : 0) + (with_lift ? 1 : 0);
  auto section = [&](std::string_view title) {
    out += fmt::format("<tr class=\"section\"><th colspan=\"{}\">{}</th></tr>\n", cols, title);
  };
  // One row: a formatted cell per run, and the relative change of the raw values.
  auto row = [&](std::string_view label, auto&& text, auto&& raw) {
    out += fmt::format("<tr><th>{}</th>", label);
    for (const RunResult* r : runs) out += fmt::format("<td class=\"num\">{}</td>", text(*r));
    if (with_change) {
      out += fmt::format("<td class=\"num\">{}</td>", Change(raw(*runs[0]), raw(*runs[1])));
    }
    if (with_lift) {
      out += fmt::format("<td class=\"num\">{}</td>", Change(raw(*runs[2]), raw(*runs[1])));
    }
    out += "</tr>\n";
  };
  auto kpi_rows = [&](auto&& kpi, bool with_budget) {
    auto money_row = [&](std::string_view label, Money KpiTotals::*field) {
      row(
          label, [&](const RunResult& r) { return FormatMoney(kpi(r).*field); },
          [&](const RunResult& r) { return (kpi(r).*field).units(); });
    };
    auto count_row = [&](std::string_view label, uint64_t KpiTotals::*field) {
      row(
          label, [&](const RunResult& r) { return FormatCount(kpi(r).*field); },
          [&](const RunResult& r) { return static_cast<double>(kpi(r).*field); });
    };
    auto ratio_row = [&](std::string_view label, double (KpiTotals::*fn)() const, bool percent) {
      row(
          label,
          [&](const RunResult& r) {
            const KpiTotals& k = kpi(r);
            if (fn == &KpiTotals::roi && k.spend.micros() <= 0) return std::string("n/a");
            return percent ? FormatPercent((k.*fn)()) : FormatGrouped((k.*fn)(), 2);
          },
          [&](const RunResult& r) { return (kpi(r).*fn)(); });
    };
    if (with_budget) money_row("Budget", &KpiTotals::budget);
    money_row("Spend", &KpiTotals::spend);
    count_row("Impressions", &KpiTotals::impressions);
    count_row("Clicks", &KpiTotals::clicks);
    ratio_row("CTR", &KpiTotals::ctr, true);
    count_row("Purchases", &KpiTotals::purchases);
    ratio_row("CVR", &KpiTotals::cvr, true);
    money_row("GMV", &KpiTotals::gmv);
    ratio_row("ROI", &KpiTotals::roi, false);
  };
  section("Ours (ad-attributed)");
  kpi_rows([](const RunResult& r) -> const KpiTotals& { return r.ours; }, true);
  row(
      "Days ROI met the goal",
      [](const RunResult& r) { return fmt::format("{} of {}", r.days_on_target, r.daily.size()); },
      [](const RunResult& r) { return static_cast<double>(r.days_on_target); });
  const bool any_limit = std::any_of(runs.begin(), runs.end(),
                                     [](const RunResult* r) { return r->lp_limit.measured; });
  if (any_limit) {
    // The hindsight optimum (sim/lp_limit_tap.h): expected GMV won / the LP limit of the run.
    row(
        "Share of the LP limit",
        [](const RunResult& r) {
          return r.lp_limit.measured ? FormatPercent(r.lp_limit.fraction()) : std::string("n/a");
        },
        [](const RunResult& r) { return r.lp_limit.fraction(); });
  }
  section("Market (every advertiser, ours included)");
  kpi_rows([](const RunResult& r) -> const KpiTotals& { return r.market; }, false);
  row(
      "Ad slots auctioned", [](const RunResult& r) { return FormatCount(r.opportunities); },
      [](const RunResult& r) { return static_cast<double>(r.opportunities); });
  row(
      "Organic views", [](const RunResult& r) { return FormatCount(r.organic_views); },
      [](const RunResult& r) { return static_cast<double>(r.organic_views); });
  row(
      "Organic GMV", [](const RunResult& r) { return FormatMoney(r.organic_gmv); },
      [](const RunResult& r) { return r.organic_gmv.units(); });
  out += "</tbody>\n</table>\n";
  out += "<p class=\"note\">Policies: ";
  for (size_t i = 0; i < runs.size(); ++i) {
    out +=
        fmt::format("{}<b>{}</b>: {}", i ? "; " : "", HtmlEscape(runs[i]->name),
                    HtmlEscape(runs[i]->policy_description.empty() ? "(not described)"
                                                                   : runs[i]->policy_description));
  }
  out += ".</p>\n";
  if (any_limit) {
    out +=
        "<p class=\"note\">Share of the LP limit: the expected GMV of the auctions our ads won, "
        "against the most expected GMV any bidding could have bought in the same auctions with "
        "the same budget at the goal ROI, knowing every price and every user's true response in "
        "hindsight (the global LP optimum; evaluation only).</p>\n";
  }

  // By channel, as numbers beside chart (c).
  out +=
      "<h3>By channel</h3>\n<table>\n<thead><tr><th>Channel</th><th>Run</th>"
      "<th class=\"num\">Our impressions</th><th class=\"num\">Our spend</th>"
      "<th class=\"num\">Our CTR</th><th class=\"num\">Our CVR</th><th class=\"num\">Our ROI</th>"
      "<th class=\"num\">Market impressions</th><th class=\"num\">Market CTR</th>"
      "<th class=\"num\">Market CVR</th></tr></thead>\n<tbody>\n";
  for (Channel c : kAllChannels) {
    const auto ci = static_cast<size_t>(c);
    for (size_t i = 0; i < runs.size(); ++i) {
      const KpiTotals& o = runs[i]->ours_by_channel[ci];
      const KpiTotals& m = runs[i]->market_by_channel[ci];
      out += "<tr>";
      if (i == 0) {
        out += fmt::format("<th rowspan=\"{}\">{} <span lang=\"zh-Hans\">{}</span></th>",
                           runs.size(), ChannelName(c), ChannelNameZh(c));
      }
      out += fmt::format(
          "<td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
          "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
          "<td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n",
          RunName(*runs[i], i), FormatCount(o.impressions), FormatMoney(o.spend),
          FormatPercent(o.ctr()), FormatPercent(o.cvr()), RoiText(o), FormatCount(m.impressions),
          FormatPercent(m.ctr()), FormatPercent(m.cvr()));
    }
  }
  out += "</tbody>\n</table>\n</section>\n";
  return out;
}

std::string Charts(const SimSummary& s) {
  const std::vector<const RunResult*> runs = RunsInDisplayOrder(s);
  std::string out = "<section id=\"charts\">\n<h2>Charts</h2>\n";
  if (runs.empty()) return out + "<p>No runs were recorded.</p>\n</section>\n";

  std::vector<LineSeries> spend, roi, gmv, traffic, alpha;
  for (size_t i = 0; i < runs.size(); ++i) {
    const RunResult& r = *runs[i];
    const std::string colour = RunColour(i);
    spend.push_back({r.name + " spend", colour, false, Cumulative(Hourly(r, [](const HourPoint& p) {
                       return p.ours.spend.units();
                     }))});
    spend.push_back({r.name + " plan", colour, true, Cumulative(Hourly(r, [](const HourPoint& p) {
                       return p.planned_spend.units();
                     }))});
    roi.push_back(
        {r.name, colour, false, Hourly(r, [](const HourPoint& p) -> std::optional<double> {
           if (p.ours.spend.micros() <= 0) return std::nullopt;
           return p.ours.roi();
         })});
    gmv.push_back(
        {r.name, colour, false, Hourly(r, [](const HourPoint& p) { return p.ours.gmv.units(); })});
    bool steered = false;
    for (const HourPoint& p : r.hourly) steered |= p.alpha > 0;
    if (steered) {
      alpha.push_back(
          {r.name, colour, false, Hourly(r, [](const HourPoint& p) { return p.alpha; })});
    }
    traffic.push_back({r.name, colour, false, Hourly(r, [](const HourPoint& p) {
                         return static_cast<double>(p.market.impressions);
                       })});
  }
  out += LineChart("Our cumulative spend against the pacing plan", "spend (currency units)", spend);
  out += LineChart("Our ROI by hour (GMV / spend; gaps where nothing was spent)", "ROI", roi);
  out += LineChart("Our ad-attributed GMV by hour", "GMV (currency units)", gmv);
  if (!alpha.empty()) {
    out += LineChart("Super plan: the bid multiplier alpha by hour (bid = alpha x value)", "alpha",
                     alpha);
  }

  std::vector<BarGroup> groups;
  for (Channel c : kAllChannels) {
    groups.push_back({std::string(ChannelName(c)), std::string(ChannelNameZh(c)), "zh-Hans"});
  }
  auto channel_bars = [&](double (KpiTotals::*fn)() const) {
    std::vector<BarSeries> bars;
    for (size_t i = 0; i < runs.size(); ++i) {
      BarSeries ours{runs[i]->name + " ours", RunColour(i), 1.0, {}};
      BarSeries market{runs[i]->name + " market", RunColour(i), 0.4, {}};
      for (Channel c : kAllChannels) {
        const auto ci = static_cast<size_t>(c);
        ours.values.push_back((runs[i]->ours_by_channel[ci].*fn)() * 100.0);
        market.values.push_back((runs[i]->market_by_channel[ci].*fn)() * 100.0);
      }
      bars.push_back(std::move(ours));
      bars.push_back(std::move(market));
    }
    return bars;
  };
  out += BarChart("Click-through rate by channel, ours and the market", "CTR (%)", "%", groups,
                  channel_bars(&KpiTotals::ctr));
  out += BarChart("Conversion rate by channel, ours and the market", "CVR (% of clicks)", "%",
                  groups, channel_bars(&KpiTotals::cvr));
  out += LineChart("Market-wide ad impressions by hour (the daily traffic curve)", "impressions",
                   traffic);
  return out + "</section>\n";
}

std::string Actions(const SimSummary& s) {
  const std::vector<const RunResult*> runs = RunsInDisplayOrder(s);
  std::string out = "<section id=\"actions\">\n<h2>What the decision makers did</h2>\n";
  if (runs.empty()) return out + "<p>No runs were recorded.</p>\n</section>\n";
  for (size_t i = 0; i < runs.size(); ++i) {
    const RunResult& r = *runs[i];
    out += fmt::format("<h3>{} ({} actions)</h3>\n", RunName(r, i), FormatCount(r.actions.size()));
    if (r.actions.empty()) {
      out += fmt::format("<p>The {} took no actions.</p>\n", HtmlEscape(RunPhrase(r)));
      continue;
    }
    out += "<table>\n<thead><tr><th>Simulated time</th><th>Action</th></tr></thead>\n<tbody>\n";
    const size_t shown = std::min(r.actions.size(), kMaxActionRows);
    for (size_t a = 0; a < shown; ++a) {
      out += fmt::format("<tr><td class=\"num\">{}</td><td>{}</td></tr>\n",
                         HtmlEscape(SimTime{r.actions[a].minute}.ToString()),
                         HtmlEscape(r.actions[a].text));
    }
    out += "</tbody>\n</table>\n";
    if (r.actions.size() > shown) {
      out += fmt::format(
          "<p class=\"note\">{} more actions are not shown here; summary.json lists them "
          "all.</p>\n",
          FormatCount(r.actions.size() - shown));
    }
  }
  return out + "</section>\n";
}

std::string Diagnoses(const SimSummary& s) {
  const std::vector<const RunResult*> runs = RunsInDisplayOrder(s);
  std::string out =
      "<section id=\"diagnoses\">\n<h2>Diagnoses, as they happened</h2>\n<p class=\"note\">The "
      "live monitor watches our plans hour by hour; when a KPI moves against its usual level for "
      "that hour of the day, the diagnosis agents compare the last hours with the same hours a day "
      "earlier and name the likely cause and what to do.</p>\n";
  for (size_t i = 0; i < runs.size(); ++i) {
    const RunResult& r = *runs[i];
    out +=
        fmt::format("<h3>{} ({} diagnoses)</h3>\n", RunName(r, i), FormatCount(r.diagnoses.size()));
    if (r.diagnoses.empty()) {
      out += "<p>No KPI of our plans moved beyond its usual range.</p>\n";
      continue;
    }
    for (const DiagnosisNote& d : r.diagnoses) {
      out += fmt::format(
          "<details><summary><b>{}</b>{}: {} &rarr; likely cause <b>{}</b> (confidence "
          "{:.2f})</summary>\n<pre>{}</pre>\n<pre lang=\"zh\">{}</pre>\n</details>\n",
          HtmlEscape(SimTime{d.minute}.ToString()), d.notice ? " (notice: own setting)" : "",
          HtmlEscape(d.trigger), HtmlEscape(d.cause), d.confidence, HtmlEscape(d.report_en),
          HtmlEscape(d.report_zh));
    }
  }
  return out + "</section>\n";
}

std::string Calibration(const SimSummary& s) {
  std::string out = "<section id=\"calibration\">\n<h2>Calibration</h2>\n";
  if (s.calibration.empty()) {
    return out + "<p>No calibration facts were checked in this run.</p>\n</section>\n";
  }
  const auto within =
      static_cast<size_t>(std::count_if(s.calibration.begin(), s.calibration.end(),
                                        [](const CalibrationRow& r) { return r.within; }));
  out +=
      fmt::format("<p>{} of {} facts are within their target.</p>\n", within, s.calibration.size());
  out +=
      "<table>\n<thead><tr><th>Fact</th><th>Target</th><th class=\"num\">Simulated</th>"
      "<th>Within</th></tr></thead>\n<tbody>\n";
  for (const CalibrationRow& row : s.calibration) {
    const std::string unit = row.unit.empty() ? "" : (row.unit == "%" ? row.unit : " " + row.unit);
    out += fmt::format(
        "<tr><td>{}</td><td>{}</td><td class=\"num\">{}{}</td><td class=\"{}\">{}</td></tr>\n",
        HtmlEscape(row.fact), HtmlEscape(row.target), Adaptive(row.simulated), HtmlEscape(unit),
        row.within ? "ok" : "bad", row.within ? "\u2713 yes" : "\u2717 no");
  }
  return out + "</tbody>\n</table>\n</section>\n";
}

}  // namespace

std::string RenderReportHtml(const SimSummary& summary) {
  std::string out;
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<title>Chengfang run report</title>\n<style>";
  out += kStyle;
  out += "</style>\n</head>\n<body>\n<header>\n<h1>Chengfang run report</h1>\n";
  out += fmt::format("<p class=\"scenario\">{}</p>\n</header>\n<main>\n",
                     HtmlEscape(ScenarioLine(summary)));
  out += WhatHappened(summary);
  out += ComparisonTable(summary);
  out += Charts(summary);
  out += Actions(summary);
  out += Diagnoses(summary);
  {
    const std::vector<const RunResult*> runs = RunsInDisplayOrder(summary);
    std::vector<std::string> headings;
    for (size_t i = 0; i < runs.size(); ++i) headings.push_back(RunName(*runs[i], i));
    out += CreativesSection(runs, headings, summary.days);
  }
  out += Calibration(summary);
  out +=
      "</main>\n<footer><p class=\"note\">Generated by chengfang run. This page is "
      "self-contained and works offline; the same totals are in summary.json.</p></footer>\n";
  out += "</body>\n</html>\n";
  return out;
}

void WriteReportHtml(const SimSummary& summary, const std::filesystem::path& path) {
  WriteFileAtomic(path, RenderReportHtml(summary));
}

}  // namespace cf
