#include "insight/content_embedding_model.h"

#include <cmath>
#include <stdexcept>

#include "common/random.h"

namespace cf::content {

const char* TowerName(Tower t) {
  switch (t) {
    case Tower::kId:
      return "id_only";
    case Tower::kContent:
      return "content";
    case Tower::kHybrid:
      return "hybrid";
  }
  return "?";
}

namespace {

void InitRows(std::vector<float>& table, size_t rows, int dim, double scale, uint64_t seed,
              std::string_view name) {
  table.resize(rows * static_cast<size_t>(dim));
  RandomStream rng(seed, name);
  const double sd = scale / std::sqrt(static_cast<double>(dim));
  for (float& x : table) x = static_cast<float>(rng.Normal(0.0, sd));
}

}  // namespace

ItemEmbeddingModel::ItemEmbeddingModel(const EmbeddingModelOptions& options,
                                       const std::vector<ItemContent>& items)
    : options_(options), featurizer_(options.featurizer) {
  if (options_.dim < 1 || options_.dim > 1024) {
    throw std::invalid_argument("item embedding model: dim must be in [1, 1024], got " +
                                std::to_string(options_.dim));
  }
  if (!(options_.init_scale > 0) || !std::isfinite(options_.init_scale)) {
    throw std::invalid_argument("item embedding model: init_scale must be positive");
  }
  features_.reserve(items.size());
  images_.reserve(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    const auto& img = items[i].image;
    if (!img.empty()) {
      if (image_dim_ == 0) image_dim_ = static_cast<int>(img.size());
      if (static_cast<int>(img.size()) != image_dim_) {
        throw std::invalid_argument(
            "item embedding model: item " + std::to_string(i) +
            " has an image descriptor of length " + std::to_string(img.size()) + ", others have " +
            std::to_string(image_dim_) + " (use one descriptor length for all items)");
      }
      for (float x : img) {
        if (!std::isfinite(x)) {
          throw std::invalid_argument("item embedding model: item " + std::to_string(i) +
                                      " has a non-finite image descriptor value");
        }
      }
    }
    if (!std::isfinite(items[i].price)) {
      throw std::invalid_argument("item embedding model: item " + std::to_string(i) +
                                  " has a non-finite price");
    }
    features_.push_back(featurizer_.Featurize(items[i]));
    images_.push_back(img);
  }
  if (uses_id()) {
    InitRows(id_, items.size(), options_.dim, options_.init_scale, options_.seed, "id");
    id_accum_.assign(items.size(), 0.0f);
  }
  if (uses_content()) {
    InitRows(feat_, options_.featurizer.buckets, options_.dim, options_.init_scale, options_.seed,
             "content");
    feat_accum_.assign(options_.featurizer.buckets, 0.0f);
    if (image_dim_ > 0) {
      InitRows(proj_, static_cast<size_t>(image_dim_), options_.dim, options_.init_scale,
               options_.seed, "image");
      proj_accum_.assign(static_cast<size_t>(image_dim_), 0.0f);
    }
  }
}

void ItemEmbeddingModel::EmbedParts(const std::vector<SparseFeature>& f,
                                    std::span<const float> image, size_t id, bool use_id,
                                    std::span<float> out) const {
  const size_t d = static_cast<size_t>(options_.dim);
  std::fill(out.begin(), out.end(), 0.0f);
  if (use_id && uses_id()) {
    const float* r = &id_[id * d];
    for (size_t k = 0; k < d; ++k) out[k] += r[k];
  }
  if (!uses_content()) return;
  for (const auto& x : f) {
    const float* r = &feat_[static_cast<size_t>(x.bucket) * d];
    for (size_t k = 0; k < d; ++k) out[k] += x.weight * r[k];
  }
  if (image_dim_ > 0 && static_cast<int>(image.size()) == image_dim_) {
    for (size_t j = 0; j < image.size(); ++j) {
      const float* r = &proj_[j * d];
      for (size_t k = 0; k < d; ++k) out[k] += image[j] * r[k];
    }
  }
}

void ItemEmbeddingModel::Embed(size_t item, bool use_id, std::span<float> out) const {
  if (item >= features_.size()) {
    throw std::invalid_argument("item embedding model: item " + std::to_string(item) +
                                " is not one of the model's " + std::to_string(size()) +
                                " items (use EmbedContent for a new item)");
  }
  EmbedParts(features_[item], images_[item], item, use_id, out);
}

std::vector<float> ItemEmbeddingModel::Embed(size_t item, bool use_id) const {
  std::vector<float> out(static_cast<size_t>(options_.dim));
  Embed(item, use_id, out);
  return out;
}

std::vector<float> ItemEmbeddingModel::EmbedContent(const ItemContent& item) const {
  if (!item.image.empty() && image_dim_ > 0 && static_cast<int>(item.image.size()) != image_dim_) {
    throw std::invalid_argument("item embedding model: an image descriptor of length " +
                                std::to_string(item.image.size()) + " for a model of length " +
                                std::to_string(image_dim_));
  }
  std::vector<float> out(static_cast<size_t>(options_.dim));
  EmbedParts(featurizer_.Featurize(item), item.image, 0, false, out);
  return out;
}

void ItemEmbeddingModel::Step(std::vector<float>& table, std::vector<float>& accum, size_t row,
                              float scale, std::span<const float> grad, float rate) {
  const size_t d = static_cast<size_t>(options_.dim);
  float sq = 0;
  for (size_t k = 0; k < d; ++k) sq += scale * grad[k] * scale * grad[k];
  accum[row] += sq / static_cast<float>(d);
  const float step = rate * scale / (1.0f + std::sqrt(accum[row]));
  float* r = &table[row * d];
  for (size_t k = 0; k < d; ++k) r[k] -= step * grad[k];
}

void ItemEmbeddingModel::ApplyGradient(size_t item, bool use_id, std::span<const float> grad,
                                       float rate) {
  if (use_id && uses_id()) Step(id_, id_accum_, item, 1.0f, grad, rate);
  if (!uses_content()) return;
  for (const auto& x : features_[item]) Step(feat_, feat_accum_, x.bucket, x.weight, grad, rate);
  const auto& img = images_[item];
  if (image_dim_ > 0 && !img.empty()) {
    for (size_t j = 0; j < img.size(); ++j) {
      if (img[j] != 0.0f) Step(proj_, proj_accum_, j, img[j], grad, rate);
    }
  }
}

}  // namespace cf::content
