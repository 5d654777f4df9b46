#include "bidbench/auction_bench.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <memory>

#include "bidbench/auction_env.h"
#include "common/random.h"
#include "strategy/fixed_alpha_pacer.h"
#include "strategy/hindsight_oracle.h"
#include "strategy/mpc_pacer.h"
#include "strategy/online_lp_pacer.h"
#include "strategy/pid_pacer.h"

namespace cf {
namespace {

AuctionEnvSpec SpecFor(const AuctionBenchOptions& o) {
  AuctionEnvSpec spec;
  spec.seed = o.seed;
  spec.opportunities = o.opportunities ? o.opportunities : (o.quick ? 50000 : 500000);
  return spec;
}

int Evaluated(const AuctionBenchOptions& o) {
  return o.evaluated_advertisers > 0 ? o.evaluated_advertisers : (o.quick ? 3 : 6);
}

// Competitor roles, round-robin: fixed alpha, PID, Online LP, oracle alpha with noise.
std::unique_ptr<PacingController> MakeCompetitor(int i, const AdvertiserSpec& a,
                                                 const EpisodeRecording* history, uint64_t seed,
                                                 size_t opportunities) {
  const int role = i % 4;
  std::unique_ptr<PacingController> c;
  if (role == 0 || !history) {
    RandomStream r(seed, "fixed" + std::to_string(i));
    c = std::make_unique<FixedAlphaPacer>(a.target_cpa * r.Uniform(0.75, 1.1));
  } else if (role == 1) {
    c = std::make_unique<PidPacer>();
  } else if (role == 2) {
    c = std::make_unique<OnlineLpPacer>();
  } else {
    // The alpha that, in hindsight on the history day, spends the budget within the target CPA;
    // perturbed by +-20% log-normal noise.
    BidLandscape l;
    l.SetGridFrom(history->samples[i], 128);
    l.Add(history->samples[i], history->auctions[i]);
    l.Fit();
    double alpha = l.SolveAlpha(static_cast<double>(opportunities), a.budget, 0, 0, a.target_cpa);
    if (!(alpha > 0)) alpha = a.target_cpa;
    RandomStream r(seed, "oracle" + std::to_string(i));
    c = std::make_unique<FixedAlphaPacer>(alpha * std::exp(r.Normal(0, 0.2)));
  }
  if (history) c->Prime(history->samples[i], history->auctions[i]);
  return c;
}

std::unique_ptr<PacingController> MakePolicy(const std::string& name,
                                             const AuctionBenchOptions& o) {
  if (name == "ours") return std::make_unique<MpcPacer>(o.ours);
  if (name == "ours_rl") return std::make_unique<CorrectedMpcPacer>(o.ours, *o.correction);
  if (name == "pid") return std::make_unique<PidPacer>();
  if (name == "online_lp") return std::make_unique<OnlineLpPacer>();
  return std::make_unique<FixedAlphaPacer>();
}

}  // namespace

AuctionWorld MakeAuctionWorld(const AuctionEnvSpec& spec, double budget_scale, double cpa_scale,
                              double competitor_budget_scale) {
  AuctionWorld w;
  w.spec = spec;
  w.budget_scale = budget_scale;
  w.cpa_scale = cpa_scale;
  w.competitor_budget_scale = competitor_budget_scale;
  w.advertisers = MakeAdvertisers(spec);
  const double money_scale = static_cast<double>(spec.opportunities) / 500000.0;
  for (AdvertiserSpec& a : w.advertisers) {
    a.budget = std::round(a.budget * money_scale * competitor_budget_scale);
  }
  // History day (day 0): the competitor roles, nothing primed; record every 100th opportunity.
  w.history.history_stride = 100;
  std::vector<std::unique_ptr<PacingController>> owned;
  std::vector<PacingController*> ptrs;
  for (size_t i = 0; i < w.advertisers.size(); ++i) {
    owned.push_back(MakeCompetitor(static_cast<int>(i), w.advertisers[i], nullptr, spec.seed,
                                   spec.opportunities));
    ptrs.push_back(owned.back().get());
  }
  RunAuctionEpisode(spec, w.advertisers, 0, ptrs, -1, &w.history);
  return w;
}

int EvaluatedAdvertiser(const AuctionWorld& world, int k) {
  return (k * 7) % static_cast<int>(world.advertisers.size());
}

AgentRun RunAuctionAgent(const AuctionWorld& w, int agent, PacingController& policy) {
  std::vector<AdvertiserSpec> a = w.advertisers;
  const AdvertiserSpec& base = w.advertisers[static_cast<size_t>(agent)];
  a[agent].budget = std::round(base.budget / w.competitor_budget_scale * w.budget_scale);
  a[agent].target_cpa = base.target_cpa * w.cpa_scale;
  std::vector<std::unique_ptr<PacingController>> owned;
  std::vector<PacingController*> ptrs;
  for (int i = 0; i < static_cast<int>(a.size()); ++i) {
    if (i == agent) {
      policy.Prime(w.history.samples[i], w.history.auctions[i]);
      ptrs.push_back(&policy);
    } else {
      owned.push_back(MakeCompetitor(i, a[i], &w.history, w.spec.seed, w.spec.opportunities));
      ptrs.push_back(owned.back().get());
    }
  }
  const EpisodeResult er = RunAuctionEpisode(w.spec, a, 1, ptrs, agent);
  const AdvertiserOutcome& out = er.outcomes[agent];
  AgentRun r;
  r.target_cpa = a[agent].target_cpa;
  r.budget = a[agent].budget;
  r.spent = out.spent;
  r.conversions = out.conversions;
  r.score = out.Score(r.target_cpa);
  r.oracle = PenalisedOptimum(er.agent_items, r.budget, r.target_cpa).value;
  r.seconds = er.seconds;
  return r;
}

AuctionSetting RunAuctionSetting(const AuctionBenchOptions& o, double budget_scale,
                                 double cpa_scale, double competitor_budget_scale) {
  const int evaluated = Evaluated(o);
  AuctionSetting setting{budget_scale, cpa_scale, competitor_budget_scale, {}};
  const AuctionWorld world =
      MakeAuctionWorld(SpecFor(o), budget_scale, cpa_scale, competitor_budget_scale);
  std::map<std::string, std::vector<double>> ratios;
  for (int k = 0; k < evaluated; ++k) {
    const int agent = EvaluatedAdvertiser(world, k);
    for (const std::string& name : AuctionPolicyNames()) {
      if (name == "ours_rl" && !o.correction) continue;
      const std::unique_ptr<PacingController> policy = MakePolicy(name, o);
      const AgentRun run = RunAuctionAgent(world, agent, *policy);
      AuctionPolicyResult& r = setting.policies[name];
      r.runs += 1;
      r.score += run.score;
      r.oracle_score += run.oracle;
      r.budget_used += run.spent / run.budget;
      if (run.OverCpa()) r.over_cpa_share += 1;
      if (run.spent > run.budget + 1e-9) r.over_budget = true;
      r.max_episode_seconds = std::max(r.max_episode_seconds, run.seconds);
      ratios[name].push_back(run.oracle > 0 ? run.score / run.oracle : 1.0);
    }
  }
  for (auto& [name, r] : setting.policies) {
    r.ratio = r.oracle_score > 0 ? r.score / r.oracle_score : 0;
    r.score /= r.runs;
    r.oracle_score /= r.runs;
    r.budget_used /= r.runs;
    r.over_cpa_share /= r.runs;
    const auto& v = ratios[name];
    double m = 0, s2 = 0;
    for (double x : v) m += x;
    m /= v.size();
    for (double x : v) s2 += (x - m) * (x - m);
    r.ratio_mean = m;
    r.ratio_stderr = v.size() > 1 ? std::sqrt(s2 / (v.size() - 1) / v.size()) : 0;
  }
  return setting;
}

AuctionBenchResult RunAuctionBench(const AuctionBenchOptions& o) {
  const auto t0 = std::chrono::steady_clock::now();
  AuctionBenchResult res;
  res.opportunities = SpecFor(o).opportunities;
  res.evaluated = Evaluated(o);
  res.base = RunAuctionSetting(o, 1, 1, 1);
  if (o.progress) {
    fmt::print(stderr, "auction default setting: ours {:.3f}{}, online_lp {:.3f} of the oracle\n",
               res.base.policies["ours"].ratio,
               o.correction ? fmt::format(", ours_rl {:.3f}", res.base.policies["ours_rl"].ratio)
                            : std::string(),
               res.base.policies["online_lp"].ratio);
  }
  if (o.sweep) {
    for (double cb : {1.0, 1.1}) {
      for (double cpa : {0.8, 1.0}) {
        for (double b : {0.5, 0.75, 1.0, 1.25, 1.5}) {
          res.sweep.push_back(RunAuctionSetting(o, b, cpa, cb));
          if (o.progress) {
            fmt::print(stderr,
                       "auction sweep {}/20 (budget x{}, CPA x{}, competitors x{}): ours {:.3f}\n",
                       res.sweep.size(), b, cpa, cb, res.sweep.back().policies["ours"].ratio);
          }
        }
      }
    }
  }
  res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return res;
}

nlohmann::json AuctionBenchJson(const AuctionBenchResult& r) {
  nlohmann::json p = nlohmann::json::object();
  for (const auto& [name, pr] : r.base.policies) {
    p[name] = {{"score", pr.score},
               {"oracle_score", pr.oracle_score},
               {"ratio", pr.ratio},
               {"budget_used", pr.budget_used},
               {"over_cpa_share", pr.over_cpa_share}};
  }
  return {{"policies", p}};
}

std::string FormatAuctionTables(const AuctionBenchResult& r) {
  std::string s = fmt::format(
      "auction tier: 48 advertisers, 48 ticks, {} opportunities per episode, {} evaluated "
      "advertisers per setting\n\ndefault setting\n",
      r.opportunities, r.evaluated);
  auto table = [&](const AuctionSetting& st) {
    std::string t =
        fmt::format("{:<12} {:>8} {:>8} {:>7} {:>17} {:>8} {:>9} {:>9}\n", "policy", "score",
                    "oracle", "ratio", "run ratio(m+-se)", "budget", "over CPA", "episode");
    for (const std::string& name : AuctionPolicyNames()) {
      const auto it = st.policies.find(name);
      if (it == st.policies.end()) continue;
      const AuctionPolicyResult& pr = it->second;
      t += fmt::format(
          "{:<12} {:>8.2f} {:>8.2f} {:>7.3f} {:>8.3f} +- {:.3f} {:>7.1f}% {:>8.0f}% {:>8.2f}s\n",
          name, pr.score, pr.oracle_score, pr.ratio, pr.ratio_mean, pr.ratio_stderr,
          100 * pr.budget_used, 100 * pr.over_cpa_share, pr.max_episode_seconds);
    }
    return t;
  };
  s += table(r.base);
  if (!r.sweep.empty()) {
    s += "\nsweep (ratio to the oracle; over-CPA share in brackets)\n";
    s += fmt::format("{:>8} {:>6} {:>6}", "budget", "CPA", "comp.");
    for (const std::string& name : AuctionPolicyNames()) {
      if (r.base.policies.count(name)) s += fmt::format(" {:>17}", name);
    }
    s += "\n";
    for (const AuctionSetting& st : r.sweep) {
      s += fmt::format("{:>7.2f}x {:>5.1f}x {:>5.1f}x", st.budget_scale, st.cpa_scale,
                       st.competitor_budget_scale);
      for (const std::string& name : AuctionPolicyNames()) {
        const auto it = st.policies.find(name);
        if (it == st.policies.end()) continue;
        s +=
            fmt::format(" {:>9.3f} ({:>4.0f}%)", it->second.ratio, 100 * it->second.over_cpa_share);
      }
      s += "\n";
    }
  }
  s += fmt::format("\ntotal {:.1f} s\n", r.seconds);
  return s;
}

}  // namespace cf
