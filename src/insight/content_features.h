// What an item is, from its content alone: the record a merchant fills in (title, category path,
// brand, package size, price, attributes, an optional image descriptor) and the sparse hashed
// features the content embedding model reads (docs/insight-content.md).
//
// Promises: Featurize is a pure function of the content and the options (thread-safe,
// deterministic, independent of other items), so an item never seen in any interaction gets the
// same features as a known one. Text in any language: English by lower-cased word stems plus
// character 3-grams of each word ("subwords", so "strawberries" and "strawberry" share most of
// them), Chinese by character unigrams and bigrams; invalid UTF-8 is a separator. Each field group
// (path, text, brand, size, price, attributes) has unit L2 norm, so a long title cannot drown the
// category. Package sizes such as "16 OZ", "6/12 OZ", "1.5 LTR", "500克", "2kg" become a dimension
// (weight, volume, count, length) and a log2 band with its neighbours at half weight; prices a
// band of ratio 1.5. Unparsable sizes fall back to their raw text as one token, never an error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cf::content {

struct ItemContent {
  std::string title;                       // free text, any language; may be empty
  std::vector<std::string> category_path;  // root first: {"GROCERY", "BAKED BREAD", "ROLLS"}
  std::string brand;                       // "" when unknown
  std::string package_size;                // "16 OZ", "6/12 OZ", "500克"; "" when unknown
  double price = 0;                        // shelf price; <= 0 when unknown
  std::vector<std::pair<std::string, std::string>> attributes;  // {"colour", "red"}
  std::vector<float> image;  // dense image descriptor (fixed length per model); empty = no image
};

// A package size in a base unit: grams, millilitres, items or centimetres.
struct PackageSize {
  enum class Dimension { kWeight, kVolume, kCount, kLength };
  Dimension dimension = Dimension::kCount;
  double amount = 0;  // in the base unit, > 0
};
// Parses "16 OZ", "6/12 OZ" (6 x 12 oz), "1.5 LTR", "2 PK", "500克", "2kg", "750 ML". nullopt when
// no number with a known unit is found.
std::optional<PackageSize> ParsePackageSize(std::string_view text);

struct SparseFeature {
  uint32_t bucket = 0;
  float weight = 0;
};

struct FeaturizerOptions {
  uint32_t buckets = 1u << 18;  // hashed feature space (power of two)
  double price_band_ratio = 1.5;
  uint64_t seed = 0x636f6e74656e74ULL;  // hashing seed
};

class ContentFeaturizer {
 public:
  explicit ContentFeaturizer(FeaturizerOptions options = {});  // throws on bad options
  const FeaturizerOptions& options() const { return options_; }

  // The item's features, merged by bucket (weights summed), sorted by bucket.
  std::vector<SparseFeature> Featurize(const ItemContent& item) const;
  // The same features by name with their weights, in field order, before hashing (for
  // explanations and tests): "path1:grocery", "w:strawberry", "sw:ber", "zb:连衣", "size:w:9", ...
  std::vector<std::pair<std::string, float>> Named(const ItemContent& item) const;

 private:
  FeaturizerOptions options_;
};

// Cosine similarity of two sorted sparse vectors (0 when either is empty).
double SparseCosine(const std::vector<SparseFeature>& a, const std::vector<SparseFeature>& b);

}  // namespace cf::content
