#include "insight/cold_start_evaluation.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <unordered_set>

#include "common/random.h"

namespace cf::content {

namespace {

bool IsTestHousehold(size_t h, int test_every, uint64_t seed) {
  return Mix64(Mix64(seed ^ 0x686f757365ULL) ^ h) % static_cast<uint64_t>(test_every) == 0;
}

struct Case {
  size_t household = 0;
  int target = 0;
};

// Rank of candidate `target` (index into scores) among `scores`, ties counted half, skipping
// excluded candidates. Adds HR@k and NDCG@k to `s`.
void Score(const std::vector<float>& scores, size_t target, const std::vector<char>& excluded,
           size_t k, RankScores& s) {
  const float t = scores[target];
  size_t ahead = 0, ties = 0;
  for (size_t c = 0; c < scores.size(); ++c) {
    if (c == target || excluded[c]) continue;
    if (scores[c] > t) {
      ++ahead;
    } else if (scores[c] == t) {
      ++ties;
    }
  }
  const size_t rank = ahead + ties / 2;
  ++s.cases;
  if (rank < k) {
    s.hr += 1;
    s.ndcg += 1.0 / std::log2(static_cast<double>(rank) + 2.0);
  }
}

// Scores each target against the candidates, leaving out the other targets and `also_excluded`
// (items by id; `pos` maps an item to its candidate index). `excluded` is all zero on entry and
// on return.
void ScoreTargets(const std::vector<float>& scores, const std::vector<int>& targets,
                  const std::vector<int>& also_excluded, const std::vector<int>& pos,
                  std::vector<char>& excluded, size_t k, RankScores& s) {
  auto at = [&](int i) { return static_cast<size_t>(pos[static_cast<size_t>(i)]); };
  for (int i : also_excluded) excluded[at(i)] = 1;
  for (int t : targets) excluded[at(t)] = 1;
  for (int t : targets) {
    excluded[at(t)] = 0;
    Score(scores, at(t), excluded, k, s);
    excluded[at(t)] = 1;
  }
  for (int i : also_excluded) excluded[at(i)] = 0;
  for (int t : targets) excluded[at(t)] = 0;
}

void Finish(RankScores& s) {
  if (s.cases == 0) return;
  s.hr /= static_cast<double>(s.cases);
  s.ndcg /= static_cast<double>(s.cases);
}

// Scores of every candidate for one user: (sum of history embeddings) . candidate embedding.
void DotScores(const std::vector<float>& user, const std::vector<float>& cand, size_t d,
               std::vector<float>& out) {
  const size_t n = cand.size() / d;
  out.resize(n);
  for (size_t c = 0; c < n; ++c) {
    float s = 0;
    const float* r = &cand[c * d];
    for (size_t k = 0; k < d; ++k) s += user[k] * r[k];
    out[c] = s;
  }
}

}  // namespace

bool IsColdItem(size_t item, int cold_every, uint64_t seed) {
  return Mix64(Mix64(seed ^ 0x636f6c64ULL) ^ item) % static_cast<uint64_t>(cold_every) == 0;
}

nlohmann::json ColdStartReport::ToJson() const {
  auto scores = [&](const std::map<std::string, RankScores>& m) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [name, s] : m) {
      j[name] = {{fmt::format("hr@{}", k), s.hr}, {fmt::format("ndcg@{}", k), s.ndcg}};
    }
    return j;
  };
  nlohmann::json secs = nlohmann::json::object();
  for (const auto& [name, s] : train_seconds) secs[name] = s;
  return {{"items", items},           {"warm_items", warm_items}, {"cold_items", cold_items},
          {"households", households}, {"cold_cases", cold_cases}, {"warm_cases", warm_cases},
          {"cold", scores(cold)},     {"warm", scores(warm)},     {"train_seconds", secs}};
}

ColdStartReport EvaluateColdStart(const ColdStartData& data, const ColdStartOptions& o,
                                  const ColdStartProgress& progress) {
  if (o.cold_every < 2 || o.test_every < 2) {
    throw std::invalid_argument("cold-start evaluation: cold_every and test_every must be >= 2");
  }
  if (o.k < 1) throw std::invalid_argument("cold-start evaluation: k must be at least 1");
  if (o.towers.empty()) throw std::invalid_argument("cold-start evaluation: no tower to train");
  const size_t n = data.items.size();
  auto say = [&](const std::string& s) {
    if (progress) progress(s);
  };
  // Which items occur, and which of those are cold.
  std::vector<char> occurs(n, 0), cold(n, 0);
  for (const auto& hh : data.households) {
    for (const auto& b : hh) {
      for (int i : b) {
        if (i < 0 || static_cast<size_t>(i) >= n) {
          throw std::invalid_argument(
              fmt::format("cold-start evaluation: item {} is not one of the {} items", i, n));
        }
        occurs[static_cast<size_t>(i)] = 1;
      }
    }
  }
  ColdStartReport r;
  r.k = o.k;
  std::vector<int> cold_items, warm_items;
  std::vector<int> cold_pos(n, -1), warm_pos(n, -1);
  for (size_t i = 0; i < n; ++i) {
    if (!occurs[i]) continue;
    ++r.items;
    cold[i] = IsColdItem(i, o.cold_every, o.split_seed) ? 1 : 0;
    if (cold[i]) {
      cold_pos[i] = static_cast<int>(cold_items.size());
      cold_items.push_back(static_cast<int>(i));
    } else {
      warm_pos[i] = static_cast<int>(warm_items.size());
      warm_items.push_back(static_cast<int>(i));
    }
  }
  r.cold_items = cold_items.size();
  r.warm_items = warm_items.size();
  // Training sets (warm items of the kept baskets), cold targets, held-out warm targets.
  std::vector<std::vector<int>> train(data.households.size()), cold_targets(train.size()),
      warm_targets(train.size());
  std::vector<double> popularity(n, 0.0);
  for (size_t h = 0; h < data.households.size(); ++h) {
    const auto& hh = data.households[h];
    const bool test = hh.size() > 1 && IsTestHousehold(h, o.test_every, o.split_seed);
    std::unordered_set<int> seen, cold_seen;
    for (size_t b = 0; b < hh.size(); ++b) {
      const bool held_out = test && b + 1 == hh.size();
      for (int i : hh[b]) {
        if (cold[static_cast<size_t>(i)]) {
          if (cold_seen.insert(i).second) cold_targets[h].push_back(i);
        } else if (!held_out && seen.insert(i).second) {
          train[h].push_back(i);
          popularity[static_cast<size_t>(i)] += 1;
        }
      }
    }
    if (test) {
      std::unordered_set<int> added;
      for (int i : hh.back()) {
        if (!cold[static_cast<size_t>(i)] && !seen.count(i) && added.insert(i).second) {
          warm_targets[h].push_back(i);
        }
      }
    }
    if (!train[h].empty()) ++r.households;
  }
  for (size_t h = 0; h < train.size(); ++h) {
    if (train[h].empty()) continue;
    r.cold_cases += cold_targets[h].size();
    r.warm_cases += warm_targets[h].size();
  }
  say(
      fmt::format("{} items ({} warm, {} cold), {} households with training items; {} cold and "
                  "{} warm test cases",
                  r.items, r.warm_items, r.cold_items, r.households, r.cold_cases, r.warm_cases));

  std::vector<float> scores;
  std::vector<char> cold_excluded(cold_items.size(), 0), warm_excluded(warm_items.size(), 0);
  // Evaluates one trained model on both tasks.
  auto evaluate = [&](const std::string& name, const ItemEmbeddingModel& m) {
    const size_t d = static_cast<size_t>(m.dim());
    std::vector<float> cold_rows(cold_items.size() * d), warm_rows(warm_items.size() * d);
    // A cold item's ID row was never trained: id_only keeps it (an untrained ID embedding is what
    // an ID model has for a new item); hybrid leaves it out and uses its content part alone.
    const bool cold_use_id = m.options().tower != Tower::kHybrid;
    for (size_t c = 0; c < cold_items.size(); ++c) {
      m.Embed(static_cast<size_t>(cold_items[c]), cold_use_id,
              std::span<float>(&cold_rows[c * d], d));
    }
    for (size_t c = 0; c < warm_items.size(); ++c) {
      m.Embed(static_cast<size_t>(warm_items[c]), true, std::span<float>(&warm_rows[c * d], d));
    }
    RankScores cs, ws;
    std::vector<float> user(d);
    for (size_t h = 0; h < train.size(); ++h) {
      if (train[h].empty()) continue;
      std::fill(user.begin(), user.end(), 0.0f);
      for (int i : train[h]) {
        const float* e = &warm_rows[static_cast<size_t>(warm_pos[static_cast<size_t>(i)]) * d];
        for (size_t k = 0; k < d; ++k) user[k] += e[k];
      }
      if (!cold_targets[h].empty()) {
        DotScores(user, cold_rows, d, scores);
        ScoreTargets(scores, cold_targets[h], {}, cold_pos, cold_excluded, o.k, cs);
      }
      if (!warm_targets[h].empty()) {
        DotScores(user, warm_rows, d, scores);
        ScoreTargets(scores, warm_targets[h], train[h], warm_pos, warm_excluded, o.k, ws);
      }
    }
    Finish(cs);
    Finish(ws);
    r.cold[name] = cs;
    r.warm[name] = ws;
  };

  for (Tower t : o.towers) {
    EmbeddingModelOptions mo = o.model;
    mo.tower = t;
    ItemEmbeddingModel m(mo, data.items);
    say(fmt::format("training the {} embeddings ({} dims, {} epochs)", TowerName(t), mo.dim,
                    o.train.epochs));
    const CooccurrenceReport tr = TrainCooccurrence(m, train, o.train, [&](int e, int E, double l) {
      say(fmt::format("  {} epoch {}/{}: loss {:.4f}", TowerName(t), e, E, l));
    });
    r.train_seconds[TowerName(t)] = tr.seconds;
    evaluate(TowerName(t), m);
  }

  // Baselines without learning.
  {
    const ContentFeaturizer featurizer(o.model.featurizer);
    std::vector<std::vector<SparseFeature>> f(n);
    for (size_t i = 0; i < n; ++i) {
      if (!occurs[i]) continue;
      f[i] = featurizer.Featurize(data.items[i]);
      double norm = 0;
      for (const auto& x : f[i]) norm += static_cast<double>(x.weight) * x.weight;
      const auto inv = static_cast<float>(norm > 0 ? 1.0 / std::sqrt(norm) : 0.0);
      for (auto& x : f[i]) x.weight *= inv;
    }
    std::vector<float> profile(o.model.featurizer.buckets, 0.0f);
    RankScores cs, ws;
    for (size_t h = 0; h < train.size(); ++h) {
      if (train[h].empty()) continue;
      if (!cold_targets[h].empty()) {
        for (int i : train[h]) {
          for (const auto& x : f[static_cast<size_t>(i)]) profile[x.bucket] += x.weight;
        }
        scores.resize(cold_items.size());
        for (size_t c = 0; c < cold_items.size(); ++c) {
          float s = 0;
          for (const auto& x : f[static_cast<size_t>(cold_items[c])]) {
            s += x.weight * profile[x.bucket];
          }
          scores[c] = s;
        }
        for (int i : train[h]) {
          for (const auto& x : f[static_cast<size_t>(i)]) profile[x.bucket] = 0.0f;
        }
        ScoreTargets(scores, cold_targets[h], {}, cold_pos, cold_excluded, o.k, cs);
      }
      if (!warm_targets[h].empty()) {
        scores.resize(warm_items.size());
        for (size_t c = 0; c < warm_items.size(); ++c) {
          scores[c] = static_cast<float>(popularity[static_cast<size_t>(warm_items[c])]);
        }
        ScoreTargets(scores, warm_targets[h], train[h], warm_pos, warm_excluded, o.k, ws);
      }
    }
    Finish(cs);
    Finish(ws);
    r.cold["content_raw"] = cs;
    r.warm["popularity"] = ws;
  }
  return r;
}

}  // namespace cf::content
