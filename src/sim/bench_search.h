// `chengfang bench search`: what the knowledge graph's query expansion is worth in the market's
// search channel (issue 4, item 4). The same world and traffic are run with the platform's search
// retrieval three ways (platform.search_expansion): "none" (the categories learned from behaviour
// after each query, the default), "kg" (the graph's reading of the query text as a prior beside
// them) and "kg_only" (the graph alone). Our merchant runs the super plan in each; every
// advertiser's ads are retrieved the same way, so the market's search channel is what changes.
// Replicated over `seeds` run seeds (the three arms of one seed face common random numbers); means,
// standard errors and paired ratios over seeds.
//
// It also scores the graph's reading of the market's query texts against the market's hidden
// scene model (evaluation code may read both): the share of query texts whose first expanded
// category, or any of the first three, serves the need the text was written for.
#pragma once

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace cf {

struct BenchSearchOptions {
  bool quick = false;  // a 20,000-user world over 2 days, one seed
  int seeds = 2;       // ignored with quick
  uint32_t days = 0;   // 0: the scenario's (7)
  uint32_t users = 0;  // 0: the scenario's (100,000)
  int threads = 2;
  // Which of "none", "kg", "kg_only" to run (empty: all three); ratios need "none". An unknown
  // name throws std::invalid_argument.
  std::vector<std::string> arms;
  std::filesystem::path data_dir;  // holds completejourney/
  FILE* progress = nullptr;
};

// {"arms": {"none"|"kg"|"kg_only": {"search": {"impressions", "clicks", "purchases", "ctr", "cvr",
// "purchases_per_mille", "gmv"} (the market's ads in search sessions; each with "<key>_se"),
// "market_gmv", "our_gmv", "our_roi" (+ "_se")}}, "kg_vs_none" and "kg_only_vs_none":
// {"search_purchases", "search_purchases_se", "search_ctr", "search_cvr", "search_gmv",
// "market_gmv", "our_gmv"} (paired ratios, means over seeds), "query_understanding": {"queries",
// "top1", "top3", "empty"}, "seeds", "users", "days", "seconds"}.
nlohmann::json BenchSearch(const BenchSearchOptions& options);

// The graph's reading of the world's query texts (the "query_understanding" object above); the
// graph is `graph_file` (empty: data/kg/curated.kg).
class WorldSpec;
nlohmann::json ScoreQueryUnderstanding(const WorldSpec& spec, const std::string& graph_file);

// The table `chengfang bench search` prints for a BenchSearch result.
std::string FormatBenchSearch(const nlohmann::json& result);

}  // namespace cf
