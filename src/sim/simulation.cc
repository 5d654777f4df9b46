#include "sim/simulation.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <map>
#include <span>
#include <thread>

#include "common/event_log.h"
#include "market/competitors.h"
#include "market/completejourney.h"
#include "market/faults.h"
#include "market/history.h"
#include "market/world.h"
#include "sim/calibration.h"
#include "sim/diagnosis_scoring.h"
#include "sim/loop_runner.h"
#include "sim/report_html.h"
#include "sim/summary_json.h"

namespace cf {

OurSelection ChooseOurMerchant(const WorldSpec& spec, uint32_t n) {
  const Catalogue& cat = spec.catalogue();
  // How many users care about each category: a merchant worth simulating sells what many want.
  std::vector<double> reach(cat.categories.size(), 0.0);
  for (const UserTraits& u : spec.users()) {
    for (int i = 0; i < u.num_interests; ++i) reach[u.interest[i]] += 1;
  }
  OurSelection best;
  double best_score = -1;
  std::vector<std::pair<double, ProductId>> scored;
  std::vector<int> per_category(cat.categories.size(), 0);
  for (const Merchant& m : cat.merchants) {
    scored.clear();
    for (ProductId p : m.products) {
      if (!cat.product(p).price_observed) continue;
      scored.emplace_back(spec.products()[p].popularity * std::sqrt(reach[cat.product(p).category]),
                          p);
    }
    if (scored.size() < n) continue;
    std::sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    // The best products, at most 3 per category so the plan reaches several audiences.
    std::fill(per_category.begin(), per_category.end(), 0);
    std::vector<ProductId> chosen;
    double score = 0;
    for (const auto& [sc, p] : scored) {
      int& k = per_category[cat.product(p).category];
      if (k >= 3) continue;
      ++k;
      chosen.push_back(p);
      score += sc;
      if (chosen.size() == n) break;
    }
    if (chosen.size() < n) continue;
    // Prefer a mid-sized merchant: the very largest ones are pooled private labels.
    score /= std::sqrt(static_cast<double>(m.products.size()));
    if (score > best_score) {
      best_score = score;
      best.merchant = m.id;
      best.products = chosen;
    }
  }
  if (best.merchant == kNoId) {
    throw std::runtime_error(fmt::format(
        "no merchant sells {} products with observed prices in enough categories; lower "
        "scenario.our_products",
        n));
  }
  return best;
}

RunSetup MakeRunSetup(const std::string& name, const WorldSpec& spec, const EventLog& history,
                      const std::vector<QueryId>& query_ids, const OurSelection& ours,
                      const SimConfig& config) {
  const ScenarioConfig& sc = config.scenario;
  RunSetup setup;
  setup.name = name;
  setup.policy = "media_buyer";
  setup.spec = &spec;
  setup.history = &history;
  setup.query_ids = &query_ids;
  setup.competitor_plans = BuildCompetitorPlans(spec, ours.merchant, 0);
  setup.our_plan.merchant = ours.merchant;
  setup.our_plan.name =
      fmt::format("{} main plan", spec.catalogue().merchants.at(ours.merchant).name);
  setup.our_plan.products = ours.products;
  setup.our_plan.total_budget = Money::FromUnits(sc.our_budget);
  setup.our_plan.daily_budget = Money::FromUnits(sc.our_budget / sc.days);
  setup.goal_roi = sc.our_goal_roi;
  setup.objective = *ParseObjective(sc.objective);
  setup.platform = config.platform;
  setup.diagnosis = sc.diagnosis;
  return setup;
}

ScenarioWorld BuildScenarioWorld(const SimConfig& config, const std::filesystem::path& data_dir,
                                 FILE* progress) {
  const ScenarioConfig& sc = config.scenario;
  if (progress) {
    fmt::print(progress, "building the world: {} users, {} products, {} days, seed {}\n", sc.users,
               sc.products, sc.days, sc.seed);
    std::fflush(progress);
  }
  LoadOptions lo;
  lo.max_products = sc.products;
  lo.merchants = sc.merchants;
  lo.seed = sc.seed;
  ScenarioWorld w;
  w.spec = WorldSpec::Build(LoadCompleteJourney(data_dir / "completejourney", lo), config.market,
                            sc.users, sc.days, sc.seed);
  w.history = EventLog::InMemory();
  GenerateHistory(*w.spec, *w.history, &w.query_ids);
  w.ours = ChooseOurMerchant(*w.spec, sc.our_products);
  return w;
}

namespace {

class Progress {
 public:
  explicit Progress(FILE* out) : out_(out), start_(std::chrono::steady_clock::now()) {}
  void Stage(const std::string& what, double fraction) {
    if (!out_) return;
    fmt::print(out_, "\r[{:6.1f}s] {:<40} {:5.1f}%", Elapsed(), what, 100 * fraction);
    if (fraction >= 1.0) fmt::print(out_, "\n");
    std::fflush(out_);
  }
  double Elapsed() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }
  FILE* out() const { return out_; }

 private:
  FILE* out_;
  std::chrono::steady_clock::time_point start_;
};

// Waits for the studio (showing progress) and gives each of our creatives its media; the report
// embeds the thumbnails.
void AttachCreativeMedia(CreativeStudio& studio, const SimulationOptions& options,
                         std::span<RunResult> results) {
  for (;;) {
    const auto [made, n] = studio.Progress();
    if (options.progress_out) {
      fmt::print(options.progress_out, "\rmaking creative media: {}/{}   ", made, n);
      std::fflush(options.progress_out);
    }
    if (made >= n) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  studio.Finish();
  size_t failed = 0;
  std::string first_error;
  std::map<std::string, std::string> pngs;  // by file: both runs share most creatives' media
  for (RunResult& r : results) {
    for (CreativeRow& row : r.creatives) {
      row.media = studio.Media(row.creative);
      if (!row.media.error.empty() && failed++ == 0) first_error = row.media.error;
      if (row.media.thumbnail.empty()) continue;
      auto [it, added] = pngs.try_emplace(row.media.thumbnail);
      if (added) {
        std::ifstream in(options.out_dir / row.media.thumbnail, std::ios::binary);
        it->second.assign(std::istreambuf_iterator<char>(in), {});
      }
      row.thumbnail_png = it->second;
    }
  }
  if (options.progress_out) {
    fmt::print(options.progress_out, "\n");
    if (failed > 0) {
      fmt::print(options.progress_out,
                 "warning: {} creatives have no media (first: {}); the report shows a card for "
                 "them\n",
                 failed, first_error);
    }
  }
}

}  // namespace

SimSummary RunSimulation(const SimConfig& config, const SimulationOptions& options) {
  const ScenarioConfig& sc = config.scenario;
  Progress progress(options.progress_out);
  const auto t0 = std::chrono::steady_clock::now();

  if (options.write_files) {
    // Fail before any work if the results cannot be written.
    std::error_code ec;
    std::filesystem::create_directories(options.out_dir, ec);
    if (ec || access(options.out_dir.c_str(), W_OK) != 0) {
      throw std::runtime_error(
          fmt::format("cannot write to the output folder {}: {}; choose another with --out",
                      options.out_dir.string(), ec ? ec.message() : std::strerror(errno)));
    }
  }
  LoadOptions lo;
  lo.max_products = sc.products;
  lo.merchants = sc.merchants;
  lo.seed = sc.seed;
  progress.Stage("loading Complete Journey data", 0.0);
  RealData data = LoadCompleteJourney(options.data_dir / "completejourney", lo);
  progress.Stage("loading Complete Journey data", 1.0);
  auto spec = WorldSpec::Build(std::move(data), config.market, sc.users, sc.days, sc.seed,
                               [&](const std::string& s, double f) { progress.Stage(s, f); });

  auto history = EventLog::InMemory();
  std::vector<QueryId> qids;
  const HistoryStats hs =
      GenerateHistory(*spec, *history, &qids, [&](const std::string& s, double f) {
        progress.Stage("generating pre-campaign history", f);
        (void)s;
      });
  if (progress.out()) {
    fmt::print(progress.out(), "history: {} events, {} users with 10,000+ events\n", hs.events,
               hs.users_with_10k);
  }

  const OurSelection ours = ChooseOurMerchant(*spec, sc.our_products);
  const Catalogue& cat = spec->catalogue();
  const std::vector<FaultLabel> faults = ResolveFaults(*spec, config.market.faults, ours.products);
  const RunSetup base_setup = MakeRunSetup("", *spec, *history, qids, ours, config);
  std::unique_ptr<CreativeStudio> studio;
  if (options.write_files && options.make_studio) studio = options.make_studio(cat);

  // The runs, on the same world with common random numbers: the manual media buyer, the
  // autopilot and, with a learned insight, the autopilot again with the baseline insight (the
  // smoothed counts), which measures the insight's lift on the same traffic.
  std::vector<std::string> names = {"manual", "autopilot"};
  const bool insight_lift = sc.insight_lift && config.platform.predictor != "smoothed";
  if (insight_lift) names.push_back(kBaselineInsightRun);
  const size_t n_runs = names.size();
  std::vector<RunResult> results(n_runs);
  std::vector<std::atomic<uint64_t>> imps(n_runs);
  std::vector<std::atomic<uint32_t>> minutes(n_runs);
  MarketSampler sampler(*spec, *history);
  std::vector<std::exception_ptr> errors(n_runs);
  auto run = [&](size_t i) {
    try {
      RunSetup setup = base_setup;
      setup.name = names[i];
      if (i >= 1) setup.policy = sc.autopilot;
      setup.faults = faults;
      // The lift run only measures the insight: no files, no live diagnosis (which only
      // observes, so its results are the same without it), no creative media.
      const bool lift_run = names[i] == kBaselineInsightRun;
      if (lift_run) {
        setup.platform.predictor = "smoothed";
        setup.platform.predictor_load.clear();
        setup.diagnosis = false;
        setup.keep_events = false;
      }
      if (options.write_files && sc.write_events && !lift_run) {
        std::filesystem::create_directories(options.out_dir / names[i]);
        setup.event_log = options.out_dir / names[i] / "events.cflog";
        setup.keep_events = false;  // nothing reads the run's log back: it lives in the file
        if (sc.diagnosis) setup.diagnosis_journal = options.out_dir / names[i] / "diagnosis.jsonl";
      }
      if (options.write_files && setup.platform.predictor == "learned") {
        std::filesystem::create_directories(options.out_dir / names[i]);
        setup.predictor_out = options.out_dir / names[i] / "ranking_model.bin";
      }
      if (options.write_files && sc.tap && !lift_run) {
        std::filesystem::create_directories(options.out_dir / names[i]);
        setup.tap_file = options.out_dir / names[i] / "tap.csv";
      }
      setup.lp_limit = sc.lp_limit;  // the share of the hindsight LP limit in the report
      setup.progress_impressions = &imps[i];
      setup.progress_minute = &minutes[i];
      if (i == 0) setup.on_event = [&](const Event& e) { sampler.Observe(e); };
      if (studio && !lift_run) {
        setup.on_our_creative = [&](const Creative& c) { studio->Submit(c); };
      }
      results[i] = RunLoop(setup);
    } catch (...) {
      errors[i] = std::current_exception();
    }
  };
  const auto loop_start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (size_t i = 0; i < n_runs; ++i) threads.emplace_back(run, i);
  const uint32_t total_minutes = sc.days * kMinutesPerDay;
  auto all_done = [&] {
    for (size_t i = 0; i < n_runs; ++i) {
      if (errors[i]) return true;
      if (minutes[i].load() < total_minutes) return false;
    }
    return true;
  };
  while (options.progress_out && !all_done()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    uint32_t m = total_minutes;
    uint64_t done = 0;
    for (size_t i = 0; i < n_runs; ++i) {
      m = std::min(m, minutes[i].load());
      done += imps[i].load();
    }
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - loop_start).count();
    const double rate = done / std::max(1e-9, secs);
    const double frac = static_cast<double>(m) / total_minutes;
    const double eta = frac > 0.01 ? secs / frac - secs : 0;
    std::string media;
    if (studio) {
      const auto [made, n] = studio->Progress();
      media = fmt::format(" | creatives {}/{}", made, n);
    }
    fmt::print(options.progress_out,
               "\rsimulating {} runs: day {}/{} {:02d}:00 | {:>9.0f} ad opportunities/s{} | ETA "
               "{:4.0f}s   ",
               n_runs, m / kMinutesPerDay + 1, sc.days, (m % kMinutesPerDay) / 60, rate, media,
               eta);
    std::fflush(options.progress_out);
  }
  for (std::thread& t : threads) t.join();
  if (options.progress_out) fmt::print(options.progress_out, "\n");
  for (auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
  {
    // One limit for all runs: each tap saw the auctions its own run produced (a plan whose budget
    // ran out stopped entering them), so the largest LP optimum is the best estimate of it.
    LpLimit best = results[0].lp_limit;
    for (const RunResult& r : results) {
      if (r.lp_limit.value > best.value) best = r.lp_limit;
    }
    for (RunResult& r : results) {
      r.lp_limit.value = best.value;
      r.lp_limit.cost = best.cost;
    }
  }
  const double loop_secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - loop_start).count();
  // The lift run's creatives are the autopilot's; the studio was not given them.
  if (studio) AttachCreativeMedia(*studio, options, std::span(results.data(), 2));

  SimSummary summary;
  summary.seed = sc.seed;
  summary.days = sc.days;
  summary.users = sc.users;
  summary.products = static_cast<uint32_t>(cat.products.size());
  summary.merchants = static_cast<uint32_t>(cat.merchants.size());
  summary.history_events = hs.events;
  summary.our_merchant = cat.merchants[ours.merchant].name;
  for (ProductId p : ours.products) {
    summary.our_products.push_back(fmt::format("{} ({}, {})", cat.ProductName(p),
                                               cat.categories[cat.product(p).category],
                                               cat.product(p).shelf_price.ToString()));
  }
  uint64_t total_imps = 0;
  for (size_t i = 0; i < n_runs; ++i) {
    total_imps += results[i].market.impressions;
    summary.runs[names[i]] = results[i];
  }
  summary.impressions_per_second = total_imps / std::max(1e-9, loop_secs);
  summary.calibration = Calibrate(*spec, sampler.Sample(), results[0]);
  for (const FaultLabel& f : faults) {
    if (f.start >= spec->flight_start() + sc.days * kMinutesPerDay) continue;  // after the flight
    summary.findings.push_back(fmt::format("Injected at {} of the flight: {}.",
                                           SimTime{f.start - spec->flight_start()}.ToString(),
                                           f.description));
  }
  const RunResult& m = results[0];
  if (sc.diagnosis) {
    const SimMinute flight_end = spec->flight_start() + sc.days * kMinutesPerDay;
    for (const FaultVerdict& v : ScoreDiagnoses(faults, m, spec->flight_start(), flight_end)) {
      summary.findings.push_back("Live diagnosis (manual run): " + v.ToString());
    }
    summary.findings.push_back(fmt::format(
        "The live diagnosis raised {} findings in the manual run; see the report's diagnoses.",
        m.diagnoses.size()));
  }
  summary.findings.push_back(fmt::format(
      "Our merchant {} promoted {} products: {} impressions, {} clicks (CTR {:.2f}%), {} purchases "
      "(CVR {:.2f}%), spend {} of {} for GMV {} (ROI {:.2f}) under the manual plan.",
      summary.our_merchant, ours.products.size(), FormatGrouped(m.ours.impressions, 0),
      FormatGrouped(m.ours.clicks, 0), 100 * m.ours.ctr(), FormatGrouped(m.ours.purchases, 0),
      100 * m.ours.cvr(), FormatMoney(m.ours.spend), FormatMoney(m.ours.budget),
      FormatMoney(m.ours.gmv), m.ours.roi()));
  summary.findings.push_back(fmt::format(
      "Other merchants sent {} coupons ({} redeemed) and paid influencers for {} sponsored posts "
      "(fees {}).",
      FormatGrouped(m.coupons_issued, 0), FormatGrouped(m.coupons_redeemed, 0), m.sponsored_posts,
      FormatMoney(m.influencer_fees)));
  if (sc.autopilot != "media_buyer") {
    const RunResult& a = results[1];
    const double gmv_change =
        m.ours.gmv.micros() > 0 ? 100 * (a.ours.gmv.units() / m.ours.gmv.units() - 1) : 0.0;
    summary.findings.push_back(fmt::format(
        "The autopilot ({}) made GMV {} on spend {} (ROI {:.2f}, the goal {:.2f} met on {} of {} "
        "days) against the manual plan's {} on {} (ROI {:.2f}, {} of {} days): {:+.1f}% GMV. "
        "Share of the hindsight LP limit: {:.1f}% against {:.1f}%.",
        sc.autopilot, FormatMoney(a.ours.gmv), FormatMoney(a.ours.spend), a.ours.roi(),
        sc.our_goal_roi, a.days_on_target, a.daily.size(), FormatMoney(m.ours.gmv),
        FormatMoney(m.ours.spend), m.ours.roi(), m.days_on_target, m.daily.size(), gmv_change,
        100 * a.lp_limit.fraction(), 100 * m.lp_limit.fraction()));
  }
  if (insight_lift) {
    const RunResult& a = results[1];
    const RunResult& b = results[2];
    auto change = [](double x, double base) { return base > 0 ? 100 * (x / base - 1) : 0.0; };
    summary.findings.push_back(fmt::format(
        "Insight lift on the same traffic: with the learned pCTR/pCVR ({}) the autopilot made GMV "
        "{} on spend {} (ROI {:.2f}) against {} on {} (ROI {:.2f}) with the baseline insight "
        "(smoothed counts, run {}): {:+.1f}% GMV. Market-wide ad CTR {:.2f}% against {:.2f}%, ad "
        "GMV {} against {} ({:+.1f}%).",
        config.platform.predictor, FormatMoney(a.ours.gmv), FormatMoney(a.ours.spend), a.ours.roi(),
        FormatMoney(b.ours.gmv), FormatMoney(b.ours.spend), b.ours.roi(), kBaselineInsightRun,
        change(a.ours.gmv.units(), b.ours.gmv.units()), 100 * a.market.ctr(), 100 * b.market.ctr(),
        FormatMoney(a.market.gmv), FormatMoney(b.market.gmv),
        change(a.market.gmv.units(), b.market.gmv.units())));
  }
  if (sc.autopilot == "media_buyer") {
    summary.findings.push_back(
        "The autopilot run uses the media-buyer policy too (scenario.autopilot: \"super_plan\" "
        "hands it to the super plan), so both runs match exactly (common random numbers).");
  }
  summary.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (options.write_files) {
    WriteSummaryJson(summary, options.out_dir / "summary.json");
    WriteReportHtml(summary, options.out_dir / "report.html");
  }
  return summary;
}

}  // namespace cf
