#include "bidbench/pacer_policy_search.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <thread>

#include "bidbench/auction_bench.h"
#include "common/random.h"

namespace cf {
namespace {

struct Episode {
  const AuctionWorld* world;
  int agent;
};

std::vector<AuctionWorld> MakeWorlds(const PolicySearchOptions& o, uint64_t first_seed, int n) {
  static constexpr double kBudget[] = {0.5, 0.75, 1.0, 1.25, 1.5};
  static constexpr double kCpa[] = {0.8, 1.0};
  static constexpr double kCompetitors[] = {1.0, 1.1};
  std::vector<AuctionWorld> worlds;
  for (int i = 0; i < n; ++i) {
    AuctionEnvSpec spec;
    spec.seed = first_seed + static_cast<uint64_t>(i);
    spec.opportunities = o.opportunities;
    RandomStream r(spec.seed, "policy_search_setting");
    const double b = kBudget[r.Below(5)];
    const double c = kCpa[r.Below(2)];
    const double cb = kCompetitors[r.Below(2)];
    worlds.push_back(MakeAuctionWorld(spec, b, c, cb));
  }
  return worlds;
}

std::vector<Episode> EpisodesOf(const std::vector<AuctionWorld>& worlds, int agents) {
  std::vector<Episode> e;
  for (const AuctionWorld& w : worlds) {
    for (int k = 0; k < agents; ++k) e.push_back({&w, EvaluatedAdvertiser(w, k)});
  }
  return e;
}

struct Outcome {
  double ratio = 0;     // sum of scores / sum of hindsight optima
  double over_cpa = 0;  // share of episodes that ended over their CPA target
  double Objective(double penalty) const { return ratio - penalty * over_cpa; }
};

Outcome Evaluate(const std::vector<Episode>& episodes, const MpcPacerOptions& mpc,
                 const MpcCorrection& correction) {
  double score = 0, oracle = 0, over = 0;
  for (const Episode& e : episodes) {
    CorrectedMpcPacer pacer(mpc, correction);
    const AgentRun r = RunAuctionAgent(*e.world, e.agent, pacer);
    score += r.score;
    oracle += r.oracle;
    if (r.OverCpa()) over += 1;
  }
  return {oracle > 0 ? score / oracle : 0.0,
          episodes.empty() ? 0.0 : over / static_cast<double>(episodes.size())};
}

// Outcomes of every candidate, computed on `threads` threads (candidate i on thread i % threads).
std::vector<Outcome> EvaluateAll(const std::vector<Episode>& episodes, const MpcPacerOptions& mpc,
                                 const std::vector<MpcCorrection>& candidates, int threads) {
  std::vector<Outcome> out(candidates.size());
  const int n = std::max(1, std::min<int>(threads, static_cast<int>(candidates.size())));
  std::vector<std::thread> pool;
  for (int t = 0; t < n; ++t) {
    pool.emplace_back([&, t] {
      for (size_t i = static_cast<size_t>(t); i < candidates.size(); i += static_cast<size_t>(n)) {
        out[i] = Evaluate(episodes, mpc, candidates[i]);
      }
    });
  }
  for (std::thread& th : pool) th.join();
  return out;
}

}  // namespace

PolicySearchResult SearchMpcCorrection(const PolicySearchOptions& o) {
  if (o.worlds < 1 || o.agents_per_world < 1 || o.iterations < 1 || o.population < 2 ||
      o.elite < 1 || o.elite > o.population || o.opportunities < 1000 || !(o.bound > 0) ||
      !(o.initial_spread > 0)) {
    throw std::invalid_argument(fmt::format(
        "policy search: need worlds >= 1, agents >= 1, iterations >= 1, population >= 2, "
        "1 <= elite <= population, opportunities >= 1000, bound > 0 and spread > 0 (got {}, {}, "
        "{}, {}, {}, {}, {}, {})",
        o.worlds, o.agents_per_world, o.iterations, o.population, o.elite, o.opportunities, o.bound,
        o.initial_spread));
  }
  const auto t0 = std::chrono::steady_clock::now();
  auto say = [&](const std::string& line) {
    if (o.progress) o.progress(line);
  };
  const std::vector<AuctionWorld> worlds = MakeWorlds(o, o.seed, o.worlds);
  const std::vector<Episode> episodes = EpisodesOf(worlds, o.agents_per_world);
  PolicySearchResult res;
  res.episodes = static_cast<int>(episodes.size());

  MpcCorrection mean;
  mean.bound = o.bound;
  std::array<double, kMpcCorrectionFeatures> spread;
  spread.fill(o.initial_spread);
  const double pen = o.over_cpa_penalty;
  const Outcome mpc = EvaluateAll(episodes, o.mpc, {mean}, 1)[0];
  res.mpc_ratio = mpc.ratio;
  res.mpc_over_cpa = mpc.over_cpa;
  say(
      fmt::format("learn: {} training episodes of {} opportunities; the MPC alone: {:.4f} of the "
                  "oracle, {:.0f}% over the CPA target",
                  episodes.size(), o.opportunities, mpc.ratio, 100 * mpc.over_cpa));
  MpcCorrection best = mean;
  Outcome best_outcome = mpc;
  RandomStream rng(o.seed, "cross_entropy_method");
  for (int it = 0; it < o.iterations; ++it) {
    std::vector<MpcCorrection> candidates(static_cast<size_t>(o.population), mean);
    for (size_t c = 1; c < candidates.size(); ++c) {
      for (int f = 0; f < kMpcCorrectionFeatures; ++f) {
        candidates[c].theta[f] = mean.theta[f] + spread[f] * rng.Normal();
      }
    }
    const std::vector<Outcome> outcomes = EvaluateAll(episodes, o.mpc, candidates, o.threads);
    std::vector<double> ratios;  // the objective
    for (const Outcome& x : outcomes) ratios.push_back(x.Objective(pen));
    std::vector<size_t> order(candidates.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return ratios[a] > ratios[b]; });
    if (ratios[order[0]] > best_outcome.Objective(pen)) {
      best_outcome = outcomes[order[0]];
      best = candidates[order[0]];
    }
    res.history.push_back(ratios[0]);
    MpcCorrection next = mean;
    for (int f = 0; f < kMpcCorrectionFeatures; ++f) {
      double m = 0;
      for (int e = 0; e < o.elite; ++e) m += candidates[order[e]].theta[f];
      m /= o.elite;
      double v = 0;
      for (int e = 0; e < o.elite; ++e) {
        const double d = candidates[order[e]].theta[f] - m;
        v += d * d;
      }
      next.theta[f] = m;
      spread[f] = std::max(0.01, std::sqrt(v / o.elite));
    }
    mean = next;
    say(
        fmt::format("learn: iteration {}/{}: objective of the mean {:.4f}, of the best candidate "
                    "{:.4f} (best so far {:.4f}); new mean {} ({:.0f} s)",
                    it + 1, o.iterations, ratios[0], ratios[order[0]], best_outcome.Objective(pen),
                    mean.ToString(),
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()));
  }
  const Outcome last = EvaluateAll(episodes, o.mpc, {mean}, 1)[0];
  res.history.push_back(last.Objective(pen));
  // The final mean unless a candidate did better on the same episodes.
  const bool keep_mean = last.Objective(pen) >= best_outcome.Objective(pen);
  res.best = keep_mean ? mean : best;
  res.best_ratio = keep_mean ? last.ratio : best_outcome.ratio;
  res.best_over_cpa = keep_mean ? last.over_cpa : best_outcome.over_cpa;
  if (o.validation_worlds > 0) {
    const std::vector<AuctionWorld> held_out = MakeWorlds(o, o.seed + 500, o.validation_worlds);
    const std::vector<Episode> v = EpisodesOf(held_out, o.agents_per_world);
    MpcCorrection zero;
    zero.bound = o.bound;
    const std::vector<Outcome> r = EvaluateAll(v, o.mpc, {zero, res.best}, o.threads);
    res.validation_mpc_ratio = r[0].ratio;
    res.validation_best_ratio = r[1].ratio;
    res.validation_mpc_over_cpa = r[0].over_cpa;
    res.validation_best_over_cpa = r[1].over_cpa;
    say(
        fmt::format("learn: held-out worlds ({} episodes): the MPC alone {:.4f} ({:.0f}% over "
                    "CPA), with the learned correction {:.4f} ({:.0f}% over CPA)",
                    v.size(), r[0].ratio, 100 * r[0].over_cpa, r[1].ratio, 100 * r[1].over_cpa));
  }
  res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return res;
}

}  // namespace cf
