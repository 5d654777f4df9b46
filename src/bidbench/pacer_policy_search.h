// Learns the MPC correction of strategy/corrected_mpc_pacer.h by policy search on simulated
// episodes of the auction tier: the cross-entropy method over theta (a Gaussian search
// distribution; each iteration evaluates `population` candidates on the same training episodes,
// refits the mean and spread to the `elite` best, and keeps the mean as a candidate), maximising
// the training episodes' sum of scores / sum of hindsight optima, less `over_cpa_penalty` times
// the share of episodes that ended over their CPA target (the tier's target is under 5%). Training
// worlds use their own seeds (seed, seed + 1, ...) and random settings (the tier's budget, CPA and
// competitor scales), never the bench's evaluation seed; held-out worlds (seeds seed + 500, ...)
// report how the result generalises: the search is a learner on simulated experience, the bench is
// its held-out test. Candidates are evaluated on `threads` threads; the result does not depend on
// the thread count. Deterministic given the options.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "strategy/corrected_mpc_pacer.h"
#include "strategy/mpc_pacer.h"

namespace cf {

struct PolicySearchOptions {
  uint64_t seed = 1000;          // training worlds' seeds: seed .. seed + worlds - 1
  int worlds = 4;                // settings (each with its own history day)
  int agents_per_world = 3;      // evaluated advertisers per world
  int validation_worlds = 4;     // held-out worlds (seeds seed + 500 ...) to report on
  size_t opportunities = 50000;  // per episode
  int iterations = 10;
  int population = 24;
  int elite = 6;
  double initial_spread = 0.3;  // standard deviation of each weight at the start
  double bound = 0.5;
  double over_cpa_penalty = 0.5;
  int threads = 2;
  MpcPacerOptions mpc;
  std::function<void(const std::string&)> progress;  // one line per iteration
};

struct PolicySearchResult {
  MpcCorrection best;  // the final mean (or the best candidate seen, if better)
  // Sum of scores / sum of optima, and the share of episodes over the CPA target.
  double mpc_ratio = 0, mpc_over_cpa = 0;    // theta = 0 (the MPC alone), training episodes
  double best_ratio = 0, best_over_cpa = 0;  // `best`, training episodes
  double validation_mpc_ratio = 0, validation_best_ratio = 0;  // on the held-out worlds
  double validation_mpc_over_cpa = 0, validation_best_over_cpa = 0;
  std::vector<double> history;  // per iteration: the mean's training objective
  int episodes = 0;             // training episodes per candidate
  double seconds = 0;
};

// Throws std::invalid_argument for options that cannot run (no worlds, elite > population, ...).
PolicySearchResult SearchMpcCorrection(const PolicySearchOptions& options);

}  // namespace cf
