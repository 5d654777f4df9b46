// The long-history serving benchmark behind `chengfang bench insight`, and the synthetic
// catalogue and user histories it (and the tests) run on.
//
// The catalogue: items spread evenly over categories, categories grouped under parents, item
// embeddings built from that content (MakeCategoryEmbeddings). A user: a few interest
// categories; each event picks one (or, with probability `noise`, any category), then an item
// by Zipf popularity within it, an action (views, clicks, likes, carts, purchases) and a time
// gap. Everything is deterministic given the seeds.
//
// The benchmark: for history lengths 100, 1,000, 10,000 and 100,000 it builds one user
// incrementally (timing Append), then times single-threaded requests of `candidates` items (half
// from the user's interests, half from anywhere) and reports p50/p99 per length, for the default
// soft search, the hard (category) search, and a worst case where every event is a new item.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/random.h"
#include "insight/behaviour_store.h"
#include "insight/item_embedding_table.h"
#include "insight/target_attention.h"

namespace cf {

struct SyntheticCatalogueSpec {
  size_t items = 200000;
  uint32_t categories = 400;
  uint32_t parents = 40;
  int dim = 32;
  uint64_t seed = 7;
};

struct SyntheticCatalogue {
  std::vector<uint32_t> category_parent;
  std::vector<std::vector<ProductId>> items_of_category;  // most popular first
  ItemEmbeddingTable table;
};
SyntheticCatalogue MakeSyntheticCatalogue(const SyntheticCatalogueSpec& spec);

struct SyntheticUserSpec {
  size_t events = 10000;
  int interests = 8;          // interest categories
  double noise = 0.1;         // share of events in a random category
  bool all_distinct = false;  // worst case: every event a new item, categories anywhere
  double mean_gap_minutes = 10;
  uint64_t seed = 1;
};
struct SyntheticUser {
  std::vector<CategoryId> interests;
  std::vector<Behaviour> history;  // time order
};
SyntheticUser MakeSyntheticUser(const SyntheticCatalogue& catalogue, const SyntheticUserSpec& spec);

// `n` candidates: half items of the user's interest categories, half any items.
std::vector<ProductId> MakeSyntheticRequest(const SyntheticCatalogue& catalogue,
                                            const SyntheticUser& user, size_t n, RandomStream& rng);

struct LongHistoryBenchOptions {
  bool quick = false;  // fewer requests (CI): about a second
  size_t candidates = 500;
  int requests = 0;  // per history length; 0 = 300 (quick: 15)
  TargetAttentionOptions attention;
  uint64_t seed = 42;
  bool progress = true;  // one line per history length on stderr
};
// {"latency":[{"history":100,"p50_ms":..,"p99_ms":..,...}, ...], "append_ns":.., ...}
nlohmann::json RunLongHistoryBench(const LongHistoryBenchOptions& options);
std::string FormatLongHistoryBench(const nlohmann::json& result);

}  // namespace cf
