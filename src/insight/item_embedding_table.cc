#include "insight/item_embedding_table.h"

#include <fmt/format.h>

#include <cmath>

#include "common/random.h"
#include "insight/simhash.h"

namespace cf {

ItemEmbeddingTable::ItemEmbeddingTable(int dim, std::vector<float> rows,
                                       std::vector<CategoryId> category, uint64_t simhash_seed)
    : dim_(dim), rows_(std::move(rows)), category_(std::move(category)) {
  if (dim <= 0) throw ItemEmbeddingError(fmt::format("embedding table: dim {} must be > 0", dim));
  if (rows_.size() != category_.size() * static_cast<size_t>(dim)) {
    throw ItemEmbeddingError(fmt::format(
        "embedding table: {} floats for {} items of dim {} (expected {}); give one row of dim "
        "floats per item",
        rows_.size(), category_.size(), dim, category_.size() * static_cast<size_t>(dim)));
  }
  const SimHasher hasher(dim, simhash_seed);
  signature_.resize(category_.size());
  for (size_t i = 0; i < category_.size(); ++i) {
    float* r = &rows_[i * dim];
    double norm2 = 0;
    for (int k = 0; k < dim; ++k) norm2 += static_cast<double>(r[k]) * r[k];
    if (!(norm2 > 0) || !std::isfinite(norm2)) {
      throw ItemEmbeddingError(fmt::format(
          "embedding table: item {} has a zero or non-finite embedding; every item needs a "
          "non-zero finite row",
          i));
    }
    const double inv = 1.0 / std::sqrt(norm2);
    for (int k = 0; k < dim; ++k) r[k] = static_cast<float>(r[k] * inv);
    signature_[i] = hasher.Sign(r);
  }
}

void ItemEmbeddingTable::Check(ProductId item, const char* what) const {
  if (item >= category_.size()) {
    throw ItemEmbeddingError(fmt::format(
        "{}: item {} is not in the embedding table (it has {} items, ids 0..{}); embed the item "
        "(add its row) before using it",
        what, item, category_.size(), category_.size() == 0 ? 0 : category_.size() - 1));
  }
}

std::vector<float> MakeCategoryEmbeddings(std::span<const CategoryId> category,
                                          std::span<const uint32_t> category_parent,
                                          const CategoryEmbeddingSpec& spec) {
  const int d = spec.dim;
  uint32_t parents = 0;
  for (uint32_t p : category_parent) parents = std::max(parents, p + 1);
  RandomStream rng(spec.seed, "category-embeddings");
  auto normals = [&](size_t n) {
    std::vector<float> v(n);
    for (float& x : v) x = static_cast<float>(rng.Normal());
    return v;
  };
  const std::vector<float> parent_vec = normals(static_cast<size_t>(parents) * d);
  const std::vector<float> category_vec = normals(category_parent.size() * d);
  std::vector<float> rows(category.size() * d);
  const float scale = 1.0f / std::sqrt(static_cast<float>(d));  // unit-length expected parts
  for (size_t i = 0; i < category.size(); ++i) {
    const CategoryId c = category[i];
    if (c >= category_parent.size()) {
      throw ItemEmbeddingError(fmt::format("MakeCategoryEmbeddings: item {} has category {} of {}",
                                           i, c, category_parent.size()));
    }
    const float* p = &parent_vec[static_cast<size_t>(category_parent[c]) * d];
    const float* cv = &category_vec[static_cast<size_t>(c) * d];
    for (int k = 0; k < d; ++k) {
      rows[i * d + k] = scale * (spec.parent_weight * p[k] + spec.category_weight * cv[k] +
                                 spec.noise_weight * static_cast<float>(rng.Normal()));
    }
  }
  return rows;
}

}  // namespace cf
