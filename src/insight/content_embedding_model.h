// Item embeddings with three towers (docs/insight-content.md):
//   id:      e(i) = ID[i]                                  (the classic ID-only embedding)
//   content: e(i) = sum_f w_f V[f] + P image(i)            (content alone; works for new items)
//   hybrid:  e(i) = ID[i] + sum_f w_f V[f] + P image(i)     (trained with the ID part dropped at
//            random, so its content part alone is a good embedding of a cold item)
// V is a hashed table over the ContentFeaturizer's buckets, P a dim x image_dim projection of the
// item's dense image descriptor (absent images add nothing).
//
// Promises: deterministic given the seed; EmbedContent gives any item, known or not, its
// embedding from content alone (the cold-start path), the same as Embed with use_id = false for a
// known item. ApplyGradient is the only mutation (row-wise AdaGrad); not thread-safe while
// training, safe to read from many threads after. Bad options or contents (an image of the
// wrong length, a non-finite value) throw std::invalid_argument naming the item.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "insight/content_features.h"

namespace cf::content {

enum class Tower { kId, kContent, kHybrid };
const char* TowerName(Tower t);

struct EmbeddingModelOptions {
  Tower tower = Tower::kHybrid;
  int dim = 32;
  double init_scale = 0.5;  // initial rows ~ N(0, init_scale^2 / dim)
  uint64_t seed = 1;
  FeaturizerOptions featurizer;
};

class ItemEmbeddingModel {
 public:
  // `items`: the known items' content, index = item id. All images must have one length (or be
  // empty); that length is the model's image_dim.
  ItemEmbeddingModel(const EmbeddingModelOptions& options, const std::vector<ItemContent>& items);

  const EmbeddingModelOptions& options() const { return options_; }
  int dim() const { return options_.dim; }
  size_t size() const { return features_.size(); }
  int image_dim() const { return image_dim_; }
  bool uses_id() const { return options_.tower != Tower::kContent; }
  bool uses_content() const { return options_.tower != Tower::kId; }

  // e(item) into out[0..dim). use_id = false leaves the ID part out (a cold item's embedding).
  void Embed(size_t item, bool use_id, std::span<float> out) const;
  std::vector<float> Embed(size_t item, bool use_id = true) const;
  // The embedding of any item from its content alone (zero vector for the id tower).
  std::vector<float> EmbedContent(const ItemContent& item) const;

  // Moves e(item) against `grad` (dL/de) with row-wise AdaGrad at `rate`: the ID row (when
  // used), every feature row by its weight, the image projection by the image.
  void ApplyGradient(size_t item, bool use_id, std::span<const float> grad, float rate);

 private:
  void EmbedParts(const std::vector<SparseFeature>& f, std::span<const float> image, size_t id,
                  bool use_id, std::span<float> out) const;
  void Step(std::vector<float>& table, std::vector<float>& accum, size_t row, float scale,
            std::span<const float> grad, float rate);

  EmbeddingModelOptions options_;
  ContentFeaturizer featurizer_;
  int image_dim_ = 0;
  std::vector<std::vector<SparseFeature>> features_;  // per known item
  std::vector<std::vector<float>> images_;            // per known item (may be empty)
  std::vector<float> id_, id_accum_;                  // items x dim, per-row AdaGrad sums
  std::vector<float> feat_, feat_accum_;              // buckets x dim
  std::vector<float> proj_, proj_accum_;              // image_dim x dim (row = image component)
};

}  // namespace cf::content
