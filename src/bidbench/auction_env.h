// A multi-advertiser auction environment modelled on AuctionNet (Su et al., NeurIPS 2024):
// 48 advertisers in 6 categories, an episode of 48 decision ticks over a configurable number of
// impression opportunities (traffic follows a daily curve over the ticks), 3 ad slots sold in a
// GSP auction ranked by bid (slot k pays the next bid below, at least the reserve) with exposure
// probabilities 1, 0.8 and 0.6 (slot 3 is shown only if slot 2 was: P(3 | 2) = 0.75); advertisers
// pay only for exposed slots. Each (opportunity, advertiser) has a predicted conversion
// probability p (what bidders see) and a true one p x category drift x advertiser drift (random
// walks over the ticks: the perturbations the bidders must learn from feedback). Conversions are
// counted in expectation (sum of true p over exposed slots) so scores are not dominated by
// Bernoulli noise. Budgets are hard: a bid never exceeds the budget left, so no one overspends.
// Every advertiser is driven by a PacingController (bid = alpha x p); the environment feeds each
// controller its spend and realised conversions per tick, and one "agent" also gets its auction
// samples (per slot tier, with the platform-reported minimum winning bid) and its hindsight items.
// Deterministic given (seed, day); the opportunities of a day are the same whoever bids.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "strategy/hindsight_oracle.h"
#include "strategy/pacing_controller.h"

namespace cf {

struct AuctionEnvSpec {
  int advertisers = 48;
  int categories = 6;
  int ticks = 48;
  size_t opportunities = 500000;
  double exposure[3] = {1.0, 0.8, 0.6};
  double reserve = 0.01;
  uint64_t seed = 42;
};

struct AdvertiserSpec {
  int category = 0;
  double budget = 0;
  double target_cpa = 0;
  double quality = 0;  // log-level of its conversion probabilities
};

// The advertisers of a world (budgets 2000-4850, target CPAs 60-130), from the seed.
std::vector<AdvertiserSpec> MakeAdvertisers(const AuctionEnvSpec& spec);

struct AdvertiserOutcome {
  double spent = 0;
  double conversions = 0;  // expected, with the true probabilities
  double Cpa() const { return conversions > 0 ? spent / conversions : 0; }
  // conversions x min(1, (target / CPA)^2)
  double Score(double target_cpa) const;
};

struct EpisodeRecording {
  // Subsampled auction samples of every advertiser (every `history_stride`-th opportunity).
  int history_stride = 0;  // 0: record nothing
  std::vector<std::vector<AuctionSample>> samples;
  std::vector<double> auctions;  // opportunities behind each advertiser's samples
};

struct EpisodeResult {
  std::vector<AdvertiserOutcome> outcomes;
  std::vector<OracleItem> agent_items;  // the agent's hindsight items (multiple-choice hull)
  double seconds = 0;
};

// Runs one episode (one "day") with one controller per advertiser (all non-null, already Primed;
// Start is called here with each advertiser's goal). `agent` (or -1) gets full samples each tick
// and its oracle items. `recording` (optional) collects subsampled samples of every advertiser.
EpisodeResult RunAuctionEpisode(const AuctionEnvSpec& spec,
                                const std::vector<AdvertiserSpec>& advertisers, int day,
                                const std::vector<PacingController*>& controllers, int agent,
                                EpisodeRecording* recording = nullptr);

}  // namespace cf
