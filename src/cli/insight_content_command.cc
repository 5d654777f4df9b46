#include "cli/insight_content_command.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/command_guard.h"
#include "common/atomic_file.h"
#include "insight/cold_start_evaluation.h"
#include "insight/knowledge_graph_products.h"
#include "insight/retail_content.h"

namespace cf {
namespace {

namespace fs = std::filesystem;

struct ContentOptions {
  std::string data = kg::DefaultKgDataDir().string();
  bool json = false;
  bool quick = false;
  int64_t product = 0;
  std::string out;
  content::ColdStartOptions eval;
};

void Say(std::string_view s) { fmt::print(stderr, "content: {}\n", s); }

struct RetailData {
  kg::RetailCatalogue catalogue;
  std::vector<kg::RetailBasket> baskets;
  std::vector<double> prices;
};

RetailData LoadRetail(const std::string& dir, bool with_baskets) {
  const fs::path products = fs::path(dir) / "completejourney" / "products.csv";
  const fs::path tx = fs::path(dir) / "completejourney" / "transactions_sample.csv";
  RetailData d;
  Say(fmt::format("reading {}", products.string()));
  d.catalogue = kg::RetailCatalogue::Load(products);
  Say(fmt::format("reading {}", tx.string()));
  if (with_baskets) d.baskets = kg::LoadBaskets(tx, d.catalogue);
  d.prices = kg::MedianShelfPrices(tx, d.catalogue);
  return d;
}

void PrintScores(const std::string& title, const std::map<std::string, content::RankScores>& m,
                 size_t k) {
  fmt::print("{}\n", title);
  fmt::print("  {:<12} {:>8} {:>8} {:>8}\n", "method", "cases", fmt::format("HR@{}", k),
             fmt::format("NDCG@{}", k));
  for (const auto& [name, s] : m) {
    fmt::print("  {:<12} {:>8} {:>8.4f} {:>8.4f}\n", name, s.cases, s.hr, s.ndcg);
  }
}

void RunEval(ContentOptions o) {
  const auto t0 = std::chrono::steady_clock::now();
  if (o.quick) {
    o.eval.train.epochs = std::min(o.eval.train.epochs, 2);
    o.eval.model.dim = std::min(o.eval.model.dim, 16);
  }
  const RetailData d = LoadRetail(o.data, true);
  const content::ColdStartData data =
      content::RetailColdStartData(d.catalogue, d.baskets, d.prices);
  const content::ColdStartReport r = content::EvaluateColdStart(data, o.eval, Say);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (o.json) {
    nlohmann::json j = r.ToJson();
    j["dim"] = o.eval.model.dim;
    j["epochs"] = o.eval.train.epochs;
    j["seconds"] = secs;
    std::cout << j.dump(2) << "\n";
    return;
  }
  fmt::print(
      "Cold-start item embeddings on Complete Journey ({} items: {} warm, {} cold never "
      "seen in training; {} households)\n",
      r.items, r.warm_items, r.cold_items, r.households);
  PrintScores(fmt::format("Cold items ({} cases; each ranked against all {} cold items):",
                          r.cold_cases, r.cold_items),
              r.cold, r.k);
  PrintScores(fmt::format("Warm items, held-out last baskets ({} cases; against all {} warm "
                          "items):",
                          r.warm_cases, r.warm_items),
              r.warm, r.k);
  const auto id = r.cold.find("id_only"), ct = r.cold.find("content");
  if (id != r.cold.end() && ct != r.cold.end() && id->second.hr > 0) {
    fmt::print("Content embeddings rank cold items {:.1f}x better than ID-only ones (HR@{}).\n",
               ct->second.hr / id->second.hr, r.k);
  }
  fmt::print("{:.0f} s in all\n", secs);
}

// Trains the hybrid tower on every household's purchases and writes one embedding per catalogue
// product: ID + content for the products sold in the transactions, content alone for the others.
void RunEmbed(ContentOptions o) {
  if (o.quick) {
    o.eval.train.epochs = std::min(o.eval.train.epochs, 2);
    o.eval.model.dim = std::min(o.eval.model.dim, 16);
  }
  if (o.out.empty()) throw std::invalid_argument("--out FILE is required");
  // Fail before the training, not after it.
  const fs::path dir = fs::path(o.out).parent_path();
  if (!dir.empty() && !fs::is_directory(dir)) {
    throw std::invalid_argument(fmt::format(
        "--out {}: the folder {} does not exist; create it first", o.out, dir.string()));
  }
  const RetailData d = LoadRetail(o.data, true);
  const content::ColdStartData data =
      content::RetailColdStartData(d.catalogue, d.baskets, d.prices);
  const auto sets = content::HouseholdItemSets(data);
  content::EmbeddingModelOptions mo = o.eval.model;
  mo.tower = content::Tower::kHybrid;
  content::ItemEmbeddingModel model(mo, data.items);
  Say(fmt::format("training the hybrid embeddings on {} households ({} dims, {} epochs)",
                  sets.size(), mo.dim, o.eval.train.epochs));
  const content::CooccurrenceReport r =
      content::TrainCooccurrence(model, sets, o.eval.train, [](int e, int E, double loss) {
        Say(fmt::format("  epoch {}/{}: loss {:.4f}", e, E, loss));
      });
  std::vector<char> sold(data.items.size(), 0);
  for (const auto& s : sets) {
    for (int i : s) sold[static_cast<size_t>(i)] = 1;
  }
  std::string text = "product_id\tsource";
  for (int k = 0; k < mo.dim; ++k) text += fmt::format("\te{}", k);
  text += "\n";
  size_t n_sold = 0;
  std::vector<float> e(static_cast<size_t>(mo.dim));
  for (size_t i = 0; i < data.items.size(); ++i) {
    model.Embed(i, sold[i] != 0, e);
    n_sold += sold[i];
    text += fmt::format("{}\t{}", d.catalogue.products()[i].id, sold[i] ? "id+content" : "content");
    for (float x : e) text += fmt::format("\t{:.6g}", x);
    text += "\n";
  }
  WriteFileAtomic(o.out, text);
  fmt::print(
      "wrote {} product embeddings ({} dims) to {}: {} sold (ID + content), {} never sold "
      "(content alone); trained in {:.0f} s\n",
      data.items.size(), mo.dim, o.out, n_sold, data.items.size() - n_sold, r.seconds);
}

void RunFeatures(const ContentOptions& o) {
  const RetailData d = LoadRetail(o.data, false);
  const int idx = d.catalogue.Find(o.product);
  if (idx < 0) {
    throw std::invalid_argument(
        fmt::format("product {} is not in the catalogue ({} products); pass a product_id from "
                    "products.csv",
                    o.product, d.catalogue.products().size()));
  }
  const auto& p = d.catalogue.products()[static_cast<size_t>(idx)];
  const content::ItemContent c = content::RetailItemContent(p, d.prices[static_cast<size_t>(idx)]);
  const content::ContentFeaturizer f(o.eval.model.featurizer);
  const auto named = f.Named(c);
  if (o.json) {
    nlohmann::json feats = nlohmann::json::array();
    for (const auto& [n, w] : named) feats.push_back({{"name", n}, {"weight", w}});
    nlohmann::json path = c.category_path;
    std::cout << nlohmann::json{{"product_id", p.id},
                                {"category_path", path},
                                {"title", c.title},
                                {"brand", c.brand},
                                {"package_size", c.package_size},
                                {"price", c.price},
                                {"features", feats}}
                     .dump(2)
              << "\n";
    return;
  }
  std::string path;
  for (const auto& s : c.category_path) path += (path.empty() ? "" : " > ") + s;
  fmt::print("product {}: {}\n  brand: {}  size: {}  price: {}\n", p.id, path,
             c.brand.empty() ? "-" : c.brand, c.package_size.empty() ? "-" : c.package_size,
             c.price > 0 ? fmt::format("{:.2f}", c.price) : "unknown");
  fmt::print("{} features:\n", named.size());
  for (const auto& [n, w] : named) fmt::print("  {:<40} {:.3f}\n", n, w);
}

}  // namespace

void AddInsightContentCommands(CLI::App& insight) {
  auto o = std::make_shared<ContentOptions>();
  auto* eval = insight.add_subcommand(
      "content-eval",
      "Cold-start quality of content item embeddings against ID-only ones on real transactions");
  eval->add_option("--data", o->data, "Shared data folder (default: ../shared/data)");
  eval->add_option("--dim", o->eval.model.dim, "Embedding dimensions (default 32)")
      ->check(CLI::Range(1, 1024));
  eval->add_option("--epochs", o->eval.train.epochs, "Training epochs (default 10)")
      ->check(CLI::Range(1, 1000));
  eval->add_option("--negatives", o->eval.train.negatives, "Negatives per example (default 20)")
      ->check(CLI::Range(1, 100));
  eval->add_option("--cold-every", o->eval.cold_every,
                   "1 in C items is cold: never seen in training (default 5)")
      ->check(CLI::Range(2, 1000));
  eval->add_option("--test-every", o->eval.test_every,
                   "1 in T households has its last basket held out (default 5)")
      ->check(CLI::Range(2, 1000));
  eval->add_option("--seed", o->eval.train.seed, "Training seed (default 1)");
  eval->add_option("--split-seed", o->eval.split_seed,
                   "Seed of the cold-item and test-household split (default 1; tune on another)");
  eval->add_option("--learning-rate", o->eval.train.learning_rate,
                   "AdaGrad learning rate (default 0.2)")
      ->check(CLI::PositiveNumber);
  eval->add_option("--init-scale", o->eval.model.init_scale, "Initial embedding norm (default 0.5)")
      ->check(CLI::PositiveNumber);
  eval->add_option("--history", o->eval.train.history,
                   "Items of a household averaged per target (default 32)")
      ->check(CLI::Range(1, 10000));
  eval->add_option("--negative-power", o->eval.train.negative_power,
                   "Negatives drawn by frequency^power (default 0: uniform)")
      ->check(CLI::Range(0.0, 1.0));
  eval->add_option_function<std::string>(
      "--objective",
      [o](const std::string& s) {
        if (s == "history") {
          o->eval.train.objective = content::CooccurrenceObjective::kHistory;
        } else if (s == "skipgram") {
          o->eval.train.objective = content::CooccurrenceObjective::kSkipGram;
        } else {
          throw CLI::ValidationError("--objective", "history or skipgram, got '" + s + "'");
        }
      },
      "Training objective: history (a household's items predict each of its items; default) "
      "or skipgram (item2vec)");
  eval->add_option_function<std::string>(
      "--towers",
      [o](const std::string& s) {
        o->eval.towers.clear();
        for (const auto& [name, t] : {std::pair{"id", content::Tower::kId},
                                      {"content", content::Tower::kContent},
                                      {"hybrid", content::Tower::kHybrid}}) {
          if (s.find(name) != std::string::npos) o->eval.towers.push_back(t);
        }
        if (o->eval.towers.empty()) {
          throw CLI::ValidationError("--towers", "name one or more of id, content, hybrid");
        }
      },
      "Towers to train, comma-separated: id,content,hybrid (default all)");
  eval->add_flag("--quick", o->quick, "2 epochs, 16 dimensions (CI)");
  eval->add_flag("--json", o->json, "Print JSON only");
  eval->callback([o] {
    o->eval.model.seed = o->eval.train.seed;
    RunGuarded([&] { RunEval(*o); });
  });

  auto* embed = insight.add_subcommand(
      "content-embed",
      "Train content item embeddings on all transactions and write one per catalogue product");
  embed->add_option("--out", o->out, "Output file (tab-separated, one product per line)")
      ->required();
  embed->add_option("--data", o->data, "Shared data folder (default: ../shared/data)");
  embed->add_option("--dim", o->eval.model.dim, "Embedding dimensions (default 32)")
      ->check(CLI::Range(1, 1024));
  embed->add_option("--epochs", o->eval.train.epochs, "Training epochs (default 10)")
      ->check(CLI::Range(1, 1000));
  embed->add_option("--seed", o->eval.train.seed, "Training seed (default 1)");
  embed->add_flag("--quick", o->quick, "2 epochs, 16 dimensions");
  embed->callback([o] {
    o->eval.model.seed = o->eval.train.seed;
    RunGuarded([&] { RunEmbed(*o); });
  });

  auto* feats = insight.add_subcommand(
      "content-features", "Show the content record and features of one catalogue product");
  feats->add_option("--product", o->product, "product_id from products.csv")->required();
  feats->add_option("--data", o->data, "Shared data folder (default: ../shared/data)");
  feats->add_flag("--json", o->json, "Print JSON only");
  feats->callback([o] { RunGuarded([&] { RunFeatures(*o); }); });
}

}  // namespace cf
