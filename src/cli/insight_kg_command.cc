#include "cli/insight_kg_command.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "cli/command_guard.h"
#include "insight/basket_completion.h"
#include "insight/knowledge_graph.h"
#include "insight/knowledge_graph_builder.h"
#include "insight/knowledge_graph_products.h"
#include "insight/knowledge_graph_retrieval.h"
#include "insight/query_understanding.h"

namespace cf {

namespace {

namespace fs = std::filesystem;
using kg::KnowledgeGraph;

struct KgOptions {
  std::string data = kg::DefaultKgDataDir().string();
  std::string curated = kg::DefaultCuratedGraph().string();
  std::string kg_file;  // explain/bundle: a built graph; empty = curated + data on the fly
  std::string out;
  std::string query;
  std::string check_file;
  bool json = false;
  size_t k = 10;
  int test_every = 5;
  kg::MinerOptions miner;
};

void Progress(std::string_view s) { fmt::print(stderr, "kg: {}\n", s); }

std::string NodeLabel(const KnowledgeGraph& g, int i) {
  const kg::Node& n = g.node(i);
  return n.zh == n.en ? fmt::format("{} ({})", n.id, n.en)
                      : fmt::format("{} ({} / {})", n.id, n.zh, n.en);
}

struct Context {
  KnowledgeGraph graph;
  std::optional<kg::RetailCatalogue> catalogue;
  std::vector<int64_t> popularity;
};

Context LoadContext(const KgOptions& o) {
  Context c;
  kg::BuildOptions bo;
  bo.miner = o.miner;
  if (!o.kg_file.empty()) {
    c.graph = KnowledgeGraph::Load(o.kg_file);
  } else {
    c.graph = kg::BuildFromFiles(o.curated, o.data, bo, Progress);
  }
  const fs::path products = fs::path(o.data) / "completejourney" / "products.csv";
  const fs::path tx = fs::path(o.data) / "completejourney" / "transactions_sample.csv";
  if (fs::exists(products)) {
    c.catalogue = kg::RetailCatalogue::Load(products);
    if (fs::exists(tx)) {
      c.popularity =
          kg::BasketCounts(kg::LoadBaskets(tx, *c.catalogue), c.catalogue->products().size());
    }
  } else {
    Progress(
        fmt::format("no catalogue at {}: showing the graph's answer without products (pass "
                    "--data DIR)",
                    products.string()));
  }
  return c;
}

nlohmann::json ProductJson(const kg::RetailCatalogue& cat, int p) {
  const kg::RetailProduct& x = cat.products()[static_cast<size_t>(p)];
  return {{"product_id", x.id}, {"department", x.department}, {"category", x.category},
          {"type", x.type},     {"brand", x.brand},           {"package_size", x.size}};
}

std::string ProductLine(const kg::RetailCatalogue& cat, int p) {
  const kg::RetailProduct& x = cat.products()[static_cast<size_t>(p)];
  return fmt::format("{} {} > {} ({}{}{})", x.id, x.category, x.type, x.brand,
                     x.size.empty() ? "" : ", ", x.size);
}

void RunExplain(const KgOptions& o, bool bundle_only) {
  const Context c = LoadContext(o);
  const kg::QueryUnderstanding qu(c.graph);
  const kg::QueryAnalysis a = qu.Analyze(o.query);
  std::optional<kg::ProductIndex> index;
  if (c.catalogue) index.emplace(c.graph, *c.catalogue, c.popularity);
  const auto products = index ? index->Retrieve(a, o.k) : std::vector<kg::RetrievedProduct>{};
  const auto bundle = index ? index->Bundle(a) : std::vector<kg::BundleItem>{};
  const KnowledgeGraph& g = c.graph;
  if (o.json) {
    auto nodes = [&](const std::vector<kg::ScoredNode>& v, size_t max) {
      nlohmann::json arr = nlohmann::json::array();
      for (size_t i = 0; i < v.size() && i < max; ++i) {
        const kg::Node& n = g.node(v[i].node);
        arr.push_back({{"id", n.id},
                       {"zh", n.zh},
                       {"en", n.en},
                       {"score", std::round(v[i].score * 1e4) / 1e4},
                       {"direct", std::round(v[i].direct * 1e4) / 1e4}});
      }
      return arr;
    };
    nlohmann::json j = {{"query", o.query}};
    nlohmann::json b = nlohmann::json::array();
    for (const auto& item : bundle) {
      nlohmann::json x = {{"category", g.node(item.category).id},
                          {"zh", g.node(item.category).zh},
                          {"en", g.node(item.category).en},
                          {"role", item.role},
                          {"evidence", item.evidence}};
      x["product"] = item.product >= 0 ? ProductJson(*c.catalogue, item.product) : nullptr;
      b.push_back(std::move(x));
    }
    if (!bundle_only) {
      j["scenes"] = nodes(a.scenes, 5);
      j["needs"] = nodes(a.needs, 10);
      j["attributes"] = nodes(a.attributes, 10);
      j["categories"] = nodes(a.categories, 15);
      nlohmann::json ps = nlohmann::json::array();
      for (const auto& r : products) {
        nlohmann::json x = ProductJson(*c.catalogue, r.product);
        x["via_category"] = g.node(r.category).id;
        x["score"] = std::round(r.score * 1e4) / 1e4;
        x["baskets"] = r.baskets;
        ps.push_back(std::move(x));
      }
      j["products"] = std::move(ps);
    }
    j["bundle"] = std::move(b);
    std::cout << j.dump(bundle_only ? -1 : 2) << "\n";
    return;
  }
  fmt::print("query: {}\n", o.query);
  if (!bundle_only) {
    auto list = [&](const char* title, const std::vector<kg::ScoredNode>& v, size_t max) {
      fmt::print("{}:\n", title);
      if (v.empty()) fmt::print("  (none)\n");
      for (size_t i = 0; i < v.size() && i < max; ++i) {
        fmt::print("  {:.3f}  {}{}\n", v[i].score, NodeLabel(g, v[i].node),
                   v[i].direct > 0 ? "  [in the query]" : "");
      }
    };
    list("scenes", a.scenes, 3);
    list("needs", a.needs, 8);
    list("attributes", a.attributes, 8);
    list("categories", a.categories, 10);
    fmt::print("top products:\n");
    if (products.empty()) fmt::print("  (none)\n");
    for (size_t i = 0; i < products.size(); ++i) {
      fmt::print("  {:2}. {}  [via {}, score {:.3f}, in {} baskets]\n", i + 1,
                 ProductLine(*c.catalogue, products[i].product), g.node(products[i].category).id,
                 products[i].score, products[i].baskets);
    }
  }
  fmt::print("complete solution (bundle):\n");
  if (bundle.empty()) fmt::print("  (none)\n");
  for (const auto& item : bundle) {
    fmt::print("  - {}  <- {} ({})\n      {}\n", NodeLabel(g, item.category), item.role,
               item.evidence,
               item.product >= 0 ? ProductLine(*c.catalogue, item.product)
                                 : std::string("no product in this catalogue"));
  }
}

void RunBuild(const KgOptions& o) {
  const auto t0 = std::chrono::steady_clock::now();
  kg::BuildOptions bo;
  bo.miner = o.miner;
  const KnowledgeGraph g = kg::BuildFromFiles(o.curated, o.data, bo, Progress);
  g.Save(o.out);
  size_t mined = 0;
  for (const auto& c : g.complements()) mined += c.provenance == kg::Provenance::kMined;
  Progress(
      fmt::format("wrote {} ({} nodes, {} complements of which {} mined) in {:.1f} s", o.out,
                  g.nodes().size(), g.complements().size(), mined,
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()));
}

void RunCheck(const KgOptions& o) {
  const KnowledgeGraph g = KnowledgeGraph::Load(o.check_file);
  fmt::print(
      "{}: ok, format {} {}: {} scenes, {} needs, {} attributes, {} categories, {} "
      "complements\n",
      o.check_file, kg::kFormatMagic, kg::kFormatVersion, g.Count(kg::NodeKind::kScene),
      g.Count(kg::NodeKind::kNeed), g.Count(kg::NodeKind::kAttribute),
      g.Count(kg::NodeKind::kCategory), g.complements().size());
}

void RunEval(const KgOptions& o) {
  const auto t0 = std::chrono::steady_clock::now();
  const fs::path products = fs::path(o.data) / "completejourney" / "products.csv";
  const fs::path tx = fs::path(o.data) / "completejourney" / "transactions_sample.csv";
  const kg::RetailCatalogue cat = kg::RetailCatalogue::Load(products);
  size_t skipped = 0;
  const auto baskets = kg::LoadBaskets(tx, cat, &skipped);
  Progress(
      fmt::format("{} products, {} baskets ({} transaction lines with an unknown product "
                  "skipped)",
                  cat.products().size(), baskets.size(), skipped));
  const KnowledgeGraph curated = KnowledgeGraph::Load(o.curated);
  kg::CompletionOptions co;
  co.test_every = o.test_every;
  co.k = o.k;
  co.miner = o.miner;
  const kg::CompletionReport r =
      kg::EvaluateBasketCompletion(cat, baskets, &curated, co, [](size_t done, size_t total) {
        fmt::print(stderr, "kg eval: {}/{} test baskets\n", done, total);
      });
  nlohmann::json j = r.ToJson();
  j["seconds"] =
      std::round(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() *
                 100) /
      100;
  j["protocol"] = fmt::format(
      "1 in {} households held out (hash); one product held out per multi-item test basket; "
      "relations mined on the other households only (support >= {}, lift >= {})",
      o.test_every, o.miner.min_support, o.miner.min_lift);
  if (o.json) {
    std::cout << j.dump() << "\n";
    return;
  }
  const std::string key = fmt::format("hit@{}", o.k);
  fmt::print("basket completion on {} test baskets ({} training baskets, {} mined pairs)\n",
             r.test_baskets, r.train_baskets, r.mined_pairs);
  fmt::print("  kg (mined + curated complements)  {} {:.4f}\n", key, j["kg"][key].get<double>());
  fmt::print("  mined complements only           {} {:.4f}\n", key,
             j["mined_only"][key].get<double>());
  fmt::print("  popularity baseline              {} {:.4f}\n", key,
             j["popularity"][key].get<double>());
}

void AddMinerFlags(CLI::App* cmd, KgOptions& o) {
  cmd->add_option("--min-support", o.miner.min_support, "Mined pairs: least baskets together")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  cmd->add_option("--min-lift", o.miner.min_lift, "Mined pairs: least lift")
      ->check(CLI::Range(1.0, 1e9))
      ->capture_default_str();
}

}  // namespace

void AddInsightKgCommands(CLI::App& insight) {
  auto o = std::make_shared<KgOptions>();
  auto* kgc = insight.add_subcommand("kg", "Knowledge graph: build, check and evaluate");
  kgc->require_subcommand(1);

  auto* build = kgc->add_subcommand(
      "build",
      "Merge the curated graph, the product taxonomy and relations mined from the "
      "transactions into one versioned graph file");
  build->add_option("--data", o->data, "Shared data folder (taxonomy/, completejourney/)")
      ->capture_default_str();
  build->add_option("--curated", o->curated, "Curated graph")->capture_default_str();
  build->add_option("--out", o->out, "Graph file to write")->required();
  AddMinerFlags(build, *o);
  build->callback([o] { RunGuarded([&] { RunBuild(*o); }); });

  auto* check = kgc->add_subcommand("check", "Load a graph file and report what it holds");
  check->add_option("file", o->check_file, "Graph file")->required();
  check->callback([o] { RunGuarded([&] { RunCheck(*o); }); });

  auto* eval = kgc->add_subcommand(
      "eval",
      "Basket completion Hit@k on the real transactions: mined complements + KG against "
      "popularity");
  eval->add_option("--data", o->data, "Shared data folder")->capture_default_str();
  eval->add_option("--curated", o->curated, "Curated graph (its complements)")
      ->capture_default_str();
  eval->add_option("--test-every", o->test_every, "1 in N households is test")
      ->check(CLI::Range(2, 100))
      ->capture_default_str();
  eval->add_option("-k", o->k, "Cut-off")->check(CLI::Range(1, 1000))->capture_default_str();
  eval->add_flag("--json", o->json, "Print one JSON object only");
  AddMinerFlags(eval, *o);
  eval->callback([o] { RunGuarded([&] { RunEval(*o); }); });

  for (const bool bundle_only : {false, true}) {
    auto* cmd = insight.add_subcommand(
        bundle_only ? "bundle" : "explain",
        bundle_only ? "A complete solution across categories for a scene or need query"
                    : "Query understanding: scene, needs, attributes, categories and the top "
                      "products a search query retrieves");
    cmd->add_option("query", o->query, "Search query (Chinese or English)")->required();
    cmd->add_option("--kg", o->kg_file,
                    "Built graph file (default: data/kg/curated.kg plus taxonomy, catalogue and "
                    "mined relations built on the fly from --data)");
    cmd->add_option("--data", o->data, "Shared data folder")->capture_default_str();
    cmd->add_option("--curated", o->curated, "Curated graph (when --kg is not given)")
        ->capture_default_str();
    cmd->add_option("-k", o->k, "Products to show")
        ->check(CLI::Range(1, 100))
        ->capture_default_str();
    cmd->add_flag("--json", o->json, "Print one JSON object only");
    cmd->callback([o, bundle_only] { RunGuarded([&] { RunExplain(*o, bundle_only); }); });
  }
}

}  // namespace cf
