#include "insight/content_features.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <stdexcept>

#include "common/random.h"
#include "insight/knowledge_graph_text.h"

namespace cf::content {

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Trimmed(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

struct Unit {
  std::string_view name;
  PackageSize::Dimension dim;
  double factor;  // to the base unit
};

// Longest names first within a shared prefix so "lb" is not read as "l".
constexpr Unit kUnits[] = {
    {"fl oz", PackageSize::Dimension::kVolume, 29.5735},
    {"floz", PackageSize::Dimension::kVolume, 29.5735},
    {"oz", PackageSize::Dimension::kWeight, 28.3495},
    {"lbs", PackageSize::Dimension::kWeight, 453.592},
    {"lb", PackageSize::Dimension::kWeight, 453.592},
    {"kg", PackageSize::Dimension::kWeight, 1000},
    {"mg", PackageSize::Dimension::kWeight, 0.001},
    {"gm", PackageSize::Dimension::kWeight, 1},
    {"g", PackageSize::Dimension::kWeight, 1},
    {"千克", PackageSize::Dimension::kWeight, 1000},
    {"公斤", PackageSize::Dimension::kWeight, 1000},
    {"斤", PackageSize::Dimension::kWeight, 500},
    {"克", PackageSize::Dimension::kWeight, 1},
    {"ml", PackageSize::Dimension::kVolume, 1},
    {"ltr", PackageSize::Dimension::kVolume, 1000},
    {"lt", PackageSize::Dimension::kVolume, 1000},
    {"l", PackageSize::Dimension::kVolume, 1000},
    {"gal", PackageSize::Dimension::kVolume, 3785.41},
    {"qt", PackageSize::Dimension::kVolume, 946.353},
    {"pt", PackageSize::Dimension::kVolume, 473.176},
    {"毫升", PackageSize::Dimension::kVolume, 1},
    {"升", PackageSize::Dimension::kVolume, 1000},
    {"ct", PackageSize::Dimension::kCount, 1},
    {"count", PackageSize::Dimension::kCount, 1},
    {"pk", PackageSize::Dimension::kCount, 1},
    {"pack", PackageSize::Dimension::kCount, 1},
    {"ea", PackageSize::Dimension::kCount, 1},
    {"个", PackageSize::Dimension::kCount, 1},
    {"包", PackageSize::Dimension::kCount, 1},
    {"片", PackageSize::Dimension::kCount, 1},
    {"支", PackageSize::Dimension::kCount, 1},
    {"ft", PackageSize::Dimension::kLength, 30.48},
    {"in", PackageSize::Dimension::kLength, 2.54},
    {"cm", PackageSize::Dimension::kLength, 1},
    {"厘米", PackageSize::Dimension::kLength, 1},
};

// Reads a decimal number at s[i]; advances i. nullopt when none.
std::optional<double> ReadNumber(std::string_view s, size_t& i) {
  const size_t start = i;
  bool digits = false;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) {
    digits = digits || std::isdigit(static_cast<unsigned char>(s[i]));
    ++i;
  }
  if (!digits) {
    i = start;
    return std::nullopt;
  }
  try {
    return std::stod(std::string(s.substr(start, i - start)));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

void SkipSpaces(std::string_view s, size_t& i) {
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
}

const char* DimensionCode(PackageSize::Dimension d) {
  switch (d) {
    case PackageSize::Dimension::kWeight:
      return "w";
    case PackageSize::Dimension::kVolume:
      return "v";
    case PackageSize::Dimension::kCount:
      return "c";
    case PackageSize::Dimension::kLength:
      return "l";
  }
  return "?";
}

// Adds one field group: each token gets 1/sqrt(n) of the group's unit norm (weights given are
// relative; the group is normalised to unit L2 norm).
void AddGroup(std::vector<std::pair<std::string, float>>& out,
              std::vector<std::pair<std::string, float>> group) {
  if (group.empty()) return;
  std::map<std::string, float> merged;
  for (auto& [name, w] : group) merged[name] += w;
  double norm = 0;
  for (const auto& [name, w] : merged) norm += static_cast<double>(w) * w;
  if (norm <= 0) return;
  const auto inv = static_cast<float>(1.0 / std::sqrt(norm));
  for (const auto& [name, w] : group) {
    const auto it = merged.find(name);
    if (it == merged.end()) continue;  // already emitted (first occurrence keeps the order)
    out.emplace_back(name, it->second * inv);
    merged.erase(it);
  }
}

void AddText(std::vector<std::pair<std::string, float>>& group, std::string_view text) {
  const kg::TextTokens t = kg::Tokenize(text);
  for (const auto& w : t.words) {
    group.emplace_back("w:" + w, 1.0f);
    const std::string padded = "^" + w + "$";
    if (padded.size() < 5) continue;  // a one- or two-letter word: the word itself is enough
    for (size_t i = 0; i + 3 <= padded.size(); ++i) {
      group.emplace_back("sw:" + padded.substr(i, 3), 0.35f);
    }
  }
  for (const auto& u : t.unigrams) group.emplace_back("zc:" + u, 0.5f);
  for (const auto& b : t.bigrams) group.emplace_back("zb:" + b, 1.0f);
}

}  // namespace

std::optional<PackageSize> ParsePackageSize(std::string_view text) {
  const std::string s = Lower(text);
  std::string_view v(s);
  size_t i = 0;
  while (i < v.size()) {
    SkipSpaces(v, i);
    const auto first = ReadNumber(v, i);
    if (!first) {
      ++i;
      continue;
    }
    double amount = *first;
    SkipSpaces(v, i);
    // "6/12 OZ" and "6 x 12 oz": a multipack of 6 items of 12 oz.
    if (i < v.size() && (v[i] == '/' || v[i] == 'x' || v[i] == '*')) {
      size_t j = i + 1;
      SkipSpaces(v, j);
      if (const auto second = ReadNumber(v, j)) {
        amount *= *second;
        i = j;
        SkipSpaces(v, i);
      }
    }
    for (const Unit& u : kUnits) {
      if (v.substr(i, u.name.size()) != u.name) continue;
      const size_t end = i + u.name.size();
      // ASCII units must end at a non-letter ("oz" in "ozone" is not a unit).
      if (static_cast<unsigned char>(u.name[0]) < 0x80 && end < v.size() &&
          std::isalpha(static_cast<unsigned char>(v[end]))) {
        continue;
      }
      if (amount <= 0 || !std::isfinite(amount)) return std::nullopt;
      return PackageSize{u.dim, amount * u.factor};
    }
  }
  return std::nullopt;
}

ContentFeaturizer::ContentFeaturizer(FeaturizerOptions options) : options_(options) {
  if (options_.buckets < 2 || (options_.buckets & (options_.buckets - 1)) != 0) {
    throw std::invalid_argument("content featurizer: buckets must be a power of two >= 2, got " +
                                std::to_string(options_.buckets));
  }
  if (!(options_.price_band_ratio > 1.0)) {
    throw std::invalid_argument("content featurizer: price_band_ratio must be > 1");
  }
}

std::vector<std::pair<std::string, float>> ContentFeaturizer::Named(const ItemContent& item) const {
  std::vector<std::pair<std::string, float>> out;
  // Category path: every prefix, deeper levels weigh more (they say more about the item).
  {
    std::vector<std::pair<std::string, float>> g;
    std::string prefix;
    int level = 0;
    for (const auto& raw : item.category_path) {
      const std::string part = Trimmed(Lower(raw));
      if (part.empty()) continue;
      ++level;
      prefix += (prefix.empty() ? "" : ">") + part;
      g.emplace_back("path" + std::to_string(level) + ":" + prefix,
                     static_cast<float>(0.5 + 0.5 * level));
    }
    AddGroup(out, std::move(g));
  }
  // Words of the title and of the path's names (the path's words link "CHEESE" to "CHEESES,
  // SPECIALTY").
  {
    std::vector<std::pair<std::string, float>> g;
    AddText(g, item.title);
    for (const auto& part : item.category_path) AddText(g, part);
    AddGroup(out, std::move(g));
  }
  if (const std::string b = Trimmed(Lower(item.brand)); !b.empty()) {
    AddGroup(out, {{"brand:" + b, 1.0f}});
  }
  if (const std::string raw = Trimmed(Lower(item.package_size)); !raw.empty()) {
    std::vector<std::pair<std::string, float>> g;
    if (const auto ps = ParsePackageSize(raw)) {
      const std::string d = DimensionCode(ps->dimension);
      const int band = static_cast<int>(std::floor(std::log2(ps->amount)));
      g.emplace_back("unit:" + d, 0.7f);
      g.emplace_back("size:" + d + ":" + std::to_string(band), 1.0f);
      g.emplace_back("size:" + d + ":" + std::to_string(band - 1), 0.5f);
      g.emplace_back("size:" + d + ":" + std::to_string(band + 1), 0.5f);
    } else {
      g.emplace_back("sizeraw:" + raw, 1.0f);
    }
    AddGroup(out, std::move(g));
  }
  if (item.price > 0 && std::isfinite(item.price)) {
    const int band =
        static_cast<int>(std::floor(std::log(item.price) / std::log(options_.price_band_ratio)));
    AddGroup(out, {{"price:" + std::to_string(band), 1.0f},
                   {"price:" + std::to_string(band - 1), 0.5f},
                   {"price:" + std::to_string(band + 1), 0.5f}});
  }
  if (!item.attributes.empty()) {
    std::vector<std::pair<std::string, float>> g;
    for (const auto& [k, v] : item.attributes) {
      const std::string key = Trimmed(Lower(k));
      if (key.empty()) continue;
      g.emplace_back("attr:" + key + "=" + Trimmed(Lower(v)), 1.0f);
      g.emplace_back("attrk:" + key, 0.3f);
    }
    AddGroup(out, std::move(g));
  }
  return out;
}

std::vector<SparseFeature> ContentFeaturizer::Featurize(const ItemContent& item) const {
  std::vector<SparseFeature> out;
  for (const auto& [name, w] : Named(item)) {
    const uint64_t h = Mix64(HashName(name) ^ options_.seed);
    out.push_back({static_cast<uint32_t>(h & (options_.buckets - 1)), w});
  }
  std::sort(out.begin(), out.end(),
            [](const SparseFeature& a, const SparseFeature& b) { return a.bucket < b.bucket; });
  std::vector<SparseFeature> merged;
  for (const auto& f : out) {
    if (!merged.empty() && merged.back().bucket == f.bucket) {
      merged.back().weight += f.weight;
    } else {
      merged.push_back(f);
    }
  }
  return merged;
}

double SparseCosine(const std::vector<SparseFeature>& a, const std::vector<SparseFeature>& b) {
  double dot = 0, na = 0, nb = 0;
  for (const auto& f : a) na += static_cast<double>(f.weight) * f.weight;
  for (const auto& f : b) nb += static_cast<double>(f.weight) * f.weight;
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i].bucket < b[j].bucket) {
      ++i;
    } else if (b[j].bucket < a[i].bucket) {
      ++j;
    } else {
      dot += static_cast<double>(a[i].weight) * b[j].weight;
      ++i;
      ++j;
    }
  }
  return na > 0 && nb > 0 ? dot / std::sqrt(na * nb) : 0.0;
}

}  // namespace cf::content
