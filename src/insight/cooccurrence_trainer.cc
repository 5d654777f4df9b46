#include "insight/cooccurrence_trainer.h"

#include <chrono>
#include <cmath>
#include <stdexcept>
#include <string>

#include "common/alias_table.h"
#include "common/random.h"

namespace cf::content {

namespace {

float Sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }

float Dot(const std::vector<float>& a, const std::vector<float>& b) {
  float s = 0;
  for (size_t k = 0; k < a.size(); ++k) s += a[k] * b[k];
  return s;
}

}  // namespace

CooccurrenceReport TrainCooccurrence(ItemEmbeddingModel& model,
                                     const std::vector<std::vector<int>>& item_sets,
                                     const CooccurrenceOptions& o,
                                     const CooccurrenceProgress& progress) {
  if (o.epochs < 1 || o.negatives < 1 || o.contexts < 1) {
    throw std::invalid_argument(
        "co-occurrence training: epochs, negatives and contexts must be at least 1");
  }
  if (!(o.learning_rate > 0) || !std::isfinite(o.learning_rate)) {
    throw std::invalid_argument("co-occurrence training: learning_rate must be positive");
  }
  if (!(o.id_dropout >= 0 && o.id_dropout < 1)) {
    throw std::invalid_argument("co-occurrence training: id_dropout must be in [0, 1)");
  }
  if (o.history < 1) throw std::invalid_argument("co-occurrence training: history must be >= 1");
  if (!(o.negative_power >= 0 && o.negative_power <= 1)) {
    throw std::invalid_argument("co-occurrence training: negative_power must be in [0, 1]");
  }
  const auto start = std::chrono::steady_clock::now();
  CooccurrenceReport report;
  std::vector<double> freq(model.size(), 0.0);
  for (const auto& s : item_sets) {
    for (int i : s) {
      if (i < 0 || static_cast<size_t>(i) >= model.size()) {
        throw std::invalid_argument("co-occurrence training: item " + std::to_string(i) +
                                    " is not one of the model's " + std::to_string(model.size()) +
                                    " items");
      }
      freq[static_cast<size_t>(i)] += 1;
    }
    if (s.size() >= 2) ++report.sets;
  }
  for (double f : freq) report.items += f > 0 ? 1 : 0;
  if (report.sets == 0) {
    throw std::invalid_argument(
        "co-occurrence training: no set holds two items, nothing to learn from");
  }
  const bool skipgram = o.objective == CooccurrenceObjective::kSkipGram;
  const double power = skipgram ? 0.75 : o.negative_power;
  std::vector<double> weights(freq.size());
  for (size_t i = 0; i < freq.size(); ++i) weights[i] = freq[i] > 0 ? std::pow(freq[i], power) : 0;
  const AliasTable negatives(weights);
  RandomStream rng(o.seed, "cooccurrence");
  const bool hybrid = model.options().tower == Tower::kHybrid;
  const size_t d = static_cast<size_t>(model.dim());
  // Order of the sets, shuffled each epoch.
  std::vector<size_t> order;
  for (size_t s = 0; s < item_sets.size(); ++s) {
    if (item_sets[s].size() >= 2) order.push_back(s);
  }
  // Slots: 0 = anchor (skipgram) or target (history), then negatives, then (history) the history.
  const size_t max_slots = static_cast<size_t>(2 + o.negatives + o.history);
  std::vector<int> items(max_slots);
  std::vector<char> with_id(max_slots);
  std::vector<std::vector<float>> emb(max_slots, std::vector<float>(d));
  std::vector<std::vector<float>> grad(max_slots, std::vector<float>(d));
  std::vector<float> user(d), grad_user(d), logits(static_cast<size_t>(1 + o.negatives));
  std::vector<size_t> picks;
  auto load = [&](size_t slot, int item) {
    items[slot] = item;
    with_id[slot] = !hybrid || !rng.Bernoulli(o.id_dropout);
    model.Embed(static_cast<size_t>(item), with_id[slot] != 0, emb[slot]);
    std::fill(grad[slot].begin(), grad[slot].end(), 0.0f);
  };
  auto apply = [&](size_t slots, float rate) {
    for (size_t j = 0; j < slots; ++j) {
      model.ApplyGradient(static_cast<size_t>(items[j]), with_id[j] != 0, grad[j], rate);
    }
  };
  const size_t kneg = static_cast<size_t>(o.negatives);
  for (int epoch = 1; epoch <= o.epochs; ++epoch) {
    for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.Below(i)]);
    // Linear decay to a tenth of the rate over training.
    const auto rate =
        static_cast<float>(o.learning_rate * (1.0 - 0.9 * (epoch - 1) / std::max(1, o.epochs - 1)));
    double loss = 0;
    size_t pairs = 0;
    for (size_t s : order) {
      const auto& set = item_sets[s];
      const size_t n = set.size();
      for (size_t ai = 0; ai < n; ++ai) {
        if (!skipgram) {
          // Target set[ai]; history: up to o.history other items of the set, drawn without
          // replacement (a partial shuffle of the other positions).
          picks.clear();
          for (size_t j = 0; j < n; ++j) {
            if (j != ai) picks.push_back(j);
          }
          const size_t hn = std::min(picks.size(), static_cast<size_t>(o.history));
          for (size_t j = 0; j < hn; ++j)
            std::swap(picks[j], picks[j + rng.Below(picks.size() - j)]);
          load(0, set[ai]);
          for (size_t k = 0; k < kneg; ++k) {
            load(1 + k, static_cast<int>(negatives.Sample(rng.Uniform(), rng.Uniform())));
          }
          std::fill(user.begin(), user.end(), 0.0f);
          for (size_t j = 0; j < hn; ++j) {
            load(1 + kneg + j, set[picks[j]]);
            for (size_t k = 0; k < d; ++k) user[k] += emb[1 + kneg + j][k];
          }
          const float inv = 1.0f / static_cast<float>(hn);
          for (float& x : user) x *= inv;
          float top = -1e30f;
          for (size_t j = 0; j <= kneg; ++j) {
            logits[j] = Dot(user, emb[j]);
            // A negative that is the target itself is not a negative.
            if (j > 0 && items[j] == items[0]) logits[j] = -1e30f;
            top = std::max(top, logits[j]);
          }
          double z = 0;
          for (size_t j = 0; j <= kneg; ++j) z += std::exp(static_cast<double>(logits[j] - top));
          loss -= static_cast<double>(logits[0] - top) - std::log(z);
          std::fill(grad_user.begin(), grad_user.end(), 0.0f);
          for (size_t j = 0; j <= kneg; ++j) {
            const auto p = static_cast<float>(std::exp(static_cast<double>(logits[j] - top)) / z);
            const float g = p - (j == 0 ? 1.0f : 0.0f);  // dL/dlogit_j
            if (g == 0.0f) continue;
            for (size_t k = 0; k < d; ++k) {
              grad[j][k] += g * user[k];
              grad_user[k] += g * emb[j][k];
            }
          }
          for (size_t j = 0; j < hn; ++j) {
            for (size_t k = 0; k < d; ++k) grad[1 + kneg + j][k] = inv * grad_user[k];
          }
          apply(1 + kneg + hn, rate);
          ++pairs;
          continue;
        }
        const int c = static_cast<int>(std::min<size_t>(static_cast<size_t>(o.contexts), n - 1));
        for (int ci = 0; ci < c; ++ci) {
          size_t bi = rng.Below(n - 1);
          if (bi >= ai) ++bi;
          load(0, set[ai]);
          load(1, set[bi]);
          for (size_t k = 0; k < kneg; ++k) {
            load(2 + k, static_cast<int>(negatives.Sample(rng.Uniform(), rng.Uniform())));
          }
          // Positive pair and negatives against the anchor a.
          for (size_t j = 1; j < 2 + kneg; ++j) {
            if (j >= 2 && items[j] == items[0]) continue;  // a negative equal to the anchor
            const float label = j == 1 ? 1.0f : 0.0f;
            const float p = Sigmoid(Dot(emb[0], emb[j]));
            loss -= std::log(std::max(1e-7f, label > 0 ? p : 1.0f - p));
            const float g = p - label;  // dL/d(e_a . e_j)
            for (size_t k = 0; k < d; ++k) {
              grad[0][k] += g * emb[j][k];
              grad[j][k] += g * emb[0][k];
            }
          }
          apply(2 + kneg, rate);
          ++pairs;
        }
      }
    }
    report.pairs += pairs;
    report.final_loss = pairs > 0 ? loss / static_cast<double>(pairs) : 0.0;
    if (progress) progress(epoch, o.epochs, report.final_loss);
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace cf::content
