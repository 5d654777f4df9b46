#include "bidbench/auction_env.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "common/random.h"

namespace cf {
namespace {

constexpr double kLogBaseP = -8.3;  // log of the median predicted conversion probability

// Approximately standard normal from a counter hash (sum of two uniforms, rescaled).
inline double HashNormal(uint64_t seed, uint64_t a, uint64_t b) {
  const uint64_t h = Mix64(Mix64(seed ^ a) + b);
  const double u1 = static_cast<double>(h >> 40) * 0x1.0p-24;
  const double u2 = static_cast<double>((h >> 16) & 0xffffff) * 0x1.0p-24;
  return (u1 + u2 - 1.0) * 2.449489742783178;  // var(u1+u2) = 1/6
}

}  // namespace

std::vector<AdvertiserSpec> MakeAdvertisers(const AuctionEnvSpec& spec) {
  RandomStream rng(spec.seed, "auction_advertisers");
  std::vector<AdvertiserSpec> a(spec.advertisers);
  for (int i = 0; i < spec.advertisers; ++i) {
    a[i].category = i % spec.categories;
    a[i].budget = std::round(rng.Uniform(2000, 4850));
    a[i].target_cpa = std::round(rng.Uniform(60, 130));
    a[i].quality = rng.Normal(0, 0.25);
  }
  return a;
}

double AdvertiserOutcome::Score(double target_cpa) const {
  if (conversions <= 0) return 0;
  const double cpa = spent / conversions;
  if (cpa <= target_cpa) return conversions;
  const double r = target_cpa / cpa;
  return conversions * r * r;
}

EpisodeResult RunAuctionEpisode(const AuctionEnvSpec& spec, const std::vector<AdvertiserSpec>& adv,
                                int day, const std::vector<PacingController*>& controllers,
                                int agent, EpisodeRecording* recording) {
  const auto t0 = std::chrono::steady_clock::now();
  const int na = static_cast<int>(adv.size());
  const int T = spec.ticks;
  const uint64_t day_seed = DeriveSeed(spec.seed ^ Mix64(static_cast<uint64_t>(day) + 1), "day");
  RandomStream world(day_seed, "world");

  // Traffic per tick: a daily curve (night trough, evening peak) with day-level noise.
  std::vector<double> share(T);
  double total_share = 0;
  for (int t = 0; t < T; ++t) {
    const double x = 6.283185307179586 * (t + 0.5) / T;
    share[t] =
        std::max(0.1, 1.0 - 0.55 * std::cos(x) + 0.25 * std::sin(2 * x) + 0.08 * world.Normal());
    total_share += share[t];
  }
  std::vector<size_t> per_tick(T);
  size_t assigned = 0;
  for (int t = 0; t < T; ++t) {
    per_tick[t] = static_cast<size_t>(spec.opportunities * share[t] / total_share);
    assigned += per_tick[t];
  }
  per_tick[T - 1] += spec.opportunities - std::min(assigned, spec.opportunities);

  // Drifts of the true conversion probability (random walks in log space).
  std::vector<double> cat_drift(spec.categories), adv_drift(na);
  for (double& d : cat_drift) d = world.Normal(0, 0.12);
  for (double& d : adv_drift) d = world.Normal(0, 0.08);

  for (int i = 0; i < na; ++i) {
    // The platform's traffic forecast for the day: the configured volume.
    controllers[i]->Start(PacingGoal{adv[i].budget, PacingConstraint::kMaxCpa, adv[i].target_cpa,
                                     static_cast<double>(spec.opportunities)},
                          T);
  }
  EpisodeResult res;
  res.outcomes.assign(na, {});
  std::vector<double> left(na), alpha(na), bid(na), p(na), truth(na);
  for (int i = 0; i < na; ++i) left[i] = adv[i].budget;
  std::vector<AuctionSample> agent_samples;
  if (recording && recording->history_stride > 0) {
    recording->samples.assign(na, {});
    recording->auctions.assign(na, 0);
  }
  const double e1 = spec.exposure[0], e2 = spec.exposure[1], e3 = spec.exposure[2];
  const double p3_given_2 = e2 > 0 ? e3 / e2 : 0;
  uint64_t opp_id = 0;
  if (agent >= 0) res.agent_items.reserve(3 * spec.opportunities);
  for (int t = 0; t < T; ++t) {
    for (int i = 0; i < na; ++i) alpha[i] = controllers[i]->Alpha();
    std::vector<double> cat_factor(spec.categories), adv_factor(na);
    for (int c = 0; c < spec.categories; ++c) cat_factor[c] = std::exp(cat_drift[c]);
    for (int i = 0; i < na; ++i) adv_factor[i] = std::exp(adv_drift[i]);
    agent_samples.clear();
    const size_t n = per_tick[t];
    RandomStream rng(Mix64(day_seed + static_cast<uint64_t>(t) * 7919 + 17));
    double z[16];
    for (size_t j = 0; j < n; ++j, ++opp_id) {
      for (int c = 0; c < spec.categories && c < 16; ++c) z[c] = rng.Normal();
      const double user = rng.Normal(0, 0.35);
      // Bids: alpha x predicted p, capped by the budget left; below the reserve = no bid.
      int top[4] = {-1, -1, -1, -1};
      for (int i = 0; i < na; ++i) {
        const double lp = kLogBaseP + adv[i].quality + user + 0.7 * z[adv[i].category] +
                          0.45 * HashNormal(day_seed, opp_id, static_cast<uint64_t>(i));
        p[i] = std::exp(lp);
        double b = left[i] > 0 ? std::min(alpha[i] * p[i], left[i]) : 0.0;
        if (b < spec.reserve) b = 0;
        bid[i] = b;
        if (b <= 0) continue;
        // Keep the four highest bids (ties: lower index first).
        int k = 4;
        while (k > 0 && (top[k - 1] < 0 || bid[top[k - 1]] < b)) --k;
        if (k < 4) {
          for (int m = 3; m > k; --m) top[m] = top[m - 1];
          top[k] = i;
        }
      }
      // Exposure draws (cascade) and GSP prices.
      const double u = CounterUniform(day_seed, opp_id, 99);
      const double u3 = CounterUniform(day_seed, opp_id, 98);
      const bool show2 = u < e2 / e1;
      const bool show3 = show2 && u3 < p3_given_2;
      for (int k = 0; k < 3; ++k) {
        const int i = top[k];
        if (i < 0) break;
        const bool exposed = k == 0 || (k == 1 && show2) || (k == 2 && show3);
        if (!exposed) continue;
        const double price =
            top[k + 1] >= 0 ? std::max(bid[top[k + 1]], spec.reserve) : spec.reserve;
        left[i] -= price;
        res.outcomes[i].spent += price;
        res.outcomes[i].conversions += p[i] * cat_factor[adv[i].category] * adv_factor[i];
      }
      // Samples: the minimum bid for slot k is the k-th highest bid of the others (or reserve).
      auto record = [&](int who, std::vector<AuctionSample>& out, std::vector<OracleItem>* items) {
        double o[3];
        int found = 0;
        for (int k = 0; k < 4 && found < 3; ++k) {
          if (top[k] < 0) break;
          if (top[k] == who) continue;
          o[found++] = std::max(bid[top[k]], spec.reserve);
        }
        for (; found < 3; ++found) o[found] = spec.reserve;
        const double pw = p[who];
        const double b = bid[who];
        const double e[4] = {e1, e2, e3, 0.0};
        // Incremental tiers from slot 3 up: win slot k iff bid >= o[k].
        for (int k = 2; k >= 0; --k) {
          const double next_cost = k < 2 ? o[k + 1] * e[k + 1] : 0.0;
          AuctionSample s;
          s.bid_value = pw;
          s.price = o[k];
          s.value = pw * (e[k] - e[k + 1]);
          s.cost = o[k] * e[k] - next_cost;
          s.won = b > 0 && b >= o[k];
          out.push_back(s);
        }
        if (items) {
          const double tp = pw * cat_factor[adv[who].category] * adv_factor[who];
          const OracleItem opts[3] = {
              {tp * e1, o[0] * e1}, {tp * e2, o[1] * e2}, {tp * e3, o[2] * e3}};
          MultipleChoiceItems(opts, *items);
        }
      };
      if (agent >= 0) record(agent, agent_samples, &res.agent_items);
      if (recording && recording->history_stride > 0 && opp_id % recording->history_stride == 0) {
        for (int i = 0; i < na; ++i) {
          record(i, recording->samples[i], nullptr);
          recording->auctions[i] += 1;
        }
      }
    }
    // End of tick: feedback to every controller.
    for (int i = 0; i < na; ++i) {
      PacingObservation obs;
      obs.step = t;
      obs.steps_left = T - 1 - t;
      obs.spent = res.outcomes[i].spent;
      obs.value = res.outcomes[i].conversions;
      obs.auctions = static_cast<double>(n);
      if (i == agent) obs.samples = agent_samples;
      controllers[i]->Update(obs);
    }
    // Perturbations drift.
    for (double& d : cat_drift) d += world.Normal(0, 0.04);
    for (double& d : adv_drift) d += world.Normal(0, 0.03);
  }
  res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return res;
}

}  // namespace cf
