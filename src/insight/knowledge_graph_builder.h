// Builds the full knowledge graph from its three sources: the curated graph (scenes, needs,
// attributes, curated categories and complements, data/kg/curated.kg), the Google product
// taxonomy (each category gets a taxonomy node: the curated id, else the best word overlap), and
// the real catalogue and baskets (one "catalogue" category per product_category, attached to a
// curated parent by its explicit `catalogue:` patterns or by word overlap; complementary pairs
// mined from co-purchases, provenance "mined").
//
// Promises: deterministic (same inputs, byte-identical Serialize()); every input may be absent
// (null) except the curated graph; errors are KgError naming the file and line (e.g. a curated
// taxonomy id missing from the taxonomy). Progress lines go to `progress` when given.
// Not thread-safe per call; independent calls are.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "insight/copurchase_miner.h"
#include "insight/knowledge_graph.h"
#include "insight/knowledge_graph_products.h"
#include "insight/knowledge_graph_taxonomy.h"

namespace cf::kg {

struct BuildOptions {
  MinerOptions miner;
  double taxonomy_min_score = 0.34;   // below: no taxonomy node
  double parent_min_coverage = 0.99;  // share of a catalogue name's words a curated category covers
};

struct BuildInputs {
  const KnowledgeGraph* curated = nullptr;  // required
  std::string curated_file = "<curated>";   // for messages
  const Taxonomy* taxonomy = nullptr;
  const RetailCatalogue* catalogue = nullptr;
  const std::vector<RetailBasket>* baskets = nullptr;  // mined when given (with the catalogue)
};

using Progress = std::function<void(std::string_view)>;

KnowledgeGraph BuildGraph(const BuildInputs& in, const BuildOptions& options,
                          const Progress& progress = {});

// The id of the catalogue category node for a product_category name ("HOT DOGS" -> "cj.hot_dogs").
std::string CatalogueCategoryId(std::string_view product_category);

// Loads curated + data/taxonomy + data/completejourney from `data_dir` (each data part skipped with
// a progress note when its file is absent) and builds.
KnowledgeGraph BuildFromFiles(const std::filesystem::path& curated,
                              const std::filesystem::path& data_dir, const BuildOptions& options,
                              const Progress& progress = {});

}  // namespace cf::kg
