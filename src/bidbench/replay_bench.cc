#include "bidbench/replay_bench.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>

#include "strategy/hindsight_oracle.h"
#include "strategy/lin_bidder.h"
#include "strategy/mcpc_bidder.h"
#include "strategy/mpc_pacer.h"
#include "strategy/online_lp_pacer.h"
#include "strategy/pid_pacer.h"
#include "strategy/rlb_bidder.h"

namespace cf {
namespace {

struct EpisodeOutcome {
  double clicks = 0, expected_clicks = 0, cost = 0, wins = 0;
};

// bid(index in episode, budget left, auction) -> integer bid.
template <typename BidFn>
EpisodeOutcome PlayFixed(std::span<const ReplayAuction> ep, int64_t budget, int max_bid,
                         const BidFn& bid) {
  EpisodeOutcome o;
  int64_t left = budget;
  for (size_t i = 0; i < ep.size(); ++i) {
    const ReplayAuction& a = ep[i];
    int64_t b = std::min<int64_t>({bid(static_cast<int>(i), left, a), max_bid, left});
    if (b >= a.price && a.price <= left) {
      left -= a.price;
      o.cost += a.price;
      o.clicks += a.click;
      o.expected_clicks += a.pctr;
      o.wins += 1;
    }
  }
  return o;
}

// A pacing controller bidding floor(alpha x pCTR), re-planned every `steps`-th of the episode.
EpisodeOutcome PlayPaced(std::span<const ReplayAuction> ep, int64_t budget, int max_bid, int steps,
                         PacingController& c) {
  EpisodeOutcome o;
  int64_t left = budget;
  c.Start(PacingGoal{static_cast<double>(budget), PacingConstraint::kBudgetOnly, 0,
                     static_cast<double>(ep.size())},
          steps);
  const size_t n = ep.size();
  std::vector<AuctionSample> samples;
  for (int s = 0; s < steps; ++s) {
    const size_t begin = n * s / steps, end = n * (s + 1) / steps;
    samples.clear();
    const double alpha = c.Alpha();
    for (size_t i = begin; i < end; ++i) {
      const ReplayAuction& a = ep[i];
      const double raw = std::floor(alpha * a.pctr);
      const int64_t b = static_cast<int64_t>(
          std::min({raw, static_cast<double>(max_bid), static_cast<double>(left)}));
      if (b >= a.price && a.price <= left) {
        left -= a.price;
        o.cost += a.price;
        o.clicks += a.click;
        o.expected_clicks += a.pctr;
        o.wins += 1;
        samples.push_back(
            {a.pctr, static_cast<double>(a.price), a.pctr, static_cast<double>(a.price), true});
      } else {
        // Lost: the price stays unknown (censored); cost carries the bid.
        samples.push_back(
            {a.pctr, -1.0, a.pctr, static_cast<double>(std::max<int64_t>(b, 0)), false});
      }
    }
    PacingObservation obs;
    obs.step = s;
    obs.steps_left = steps - 1 - s;
    obs.spent = o.cost;
    obs.value = o.expected_clicks;
    obs.auctions = static_cast<double>(end - begin);
    obs.auctions_left = static_cast<double>(n - end);
    obs.samples = samples;
    c.Update(obs);
  }
  return o;
}

double OracleClicks(std::span<const ReplayAuction> ep, int64_t budget, int max_bid) {
  std::vector<OracleItem> items;
  items.reserve(ep.size());
  for (const ReplayAuction& a : ep) {
    if (a.price <= max_bid) items.push_back({a.pctr, static_cast<double>(a.price)});
  }
  return BudgetOptimum(items, static_cast<double>(budget)).value;
}

}  // namespace

ReplayBenchResult RunReplayBench(const std::vector<ReplayAuction>& train,
                                 const std::vector<ReplayAuction>& test,
                                 const ReplayBenchOptions& opt) {
  const auto t0 = std::chrono::steady_clock::now();
  ReplayBenchResult res;
  res.train_auctions = train.size();
  res.test_auctions = test.size();
  const int n = opt.episode_length;
  if (train.size() < static_cast<size_t>(n) || test.size() < static_cast<size_t>(n)) {
    throw std::invalid_argument(fmt::format(
        "replay: train and test logs need at least one episode of {} auctions (train {}, test {})",
        n, train.size(), test.size()));
  }
  double sum_price = 0, sum_ctr = 0, clicks = 0;
  std::vector<double> hist(opt.max_bid + 1, 0.0);
  std::vector<AuctionSample> history;
  history.reserve(train.size());
  for (const ReplayAuction& a : train) {
    sum_price += a.price;
    sum_ctr += a.pctr;
    clicks += a.click;
    if (a.price <= opt.max_bid) hist[a.price] += 1;
    history.push_back(
        {a.pctr, static_cast<double>(a.price), a.pctr, static_cast<double>(a.price), true});
  }
  res.train_avg_price = sum_price / train.size();
  res.train_avg_ctr = sum_ctr / train.size();
  res.train_cpc = sum_price / std::max(clicks, 1.0);
  const size_t train_eps = train.size() / n, test_eps = test.size() / n;

  for (const auto& [name, c0] : opt.c0s) {
    ReplayC0Result cr;
    cr.name = name;
    cr.c0 = c0;
    cr.budget = static_cast<int64_t>(c0 * n * res.train_avg_price);
    cr.episodes = static_cast<int>(test_eps);
    const int64_t B = cr.budget;

    // --- Tuning on train only. Lin's b0: best expected clicks over (up to 100) train episodes,
    // a coarse geometric grid then a local refinement.
    const size_t tune_eps = std::min<size_t>(train_eps, 100);
    auto lin_clicks = [&](double b0) {
      const LinBidder lin(b0, res.train_avg_ctr, opt.max_bid);
      double total = 0;
      for (size_t e = 0; e < tune_eps; ++e) {
        total += PlayFixed(std::span(train).subspan(e * n, n), B, opt.max_bid,
                           [&](int, int64_t, const ReplayAuction& a) { return lin.Bid(a.pctr); })
                     .expected_clicks;
      }
      return total;
    };
    double best_b0 = 1, best_clicks = -1;
    for (double b0 = 2; b0 <= 2.0 * opt.max_bid; b0 *= 1.15) {
      const double c = lin_clicks(b0);
      if (c > best_clicks) best_clicks = c, best_b0 = b0;
    }
    for (double b0 = best_b0 / 1.15; b0 <= best_b0 * 1.15; b0 *= 1.02) {
      const double c = lin_clicks(b0);
      if (c > best_clicks) best_clicks = c, best_b0 = b0;
    }
    cr.tuned["lin_b0"] = best_b0;
    const LinBidder lin(best_b0, res.train_avg_ctr, opt.max_bid);
    const McpcBidder mcpc(res.train_cpc, opt.max_bid);
    RlbBidder rlb;
    rlb.Build(hist, res.train_avg_ctr, n, B, opt.max_bid);
    cr.tuned["rlb_budget_unit"] = static_cast<double>(rlb.unit());
    OnlineLpPacer online_lp;
    online_lp.Prime(history, static_cast<double>(train.size()));
    MpcPacer ours(opt.ours);
    ours.Prime(history, static_cast<double>(train.size()));
    // PID starts from the alpha that spends B on an average train episode (Online LP's solution).
    online_lp.Start(PacingGoal{static_cast<double>(B), PacingConstraint::kBudgetOnly, 0,
                               static_cast<double>(n)},
                    opt.steps);
    PidPacerOptions po;
    po.initial_alpha = online_lp.Alpha();
    PidPacer pid(po);
    cr.tuned["pid_initial_alpha"] = po.initial_alpha;

    std::map<std::string, std::vector<double>> ratios;
    for (size_t e = 0; e < test_eps; ++e) {
      const auto ep = std::span(test).subspan(e * n, n);
      const double oracle = OracleClicks(ep, B, opt.max_bid);
      cr.oracle_expected_clicks += oracle;
      for (const std::string& p : ReplayPolicyNames()) {
        EpisodeOutcome o;
        if (p == "lin") {
          o = PlayFixed(ep, B, opt.max_bid,
                        [&](int, int64_t, const ReplayAuction& a) { return lin.Bid(a.pctr); });
        } else if (p == "mcpc") {
          o = PlayFixed(ep, B, opt.max_bid,
                        [&](int, int64_t, const ReplayAuction& a) { return mcpc.Bid(a.pctr); });
        } else if (p == "rlb") {
          o = PlayFixed(ep, B, opt.max_bid, [&](int i, int64_t left, const ReplayAuction& a) {
            return rlb.Bid(n - i, left, a.pctr);
          });
        } else if (p == "pid") {
          o = PlayPaced(ep, B, opt.max_bid, opt.steps, pid);
        } else if (p == "online_lp") {
          o = PlayPaced(ep, B, opt.max_bid, opt.steps, online_lp);
        } else {
          o = PlayPaced(ep, B, opt.max_bid, opt.steps, ours);
        }
        ReplayPolicyResult& r = cr.policies[p];
        r.clicks += o.clicks;
        r.expected_clicks += o.expected_clicks;
        r.cost += o.cost;
        r.auctions += static_cast<double>(ep.size());
        r.wins += o.wins;
        if (o.cost > static_cast<double>(B)) r.over_budget = true;
        ratios[p].push_back(oracle > 0 ? o.expected_clicks / oracle : 1.0);
      }
    }
    for (auto& [p, r] : cr.policies) {
      const auto& v = ratios[p];
      double m = 0, s2 = 0;
      for (double x : v) m += x;
      m /= std::max<size_t>(v.size(), 1);
      for (double x : v) s2 += (x - m) * (x - m);
      r.ratio = m;
      r.ratio_stderr = v.size() > 1 ? std::sqrt(s2 / (v.size() - 1) / v.size()) : 0;
    }
    if (opt.progress) {
      fmt::print(stderr, "replay c0={}: B={} over {} episodes, ours {:.3f}, rlb {:.3f}\n", name, B,
                 test_eps, cr.policies["ours"].ratio, cr.policies["rlb"].ratio);
    }
    res.c0s.push_back(std::move(cr));
  }
  res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return res;
}

nlohmann::json ReplayBenchJson(const ReplayBenchResult& r) {
  nlohmann::json j = nlohmann::json::object();
  for (const ReplayC0Result& c : r.c0s) {
    nlohmann::json cj = nlohmann::json::object();
    for (const auto& [p, pr] : c.policies) {
      cj[p] = {{"clicks", pr.clicks},
               {"expected_clicks", pr.expected_clicks},
               {"cost", pr.cost},
               {"ratio", pr.ratio}};
    }
    j[c.name] = cj;
  }
  return j;
}

std::string FormatReplayTable(const ReplayBenchResult& r) {
  std::string s = fmt::format(
      "replay tier: train {} auctions (avg market price {:.2f}, avg pCTR {:.5f}, CPC {:.1f}), "
      "test {} auctions\n",
      r.train_auctions, r.train_avg_price, r.train_avg_ctr, r.train_cpc, r.test_auctions);
  for (const ReplayC0Result& c : r.c0s) {
    s += fmt::format(
        "\nc0 = {}  budget {} per episode, {} test episodes, LP optimum {:.2f} expected clicks\n",
        c.name, c.budget, c.episodes, c.oracle_expected_clicks);
    s += fmt::format("{:<10} {:>8} {:>10} {:>10} {:>12} {:>9} {:>17}\n", "policy", "clicks",
                     "exp.clicks", "oracle", "cost", "win rate", "R/R* (mean+-se)");
    for (const std::string& p : ReplayPolicyNames()) {
      const auto it = c.policies.find(p);
      if (it == c.policies.end()) continue;
      const ReplayPolicyResult& pr = it->second;
      s += fmt::format(
          "{:<10} {:>8.0f} {:>10.2f} {:>10.2f} {:>12.0f} {:>8.2f}% {:>9.3f} +- {:.3f}\n", p,
          pr.clicks, pr.expected_clicks, c.oracle_expected_clicks, pr.cost, 100 * pr.win_rate(),
          pr.ratio, pr.ratio_stderr);
    }
  }
  s += fmt::format("\nwhole sweep: {:.2f} s\n", r.seconds);
  return s;
}

}  // namespace cf
