// ItemEmbeddingTable: the dense item embeddings the long-history search and attention run on
// (one row of dim() floats per item id 0..size()-1, with the item's category and its SimHash
// signature). Promises: rows are stored unit-length (the table divides each row by its norm, so
// scaling a row changes nothing); signatures are computed once here, so appending a behaviour
// never re-hashes; Check() throws ItemEmbeddingError naming the unknown id. Immutable after
// construction; safe to share between threads. Memory: size() * (4 * dim() + 12) bytes.
#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/ids.h"

namespace cf {

class ItemEmbeddingError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

class ItemEmbeddingTable {
 public:
  // `rows` holds category.size() rows of `dim` floats. Throws ItemEmbeddingError on a size
  // mismatch or a row that is zero or not finite.
  ItemEmbeddingTable(int dim, std::vector<float> rows, std::vector<CategoryId> category,
                     uint64_t simhash_seed = 1);

  int dim() const { return dim_; }
  size_t size() const { return category_.size(); }
  bool Contains(ProductId item) const { return item < category_.size(); }
  // Throws ItemEmbeddingError ("<what>: item 12345 is not in the embedding table ...").
  void Check(ProductId item, const char* what) const;

  const float* Row(ProductId item) const { return &rows_[static_cast<size_t>(item) * dim_]; }
  CategoryId Category(ProductId item) const { return category_[item]; }
  uint64_t Signature(ProductId item) const { return signature_[item]; }

 private:
  int dim_;
  std::vector<float> rows_;
  std::vector<CategoryId> category_;
  std::vector<uint64_t> signature_;
};

// Content-derived embeddings for tests and benchmarks: item i's row is
//   normalise(parent_weight * P[parent(c)] + category_weight * C[c] + noise_weight * N_i)
// with c = category[i] and P, C, N independent standard normal vectors from `seed`. Items of one
// category are close (cosine about 0.8 with the defaults), of sibling categories related (about
// 0.3), of unrelated ones near 0.
struct CategoryEmbeddingSpec {
  int dim = 32;
  float parent_weight = 0.55f;
  float category_weight = 0.8f;
  float noise_weight = 0.4f;
  uint64_t seed = 7;
};
std::vector<float> MakeCategoryEmbeddings(std::span<const CategoryId> category,
                                          std::span<const uint32_t> category_parent,
                                          const CategoryEmbeddingSpec& spec);

}  // namespace cf
