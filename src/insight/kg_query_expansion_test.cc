#include "insight/kg_query_expansion.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "insight/ad_inventory.h"
#include "insight/popularity_affinity_retriever.h"
#include "insight/query_categories.h"
#include "insight/user_affinity.h"

namespace cf::kg {
namespace {

constexpr const char* kGraph = R"(chengfang-kg 1
scene beach
  zh: 海边度假
  en: beach holiday
  kw_en: beach, seaside
  needs: sun 1, drinks 0.5

scene baby
  zh: 新生儿
  en: new baby
  needs: diapers 1

need sun
  zh: 防晒
  en: sun protection
  kw_en: sunscreen
  attributes: spf

need drinks
  zh: 冷饮
  en: cold drinks
  attributes: chilled

need diapers
  zh: 纸尿裤
  en: diapers
  attributes: absorbent

attribute spf
  zh: 高倍防晒
  en: high SPF
  categories: sunscreen

attribute chilled
  zh: 冰镇
  en: chilled
  categories: soda

attribute absorbent
  zh: 吸水
  en: absorbent
  categories: nappies

category sunscreen
  zh: 防晒霜
  en: sunscreen
  catalogue: SUNTAN > SPF

category soda
  zh: 汽水
  en: soda
  catalogue: soft drinks

category nappies
  zh: 尿布
  en: nappies
  catalogue: * > DIAPER
)";

// Categories: 0 SUNTAN (types "SUNTAN W/SPF", "AFTERSUN"), 1 SOFT DRINKS, 2 BABY (type
// "DISPOSABLE DIAPERS"), 3 PET FOOD. One product per type, a merchant each.
Catalogue SmallCatalogue() {
  Catalogue c;
  c.categories = {"SUNTAN", "SOFT DRINKS", "BABY", "PET FOOD"};
  c.category_department = {0, 0, 0, 0};
  c.departments = {"GROCERY"};
  c.types = {"SUNTAN W/SPF", "AFTERSUN", "COLA", "DISPOSABLE DIAPERS", "DRY DOG FOOD"};
  c.type_category = {0, 0, 1, 2, 3};
  c.merchants.resize(1);
  for (uint32_t t = 0; t < c.types.size(); ++t) {
    Product p;
    p.id = t;
    p.merchant = 0;
    p.category = c.type_category[t];
    p.type = t;
    p.shelf_price = Money::FromUnits(5);
    c.products.push_back(p);
  }
  c.Reindex();
  return c;
}

std::vector<CategoryId> Categories(const KgQueryExpansion& x, const std::string& text) {
  std::vector<CategoryId> out;
  for (const auto& [c, s] : x.Expand(text)) out.push_back(c);
  return out;
}

TEST(KgQueryExpansion, MapsScenesAndNeedsOntoTheCatalogue) {
  const Catalogue cat = SmallCatalogue();
  const KgQueryExpansion x(KnowledgeGraph::Parse(kGraph, "small.kg"), cat, {});
  EXPECT_EQ(x.reachable_categories(), 3u);  // PET FOOD has no graph category
  // A need named in the query: its category first.
  EXPECT_EQ(Categories(x, "sunscreen"), (std::vector<CategoryId>{0}));
  // A scene: its needs' categories, the stronger need first.
  EXPECT_EQ(Categories(x, "beach holiday"), (std::vector<CategoryId>{0, 1}));
  EXPECT_EQ(Categories(x, "适合海边度假的防晒"), (std::vector<CategoryId>{0}));
  // "* > DIAPER" reaches BABY through its type; a query about nothing maps to nothing.
  EXPECT_EQ(Categories(x, "new baby"), (std::vector<CategoryId>{2}));
  EXPECT_TRUE(Categories(x, "dog food").empty());
  EXPECT_TRUE(Categories(x, "").empty());
}

TEST(KgQueryExpansion, TypePatternsNeedTheType) {
  Catalogue cat = SmallCatalogue();
  cat.types[0] = "SUNTAN OIL";  // no SPF type any more
  const KgQueryExpansion x(KnowledgeGraph::Parse(kGraph, "small.kg"), cat, {});
  EXPECT_TRUE(Categories(x, "sunscreen").empty());
  EXPECT_EQ(x.reachable_categories(), 2u);
}

TEST(KgQueryExpansion, OptionsBoundTheList) {
  const Catalogue cat = SmallCatalogue();
  KgQueryExpansion::Options o;
  o.max_categories = 1;
  const KgQueryExpansion one(KnowledgeGraph::Parse(kGraph, "small.kg"), cat, o);
  EXPECT_EQ(Categories(one, "beach holiday"), (std::vector<CategoryId>{0}));
  o.max_categories = 4;
  o.min_relative_score = 0.9;  // drinks scores half of sun
  const KgQueryExpansion strict(KnowledgeGraph::Parse(kGraph, "small.kg"), cat, o);
  EXPECT_EQ(Categories(strict, "beach holiday"), (std::vector<CategoryId>{0}));
  o.max_categories = 0;
  EXPECT_THROW(KgQueryExpansion(KnowledgeGraph::Parse(kGraph, "small.kg"), cat, o),
               std::invalid_argument);
  o.max_categories = 2;
  o.min_relative_score = 1.5;
  EXPECT_THROW(KgQueryExpansion(KnowledgeGraph::Parse(kGraph, "small.kg"), cat, o),
               std::invalid_argument);
}

TEST(KgQueryExpansion, PrepareCachesPerQueryId) {
  const Catalogue cat = SmallCatalogue();
  KgQueryExpansion x(KnowledgeGraph::Parse(kGraph, "small.kg"), cat, {});
  WeightedCategory out[8];
  EXPECT_EQ(x.Top(7, 4, out), 0);  // not prepared
  x.Prepare(7, "beach holiday");
  ASSERT_EQ(x.Top(7, 4, out), 2);
  EXPECT_EQ(out[0].category, 0u);
  EXPECT_EQ(out[1].category, 1u);
  EXPECT_GT(out[0].weight, out[1].weight);
  EXPECT_GT(out[1].weight, 0);
  EXPECT_EQ(x.Top(7, 1, out), 1);
  EXPECT_EQ(x.Top(7, 0, out), 0);
  x.Prepare(7, "new baby");  // already prepared: the first text stays
  ASSERT_EQ(x.Top(7, 4, out), 2);
  EXPECT_EQ(out[0].category, 0u);
}

// The retriever weighs the text's reading as a prior against the engagement observed after the
// query: a prior worth more than the evidence puts the text's category first, a weaker one after
// the learned category; with the learned categories switched off the text alone counts.
TEST(KgQueryExpansion, RetrievalInterleavesTextAndLearnedCategories) {
  const Catalogue cat = SmallCatalogue();
  KgQueryExpansion x(KnowledgeGraph::Parse(kGraph, "small.kg"), cat, {});
  AdInventory inventory(cat);
  std::vector<AdPlan> plans;
  for (ProductId p = 0; p < cat.products.size(); ++p) {
    AdPlan plan;
    plan.id = p;
    plan.merchant = 0;
    plan.products = {p};
    plan.total_budget = Money::FromUnits(100);
    plans.push_back(plan);
  }
  inventory.Rebuild(plans);
  UserAffinity affinity(cat, 10);
  QueryCategories learned(cat, 10);
  // Users who searched query 3 went on to buy dog food: 3 purchases, 15 units of engagement.
  for (UserId u = 0; u < 3; ++u) {
    Event s;
    s.type = EventType::kSearch;
    s.user = u;
    s.minute = 10;
    s.ref = 3;
    learned.Observe(s);
    Event b;
    b.type = EventType::kPurchase;
    b.user = u;
    b.minute = 12;
    b.product = 4;
    learned.Observe(b);
  }
  learned.Rebuild();
  x.Prepare(3, "new baby");
  Opportunity opp;
  opp.user = 9;
  opp.channel = Channel::kSearch;
  opp.query = 3;
  auto products = [&](PopularityAffinityRetriever::Options o) {
    o.popular = 0;
    PopularityAffinityRetriever r(inventory, affinity, learned, o);
    r.Refresh();
    std::vector<AdCandidate> out;
    r.Retrieve(opp, out);
    std::vector<ProductId> ps;
    for (const AdCandidate& a : out) ps.push_back(a.product);
    return ps;
  };
  PopularityAffinityRetriever::Options o;
  EXPECT_EQ(products(o), (std::vector<ProductId>{4}));  // learned only: dog food
  o.expansion = &x;
  o.expansion_prior = 30;
  EXPECT_EQ(products(o), (std::vector<ProductId>{3, 4}));  // diapers first, then dog food
  o.expansion_prior = 10;
  EXPECT_EQ(products(o), (std::vector<ProductId>{4, 3}));  // the evidence outweighs the text
  o.learned_queries = false;
  EXPECT_EQ(products(o), (std::vector<ProductId>{3}));
}

TEST(KgQueryExpansion, CuratedGraphReadsShoppersQueries) {
  // The shipped graph against Complete Journey category names: a need-level query reaches its
  // category in both languages.
  Catalogue cat = SmallCatalogue();
  const KgQueryExpansion x(
      KnowledgeGraph::Load(std::filesystem::path(CF_SOURCE_DIR) / "data" / "kg" / "curated.kg"),
      cat, {});
  EXPECT_GE(x.reachable_categories(), 2u);
  const auto en = Categories(x, "sunscreen for beach holiday");
  const auto zh = Categories(x, "适合海边度假的防晒霜");
  ASSERT_FALSE(en.empty());
  ASSERT_FALSE(zh.empty());
  EXPECT_EQ(en.front(), 0u);
  EXPECT_EQ(zh.front(), 0u);
}

}  // namespace
}  // namespace cf::kg
