// The knowledge graph: scenes -> needs -> attributes -> categories, plus complementary relations
// between categories (curated by people or mined from co-purchases) that form complete solutions.
// Every node has a zh and an en name and zh/en keywords. The text file format ("chengfang-kg 1",
// a sectioned line format people edit by hand) is documented in docs/knowledge-graph.md.
//
// Promises: Parse/Load accept only format version kFormatVersion and a graph whose every reference
// resolves; any problem throws KgError whose message starts with "<file>:<line>:" and says what to
// do. Serialize writes a canonical text that Parse reads back to an equal graph (round trip), in a
// deterministic order (the order nodes and relations were added). A loaded graph is immutable in
// practice and safe to read from many threads; building one (Add*) is not thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace cf::kg {

inline constexpr int kFormatVersion = 1;
inline constexpr std::string_view kFormatMagic = "chengfang-kg";

class KgError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class NodeKind { kScene, kNeed, kAttribute, kCategory };
std::string_view KindName(NodeKind k);

// A weighted reference from one node to the next layer (scene->need, need->attribute,
// attribute->category). `to` is the target's index once the graph is resolved.
struct Edge {
  std::string id;
  double weight = 1.0;
  int to = -1;
  int line = 0;  // where the reference was written (0: added in code)
};

struct Node {
  NodeKind kind = NodeKind::kScene;
  std::string id;
  std::string zh, en;
  std::vector<std::string> keywords_zh, keywords_en;
  std::vector<Edge> edges;  // to the next layer; empty for categories
  // Categories only.
  std::string source = "curated";      // "curated" or "catalogue" (generated from products.csv)
  int64_t taxonomy = -1;               // Google product taxonomy id, -1 when none
  std::string taxonomy_path;           // "Health & Beauty > ..." (written by the builder)
  std::string taxonomy_match;          // "curated" or "overlap" (how the id was chosen)
  std::vector<std::string> catalogue;  // "PRODUCT_CATEGORY" or "PRODUCT_CATEGORY > type words"
  std::string parent;                  // a curated category this catalogue category belongs to
  int parent_index = -1;
  int line = 0;  // header line in the source file (0: added in code)
};

enum class Provenance { kCurated, kMined };

// An undirected complementary relation between two categories. Mined relations carry their
// co-purchase statistics over `baskets` baskets: support = baskets holding both, count_a/count_b
// = baskets holding each, lift = P(ab)/(P(a)P(b)), pmi = ln(lift), weight = normalised PMI.
struct Complement {
  std::string a, b;
  int ia = -1, ib = -1;
  double weight = 1.0;
  Provenance provenance = Provenance::kCurated;
  double lift = 0, pmi = 0;
  int64_t support = 0, count_a = 0, count_b = 0, baskets = 0;
  int line = 0;
};

class KnowledgeGraph {
 public:
  // Parses `text`; `file_name` is used in error messages.
  static KnowledgeGraph Parse(std::string_view text, const std::string& file_name);
  // Reads and parses a file; a missing file throws naming the path.
  static KnowledgeGraph Load(const std::filesystem::path& path);

  std::string Serialize() const;
  // Writes Serialize() to `path` atomically (temporary file, then rename).
  void Save(const std::filesystem::path& path) const;

  // Building. Add throws KgError on a duplicate id. Resolve() checks every reference (edges of
  // the right kind, parents, complements) and fills the indices; Parse calls it.
  int AddNode(Node n);
  void AddComplement(Complement c);
  void Resolve(const std::string& file_name = "<graph>");

  const std::vector<Node>& nodes() const { return nodes_; }
  std::vector<Node>& mutable_nodes() { return nodes_; }
  const std::vector<Complement>& complements() const { return complements_; }
  // Index of the node called `id`, or -1.
  int Find(std::string_view id) const;
  const Node& node(int i) const { return nodes_[static_cast<size_t>(i)]; }
  size_t Count(NodeKind k) const;

  // Complements touching category `i` (indices into complements()).
  const std::vector<int>& ComplementsOf(int i) const;

 private:
  std::vector<Node> nodes_;
  std::unordered_map<std::string, int> index_;
  std::vector<Complement> complements_;
  std::vector<std::vector<int>> complements_of_;
};

// Splits a keyword list written with ',' '，' '、' or ';' separators; trims spaces.
std::vector<std::string> SplitList(std::string_view s);

// ASCII upper case (catalogue names are compared case-insensitively).
std::string UpperAscii(std::string_view s);

// A category node's `catalogue:` pattern, parsed: "PRODUCT_CATEGORY" (all of that category),
// "PRODUCT_CATEGORY > words" (its product types containing the words) or "* > words" (types
// containing the words in any category). Both parts are kept in upper case.
struct CataloguePattern {
  std::string category;  // "*" = any category
  std::string type;      // "" = any type
  static CataloguePattern Parse(std::string_view pattern);
  bool AnyCategory() const { return category == "*"; }
  // Whether a product of this category and type (both upper case) matches.
  bool Matches(std::string_view category_upper, std::string_view type_upper) const {
    return (AnyCategory() || category == category_upper) &&
           (type.empty() || type_upper.find(type) != std::string_view::npos);
  }
};

}  // namespace cf::kg
