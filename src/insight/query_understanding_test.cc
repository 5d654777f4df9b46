#include "insight/query_understanding.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "insight/knowledge_graph_builder.h"
#include "insight/knowledge_graph_retrieval.h"
#include "insight/knowledge_graph_text.h"

namespace cf::kg {
namespace {

const KnowledgeGraph& Curated() {
  static const KnowledgeGraph g =
      KnowledgeGraph::Load(std::filesystem::path(CF_SOURCE_DIR) / "data" / "kg" / "curated.kg");
  return g;
}

std::string TopScene(const QueryUnderstanding& qu, const std::string& q) {
  const QueryAnalysis a = qu.Analyze(q);
  return a.scenes.empty() ? "" : qu.graph().node(a.scenes.front().node).id;
}

TEST(KnowledgeGraphText, TokenisesChineseAndEnglish) {
  const TextTokens t = Tokenize("适合海边Beach Dresses的BBQ");
  EXPECT_EQ(t.words, (std::vector<std::string>{"beach", "dress", "bbq"}));
  EXPECT_EQ(t.unigrams, (std::vector<std::string>{"适", "合", "海", "边", "的"}));
  EXPECT_EQ(t.bigrams, (std::vector<std::string>{"适合", "合海", "海边"}));
  EXPECT_EQ(StemWord("berries"), "berry");
  EXPECT_EQ(StemWord("glasses"), "glass");
  EXPECT_EQ(StemWord("chips"), "chip");
  EXPECT_TRUE(Tokenize("what to buy for a").words.empty());
  EXPECT_DOUBLE_EQ(Coverage(Tokenize("海边度假"), Tokenize("去海边")), 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(Coverage(Tokenize("sun cream"), Tokenize("SUN creams")), 1.0);
  // Invalid UTF-8 is a separator, never a crash.
  EXPECT_EQ(Tokenize(std::string("ab\xE6\xB5") + "cd").words,
            (std::vector<std::string>{"ab", "cd"}));
}

TEST(QueryUnderstanding, ChineseAndEnglishQueriesFindTheirScene) {
  const QueryUnderstanding qu(Curated());
  EXPECT_EQ(TopScene(qu, "适合海边度假的裙子"), "beach_holiday");
  EXPECT_EQ(TopScene(qu, "what to buy for a barbecue party"), "barbecue");
  EXPECT_EQ(TopScene(qu, "油性皮肤T区出油怎么办"), "oily_skin");
  EXPECT_EQ(TopScene(qu, "new baby essentials"), "new_baby");
  EXPECT_EQ(TopScene(qu, "感冒发烧"), "cold_flu");
  EXPECT_EQ(TopScene(qu, "camping trip checklist"), "camping");
  EXPECT_EQ(TopScene(qu, "xyzzy"), "");
}

TEST(QueryUnderstanding, ScoresFlowFromSceneToCategories) {
  const QueryUnderstanding qu(Curated());
  const QueryAnalysis a = qu.Analyze("适合海边度假的裙子");
  ASSERT_FALSE(a.needs.empty());
  ASSERT_FALSE(a.categories.empty());
  bool sunscreen = false, dress = false;
  for (const auto& c : a.categories) {
    sunscreen |= Curated().node(c.node).id == "sunscreen";
    dress |= Curated().node(c.node).id == "dress" && c.direct > 0;
  }
  EXPECT_TRUE(sunscreen);
  EXPECT_TRUE(dress);  // "裙子" names the category itself
  for (size_t i = 1; i < a.needs.size(); ++i) EXPECT_GE(a.needs[i - 1].score, a.needs[i].score);
}

TEST(QueryUnderstanding, RetrievesAndBundlesFromASmallCatalogue) {
  const KnowledgeGraph& g = Curated();
  RetailCatalogue cat;
  cat.Add({1, "DRUG GM", "SUNTAN", "SUNTAN PROD W/SPF LOTION/OIL", "National", "8 OZ"});
  cat.Add({2, "DRUG GM", "SUNTAN", "SUNTAN PROD W/SPF LOTION/OIL", "Private", "4 OZ"});
  cat.Add({3, "GROCERY", "CHARCOAL AND LIGHTER FLUID", "CHARCOAL", "National", "16 LB"});
  cat.Add({4, "MEAT-PCKGD", "HOT DOGS", "FRANKS", "National", "16 OZ"});
  cat.Add({5, "GROCERY", "BAKED BREAD/BUNS/ROLLS", "HOT DOG BUNS", "National", "8 CT"});
  const ProductIndex index(g, cat, {5, 50, 3, 9, 7});
  const QueryUnderstanding qu(g);
  const auto products = index.Retrieve(qu.Analyze("beach holiday"), 10);
  ASSERT_FALSE(products.empty());
  EXPECT_EQ(products[0].product, 1);  // the more popular sunscreen first
  EXPECT_EQ(cat.products()[static_cast<size_t>(products[0].product)].category, "SUNTAN");
  const auto bundle = index.Bundle(qu.Analyze("what to buy for a barbecue party"));
  std::vector<int> ps;
  for (const auto& item : bundle) ps.push_back(item.product);
  EXPECT_NE(std::find(ps.begin(), ps.end(), 2), ps.end()) << "charcoal in the bundle";
  EXPECT_NE(std::find(ps.begin(), ps.end(), 3), ps.end()) << "hot dogs in the bundle";
}

TEST(QueryUnderstanding, RealCatalogueReachesProducts) {
  const auto data = std::filesystem::path(CF_TEST_DATA_DIR);
  if (!std::filesystem::exists(data / "completejourney" / "products.csv")) {
    GTEST_SKIP() << "Complete Journey data not found at " << data.string()
                 << "; put the shared data in ../shared/data to run this test";
  }
  const RetailCatalogue cat = RetailCatalogue::Load(data / "completejourney" / "products.csv");
  const ProductIndex index(Curated(), cat, {});
  size_t empty = 0, cats = 0;
  std::string missing;
  for (size_t i = 0; i < Curated().nodes().size(); ++i) {
    const Node& n = Curated().nodes()[i];
    if (n.kind != NodeKind::kCategory || n.catalogue.empty()) continue;
    ++cats;
    if (index.ProductsOf(static_cast<int>(i)).empty()) {
      ++empty;
      missing += " " + n.id;
    }
  }
  EXPECT_EQ(empty, 0u) << "categories whose catalogue patterns match no product:" << missing;
  EXPECT_GE(cats, 60u);
}

}  // namespace
}  // namespace cf::kg
