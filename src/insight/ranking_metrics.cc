#include "insight/ranking_metrics.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace cf {

int64_t RankOfTarget(std::span<const float> scores, int32_t target,
                     std::span<const int32_t> excluded) {
  const float t = scores[static_cast<size_t>(target)];
  int64_t ahead = 0;
  for (size_t i = 1; i < scores.size(); ++i) ahead += scores[i] >= t ? 1 : 0;
  ahead -= 1;  // the target itself
  std::vector<int32_t> seen(excluded.begin(), excluded.end());
  std::sort(seen.begin(), seen.end());
  seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
  for (int32_t s : seen) {
    if (s != target && s > 0 && static_cast<size_t>(s) < scores.size() &&
        scores[static_cast<size_t>(s)] >= t) {
      --ahead;
    }
  }
  return ahead;
}

void TopKAccumulator::AddRank(int64_t rank) {
  ++users_;
  if (rank < k_) {
    ++hits_;
    dcg_ += 1.0 / std::log2(static_cast<double>(rank) + 2.0);
  }
}

TopKMetrics TopKAccumulator::Result() const {
  TopKMetrics m;
  m.users = users_;
  if (users_ > 0) {
    m.hit_rate = static_cast<double>(hits_) / static_cast<double>(users_);
    m.ndcg = dcg_ / static_cast<double>(users_);
  }
  return m;
}

TopKMetrics EvaluateHeldOut(const InteractionLog& log, HeldOut which, const BatchScorer& scorer,
                            int k, int batch_users,
                            const std::function<void(int64_t, int64_t)>& progress) {
  const std::vector<HeldOutCase> cases = HeldOutCases(log, which);
  const int64_t total = static_cast<int64_t>(cases.size());
  const size_t width = static_cast<size_t>(log.num_items()) + 1;
  TopKAccumulator acc(k);
  std::vector<std::span<const int32_t>> histories;
  std::vector<float> scores;
  for (int64_t begin = 0; begin < total; begin += batch_users) {
    const int64_t end = std::min<int64_t>(total, begin + batch_users);
    histories.clear();
    for (int64_t u = begin; u < end; ++u)
      histories.push_back(cases[static_cast<size_t>(u)].history);
    scores.clear();
    scorer(histories, &scores);
    for (int64_t u = begin; u < end; ++u) {
      const HeldOutCase& c = cases[static_cast<size_t>(u)];
      std::span<const float> row(scores.data() + static_cast<size_t>(u - begin) * width, width);
      acc.AddRank(RankOfTarget(row, c.target, c.history));
    }
    if (progress) progress(end, total);
  }
  return acc.Result();
}

namespace {

// Calls f(item) for every training-split item of every user.
template <typename F>
void ForEachTrainingSequence(const InteractionLog& log, F&& f) {
  for (const auto& seq : log.sequences) {
    f(std::span<const int32_t>(seq).first(TrainingLength(seq.size())));
  }
}

}  // namespace

PopularityBaseline::PopularityBaseline(const InteractionLog& log)
    : counts_(static_cast<size_t>(log.num_items()) + 1, 0) {
  ForEachTrainingSequence(log, [&](std::span<const int32_t> s) {
    for (int32_t i : s) ++counts_[static_cast<size_t>(i)];
  });
}

void PopularityBaseline::Score(std::span<const std::span<const int32_t>> histories,
                               std::vector<float>* scores) const {
  scores->resize(histories.size() * counts_.size());
  for (size_t u = 0; u < histories.size(); ++u) {
    float* row = scores->data() + u * counts_.size();
    for (size_t i = 0; i < counts_.size(); ++i) row[i] = static_cast<float>(counts_[i]);
  }
}

TransitionBaseline::TransitionBaseline(const InteractionLog& log) {
  const size_t width = static_cast<size_t>(log.num_items()) + 1;
  std::vector<std::map<int32_t, int32_t>> rows(width);
  std::vector<int64_t> pop(width, 0);
  ForEachTrainingSequence(log, [&](std::span<const int32_t> s) {
    for (size_t t = 0; t < s.size(); ++t) {
      ++pop[static_cast<size_t>(s[t])];
      if (t + 1 < s.size()) ++rows[static_cast<size_t>(s[t])][s[t + 1]];
    }
  });
  offsets_.assign(width + 1, 0);
  for (size_t i = 0; i < width; ++i) {
    offsets_[i + 1] = offsets_[i] + static_cast<int64_t>(rows[i].size());
    for (const auto& [to, c] : rows[i]) {
      next_.push_back(to);
      counts_.push_back(c);
    }
  }
  const int64_t max_pop = *std::max_element(pop.begin(), pop.end());
  tie_break_.resize(width);
  for (size_t i = 0; i < width; ++i) {
    tie_break_[i] =
        static_cast<float>(static_cast<double>(pop[i]) / static_cast<double>(max_pop + 1));
  }
}

int64_t TransitionBaseline::Count(int32_t from, int32_t to) const {
  const size_t f = static_cast<size_t>(from);
  if (from < 0 || f + 1 >= offsets_.size()) return 0;
  auto b = next_.begin() + offsets_[f];
  auto e = next_.begin() + offsets_[f + 1];
  auto it = std::lower_bound(b, e, to);
  return it != e && *it == to ? counts_[static_cast<size_t>(it - next_.begin())] : 0;
}

void TransitionBaseline::Score(std::span<const std::span<const int32_t>> histories,
                               std::vector<float>* scores) const {
  const size_t width = tie_break_.size();
  scores->resize(histories.size() * width);
  for (size_t u = 0; u < histories.size(); ++u) {
    float* row = scores->data() + u * width;
    std::copy(tie_break_.begin(), tie_break_.end(), row);
    if (histories[u].empty()) continue;
    const size_t last = static_cast<size_t>(histories[u].back());
    for (int64_t j = offsets_[last]; j < offsets_[last + 1]; ++j) {
      row[static_cast<size_t>(next_[static_cast<size_t>(j)])] +=
          static_cast<float>(counts_[static_cast<size_t>(j)]);
    }
  }
}

}  // namespace cf
