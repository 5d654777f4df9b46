#include "cli/insight_actions.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "action/action_error.h"
#include "insight/knowledge_graph_builder.h"
#include "insight/knowledge_graph_products.h"
#include "insight/knowledge_graph_retrieval.h"
#include "insight/query_understanding.h"

namespace cf {
namespace {

using Json = nlohmann::json;
namespace fs = std::filesystem;

constexpr size_t kMaxQueryBytes = 200;
constexpr int kDefaultLimit = 10, kMaxLimit = 50;

// The knowledge graph over the market's own catalogue: product index i is the market's ProductId
// i, so what retrieval returns can be shown, advertised and bought in this market.
struct InsightContext {
  kg::KnowledgeGraph graph;
  kg::RetailCatalogue catalogue;
  std::optional<kg::QueryUnderstanding> understanding;
  std::optional<kg::ProductIndex> index;
};

kg::RetailCatalogue MarketCatalogue(const Catalogue& cat) {
  kg::RetailCatalogue rc;
  for (const Product& p : cat.products) {
    kg::RetailProduct r;
    r.id = static_cast<int64_t>(p.source_id);
    r.department = cat.departments[p.department];
    r.category = cat.categories[p.category];
    r.type = cat.types[p.type];
    r.brand = p.national_brand ? "National" : "Private";
    r.size = p.package_size;
    rc.Add(std::move(r));
  }
  return rc;
}

Json Rounded(double v) { return std::round(v * 1e4) / 1e4; }

// A market product as the tools show it; `ours` when the merchant sells it.
Json ProductJson(const Catalogue& cat, const Platform& platform, MerchantId ours, ProductId p) {
  const Product& x = cat.product(p);
  return {{"product_id", p},
          {"name", cat.ProductName(p)},
          {"category", cat.categories[x.category]},
          {"price", platform.price(p).units()},
          {"merchant", cat.merchants.at(x.merchant).name},
          {"ours", x.merchant == ours}};
}

int LimitOf(const Json& args) {
  const int limit = args.value("limit", kDefaultLimit);
  if (limit < 1 || limit > kMaxLimit) {
    throw action::ActionError::Invalid(
        fmt::format("'limit' must be from 1 to {} (got {})", kMaxLimit, limit));
  }
  return limit;
}

std::string QueryOf(const Json& args) {
  const std::string q = args.at("query").get<std::string>();
  if (q.find_first_not_of(" \t\r\n") == std::string::npos) {
    throw action::ActionError::Invalid("'query' is empty; pass the search text to analyse");
  }
  if (q.size() > kMaxQueryBytes) {
    throw action::ActionError::Invalid(fmt::format(
        "'query' is {} bytes; a search query is at most {} bytes", q.size(), kMaxQueryBytes));
  }
  return q;
}

class InsightTools {
 public:
  InsightTools(std::shared_ptr<LiveMarket> market, InsightActionsOptions options)
      : market_(std::move(market)), options_(std::move(options)) {}

  Json Explain(const Json& args, const action::CallContext& ctx) {
    const std::string query = QueryOf(args);
    const size_t limit = static_cast<size_t>(LimitOf(args));
    const InsightContext& c = Context(ctx);
    const kg::QueryAnalysis a = c.understanding->Analyze(query);
    auto nodes = [&](const std::vector<kg::ScoredNode>& v, size_t max) {
      Json arr = Json::array();
      for (size_t i = 0; i < v.size() && i < max; ++i) {
        const kg::Node& n = c.graph.node(v[i].node);
        arr.push_back({{"id", n.id},
                       {"zh", n.zh},
                       {"en", n.en},
                       {"score", Rounded(v[i].score)},
                       {"in_query", v[i].direct > 0}});
      }
      return arr;
    };
    Json out = {{"query", query},
                {"scenes", nodes(a.scenes, 5)},
                {"needs", nodes(a.needs, 10)},
                {"attributes", nodes(a.attributes, 10)},
                {"categories", nodes(a.categories, 15)}};
    std::lock_guard<std::mutex> lock(market_->api().mutex());
    out["products"] = Retrieved(c, a, limit);
    Json bundle = Json::array();
    for (const kg::BundleItem& item : c.index->Bundle(a)) {
      const kg::Node& n = c.graph.node(item.category);
      Json b = {{"category", n.id},
                {"en", n.en},
                {"zh", n.zh},
                {"role", item.role},
                {"evidence", item.evidence}};
      b["product"] =
          item.product >= 0 ? ProductOf(static_cast<ProductId>(item.product)) : Json(nullptr);
      bundle.push_back(std::move(b));
    }
    out["bundle"] = std::move(bundle);
    out["message"] = Summary(c, a, query, out["products"].size());
    return out;
  }

  Json Recommend(const Json& args, const action::CallContext& ctx) {
    const bool by_query = args.contains("query"), by_user = args.contains("user_id");
    if (by_query == by_user) {
      throw action::ActionError::Invalid(
          "pass exactly one of 'query' (products for a search) or 'user_id' (products for a "
          "user)");
    }
    const int limit = LimitOf(args);
    if (by_query) {
      const std::string query = QueryOf(args);
      const InsightContext& c = Context(ctx);
      const kg::QueryAnalysis a = c.understanding->Analyze(query);
      std::lock_guard<std::mutex> lock(market_->api().mutex());
      Json products = Retrieved(c, a, static_cast<size_t>(limit));
      const size_t n = products.size();
      return {{"for", {{"query", query}}},
              {"products", std::move(products)},
              {"message",
               n == 0 ? fmt::format("Nothing in this market matches \"{}\".", query)
                      : fmt::format("{} products for \"{}\", through the categories its scenes "
                                    "and needs lead to.",
                                    n, query)}};
    }
    const int64_t user = args.at("user_id").get<int64_t>();
    const InsightContext& c = Context(ctx);  // before the lock: building takes it
    std::lock_guard<std::mutex> lock(market_->api().mutex());
    const Catalogue& cat = market_->catalogue();
    const Platform& platform = market_->platform();
    const size_t users = market_->users();
    if (user < 0 || static_cast<uint64_t>(user) >= users) {
      throw action::ActionError::NotFound(
          fmt::format("no user {} in this market; user ids run from 0 to {}", user, users - 1));
    }
    return ForUser(c, cat, platform, static_cast<UserId>(user), limit);
  }

 private:
  // Builds the graph on first use. Throws ActionError when the data is missing.
  const InsightContext& Context(const action::CallContext& ctx) {
    std::lock_guard<std::mutex> lock(build_mu_);
    if (context_) return *context_;
    for (const fs::path& p : {options_.curated, options_.data_dir / "completejourney"}) {
      if (!fs::exists(p)) {
        throw action::ActionError::Precondition(fmt::format(
            "the knowledge graph needs {}, which is missing; start the server with --data "
            "pointing at the shared data folder",
            p.string()));
      }
    }
    auto c = std::make_unique<InsightContext>();
    int step = 0;
    auto progress = [&](std::string_view what) {
      if (ctx.progress) ctx.progress(++step, 8, fmt::format("knowledge graph: {}", what));
    };
    c->graph =
        kg::BuildFromFiles(options_.curated, options_.data_dir, kg::BuildOptions{}, progress);
    {
      std::lock_guard<std::mutex> lock(market_->api().mutex());
      c->catalogue = MarketCatalogue(market_->catalogue());
    }
    std::vector<int64_t> popularity;
    const fs::path tx = options_.data_dir / "completejourney" / "transactions_sample.csv";
    if (fs::exists(tx)) {
      popularity =
          kg::BasketCounts(kg::LoadBaskets(tx, c->catalogue), c->catalogue.products().size());
    }
    c->understanding.emplace(c->graph);
    c->index.emplace(c->graph, c->catalogue, std::move(popularity));
    progress("ready");
    context_ = std::move(c);
    return *context_;
  }

  Json ProductOf(ProductId p) const {
    return ProductJson(market_->catalogue(), market_->platform(), market_->merchant(), p);
  }

  // The retrieval's products in market terms, with why each was chosen. Needs the API lock.
  Json Retrieved(const InsightContext& c, const kg::QueryAnalysis& a, size_t limit) const {
    Json arr = Json::array();
    for (const kg::RetrievedProduct& r : c.index->Retrieve(a, limit)) {
      const ProductId p = static_cast<ProductId>(r.product);
      Json x = ProductOf(p);
      x["score"] = Rounded(r.score);
      x["why"] = fmt::format("in category {} ({})", c.graph.node(r.category).en,
                             c.graph.node(r.category).zh);
      arr.push_back(std::move(x));
    }
    return arr;
  }

  std::string Summary(const InsightContext& c, const kg::QueryAnalysis& a, const std::string& q,
                      size_t products) const {
    auto name = [&](const std::vector<kg::ScoredNode>& v) {
      return v.empty() ? std::string("-") : c.graph.node(v.front().node).en;
    };
    if (a.scenes.empty() && a.needs.empty() && a.categories.empty()) {
      return fmt::format("\"{}\" matches no scene, need or category of the knowledge graph.", q);
    }
    return fmt::format("\"{}\": scene {}, need {}, category {}; {} products in this market.", q,
                       name(a.scenes), name(a.needs), name(a.categories), products);
  }

  // The user's strongest observed categories, each with its best sellers (purchases the platform
  // has seen, then baskets in the transaction data), the slots split by engagement share. Needs
  // the API lock.
  Json ForUser(const InsightContext& c, const Catalogue& cat, const Platform& platform, UserId u,
               int limit) const {
    constexpr int kTop = 5;
    CategoryId top[kTop];
    const int n = platform.affinity().Top(u, kTop, top);
    Json products = Json::array();
    Json categories = Json::array();
    if (n == 0) {
      return {{"for", {{"user_id", u}}},
              {"categories", categories},
              {"products", products},
              {"message",
               fmt::format("User {} has no observed engagement yet; nothing to personalise.", u)}};
    }
    double total = 0;
    for (int i = 0; i < n; ++i) total += platform.affinity().Share(u, top[i]);
    std::vector<bool> taken(cat.products.size(), false);
    int left = limit;
    for (int i = 0; i < n && left > 0; ++i) {
      const double share = platform.affinity().Share(u, top[i]);
      categories.push_back({{"category", cat.categories[top[i]]}, {"share", Rounded(share)}});
      // At least one slot per category, more for stronger ones.
      const int slots =
          std::max(1, static_cast<int>(std::lround(limit * share / std::max(total, 1e-12))));
      std::vector<ProductId> in_cat;
      for (const Product& p : cat.products) {
        if (p.category == top[i] && !taken[p.id]) in_cat.push_back(p.id);
      }
      std::stable_sort(in_cat.begin(), in_cat.end(), [&](ProductId a, ProductId b) {
        if (platform.observed_sales(a) != platform.observed_sales(b))
          return platform.observed_sales(a) > platform.observed_sales(b);
        return c.index->Popularity(static_cast<int>(a)) > c.index->Popularity(static_cast<int>(b));
      });
      for (int k = 0; k < slots && k < static_cast<int>(in_cat.size()) && left > 0; ++k) {
        const ProductId p = in_cat[static_cast<size_t>(k)];
        taken[p] = true;
        Json x = ProductOf(p);
        x["why"] = fmt::format(
            "{:.0f}% of the user's engagement is in {}; {} purchases on the platform, in {} "
            "baskets of the transaction data",
            100 * share, cat.categories[top[i]], platform.observed_sales(p),
            c.index->Popularity(static_cast<int>(p)));
        products.push_back(std::move(x));
        --left;
      }
    }
    const size_t shown = products.size();
    return {{"for", {{"user_id", u}}},
            {"categories", std::move(categories)},
            {"products", std::move(products)},
            {"message", fmt::format("{} products for user {} from the {} categories the user "
                                    "engages with most.",
                                    shown, u, n)}};
  }

  std::shared_ptr<LiveMarket> market_;
  InsightActionsOptions options_;
  std::mutex build_mu_;
  std::unique_ptr<InsightContext> context_;
};

}  // namespace

void AddInsightActions(action::ActionApi& api, const std::shared_ptr<LiveMarket>& market,
                       InsightActionsOptions options) {
  auto tools = std::make_shared<InsightTools>(market, std::move(options));
  const Json query = {{"type", "string"},
                      {"minLength", 1},
                      {"maxLength", static_cast<int>(kMaxQueryBytes)},
                      {"description", "Search text, Chinese or English"}};
  const Json limit = {{"type", "integer"},
                      {"minimum", 1},
                      {"maximum", kMaxLimit},
                      {"default", kDefaultLimit},
                      {"description", "How many products to return"}};
  const Json products = {{"type", "array"}, {"items", {{"type", "object"}}}};

  action::ActionSpec explain;
  explain.name = "explain_query";
  explain.title = "Explain a search query";
  explain.description =
      "What a shopper's search query is about, from the knowledge graph: the scenes and needs it "
      "expresses, the product attributes and categories they lead to, the products of this "
      "market it retrieves (why each), and a complete solution across categories. The first call "
      "builds the graph (a few seconds).";
  explain.input_schema = action::ObjectSchema({{"query", query}, {"limit", limit}}, {"query"});
  explain.output_schema = action::ObjectSchema(
      {{"query", {{"type", "string"}}},
       {"scenes", {{"type", "array"}}},
       {"needs", {{"type", "array"}}},
       {"attributes", {{"type", "array"}}},
       {"categories", {{"type", "array"}}},
       {"products", products},
       {"bundle", {{"type", "array"}}},
       {"message", {{"type", "string"}}}},
      {"query", "scenes", "needs", "attributes", "categories", "products", "bundle"});
  api.AddAction(explain, [tools](const Json& args, const action::CallContext& ctx) {
    return tools->Explain(args, ctx);
  });

  action::ActionSpec recommend;
  recommend.name = "recommend_products";
  recommend.title = "Recommend products";
  recommend.description =
      "Products for a search query (through the knowledge graph's scenes, needs and categories) "
      "or for a user (from the categories the platform has seen the user engage with, best "
      "sellers first). Pass exactly one of query or user_id. Each product says why it was chosen "
      "and whether it is the merchant's own.";
  recommend.input_schema = action::ObjectSchema(
      {{"query", query},
       {"user_id", {{"type", "integer"}, {"minimum", 0}, {"description", "A user id"}}},
       {"limit", limit}},
      {});
  recommend.output_schema = action::ObjectSchema({{"for", {{"type", "object"}}},
                                                  {"categories", {{"type", "array"}}},
                                                  {"products", products},
                                                  {"message", {{"type", "string"}}}},
                                                 {"for", "products"});
  api.AddAction(recommend, [tools](const Json& args, const action::CallContext& ctx) {
    return tools->Recommend(args, ctx);
  });
}

}  // namespace cf
