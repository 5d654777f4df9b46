#include "insight/knowledge_graph.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "insight/knowledge_graph_builder.h"
#include "insight/knowledge_graph_taxonomy.h"

namespace cf::kg {
namespace {

constexpr const char* kSmall = R"(chengfang-kg 1
# a comment
scene beach
  zh: 海边度假
  en: beach holiday
  kw_zh: 海边， 沙滩、海岛
  kw_en: beach, seaside
  needs: sun 1, hydrate 0.5

need sun
  zh: 防晒
  en: sun protection
  attributes: spf

need hydrate
  zh: 补水
  en: hydration
  attributes: spf 0.25

attribute spf
  zh: 高倍防晒
  en: high SPF
  categories: sunscreen 0.9

category sunscreen
  zh: 防晒霜
  en: sunscreen
  taxonomy: 2844
  catalogue: SUNTAN; * > SUNSCREEN

category after_sun
  zh: 晒后修复
  en: after-sun care
  catalogue: SUNTAN > AFTER SUN

complement sunscreen after_sun 0.7 curated
)";

TEST(KnowledgeGraph, ParsesNodesEdgesAndComplements) {
  const KnowledgeGraph g = KnowledgeGraph::Parse(kSmall, "small.kg");
  ASSERT_EQ(g.nodes().size(), 6u);
  const Node& beach = g.node(g.Find("beach"));
  EXPECT_EQ(beach.zh, "海边度假");
  EXPECT_EQ(beach.keywords_zh, (std::vector<std::string>{"海边", "沙滩", "海岛"}));
  ASSERT_EQ(beach.edges.size(), 2u);
  EXPECT_EQ(beach.edges[1].to, g.Find("hydrate"));
  EXPECT_DOUBLE_EQ(beach.edges[1].weight, 0.5);
  const Node& s = g.node(g.Find("sunscreen"));
  EXPECT_EQ(s.taxonomy, 2844);
  EXPECT_EQ(s.catalogue, (std::vector<std::string>{"SUNTAN", "* > SUNSCREEN"}));
  ASSERT_EQ(g.complements().size(), 1u);
  EXPECT_EQ(g.ComplementsOf(g.Find("after_sun")).size(), 1u);
  EXPECT_EQ(g.Count(NodeKind::kNeed), 2u);
}

TEST(KnowledgeGraph, RoundTripsThroughSerialize) {
  KnowledgeGraph g = KnowledgeGraph::Parse(kSmall, "small.kg");
  Complement m;
  m.a = "after_sun";
  m.b = "sunscreen";
  m.weight = 0.3125;
  m.provenance = Provenance::kMined;
  m.lift = 4.25;
  m.pmi = 1.4469;
  m.support = 12;
  m.count_a = 30;
  m.count_b = 40;
  m.baskets = 1000;
  g.AddComplement(m);
  g.Resolve("x");
  const std::string text = g.Serialize();
  const KnowledgeGraph back = KnowledgeGraph::Parse(text, "round.kg");
  EXPECT_EQ(back.Serialize(), text);
  ASSERT_EQ(back.complements().size(), 2u);
  const Complement& c = back.complements()[1];
  EXPECT_EQ(c.provenance, Provenance::kMined);
  EXPECT_DOUBLE_EQ(c.lift, 4.25);
  EXPECT_EQ(c.support, 12);
  EXPECT_EQ(c.baskets, 1000);
  EXPECT_EQ(back.node(back.Find("beach")).keywords_zh.size(), 3u);

  const auto tmp = std::filesystem::temp_directory_path() / "cf_kg_roundtrip_test.kg";
  back.Save(tmp);
  EXPECT_EQ(KnowledgeGraph::Load(tmp).Serialize(), text);
  std::filesystem::remove(tmp);
}

// The message of the KgError thrown by parsing `text`, or "" when it parses.
std::string ErrorOf(const std::string& text) {
  try {
    KnowledgeGraph::Parse(text, "bad.kg");
  } catch (const KgError& e) {
    return e.what();
  }
  return "";
}

TEST(KnowledgeGraph, RefusesOtherVersions) {
  const std::string e = ErrorOf("# header below\nchengfang-kg 2\n");
  EXPECT_NE(e.find("bad.kg:2:"), std::string::npos) << e;
  EXPECT_NE(e.find("version 2 is not supported"), std::string::npos) << e;
  EXPECT_NE(ErrorOf("scene x\n").find("bad.kg:1: expected the format line"), std::string::npos);
  EXPECT_NE(ErrorOf("").find("bad.kg:1: empty graph"), std::string::npos);
}

TEST(KnowledgeGraph, MalformedLinesNameFileAndLine) {
  EXPECT_NE(ErrorOf("chengfang-kg 1\nscene a\n  zh a\n").find("bad.kg:3: expected `key: value`"),
            std::string::npos);
  EXPECT_NE(ErrorOf("chengfang-kg 1\nthing a\n").find("bad.kg:2: unknown record 'thing'"),
            std::string::npos);
  EXPECT_NE(ErrorOf("chengfang-kg 1\n  zh: x\n").find("bad.kg:2: indented property outside"),
            std::string::npos);
  EXPECT_NE(ErrorOf("chengfang-kg 1\nscene A\n").find("bad.kg:2: expected `scene <id>`"),
            std::string::npos);
  EXPECT_NE(ErrorOf("chengfang-kg 1\nscene a\n  zh: x\n  en: y\n  color: red\n")
                .find("bad.kg:5: unknown property 'color'"),
            std::string::npos);
  EXPECT_NE(ErrorOf("chengfang-kg 1\nscene a\n  zh: x\n  en: y\n  needs: b zero\n")
                .find("bad.kg:5: weight 'zero'"),
            std::string::npos);
  EXPECT_NE(ErrorOf("chengfang-kg 1\nscene a\n  en: y\n").find("bad.kg:2: scene 'a' has no zh"),
            std::string::npos);
  EXPECT_NE(ErrorOf("chengfang-kg 1\nscene a\n  zh: x\n  en: y\nscene a\n  zh: x\n  en: y\n")
                .find("bad.kg:5: duplicate id 'a'"),
            std::string::npos);
}

TEST(KnowledgeGraph, DanglingReferencesNameFileAndLine) {
  std::string e = ErrorOf("chengfang-kg 1\n\nscene a\n  zh: 甲\n  en: a\n  needs: ghost 0.5\n");
  EXPECT_NE(e.find("bad.kg:6: scene 'a' refers to need 'ghost', which is not defined"),
            std::string::npos)
      << e;
  e = ErrorOf("chengfang-kg 1\nscene a\n  zh: x\n  en: y\n  needs: b\nscene b\n  zh: x\n  en: y\n");
  EXPECT_NE(e.find("bad.kg:5:"), std::string::npos) << e;
  EXPECT_NE(e.find("'b' is a scene"), std::string::npos) << e;
  e = ErrorOf("chengfang-kg 1\ncategory a\n  zh: x\n  en: y\ncomplement a nope 1 curated\n");
  EXPECT_NE(e.find("bad.kg:5: complement refers to 'nope'"), std::string::npos) << e;
  e = ErrorOf("chengfang-kg 1\ncategory a\n  zh: x\n  en: y\ncomplement a a 1 guessed\n");
  EXPECT_NE(e.find("bad.kg:5: complement provenance 'guessed'"), std::string::npos) << e;
}

TEST(KnowledgeGraph, CommittedCuratedGraphLoads) {
  const auto path = std::filesystem::path(CF_SOURCE_DIR) / "data" / "kg" / "curated.kg";
  const KnowledgeGraph g = KnowledgeGraph::Load(path);
  EXPECT_GE(g.Count(NodeKind::kScene), 25u);
  for (const Node& n : g.nodes()) {
    EXPECT_FALSE(n.keywords_zh.empty() && n.kind == NodeKind::kScene) << n.id;
    EXPECT_FALSE(n.keywords_en.empty() && n.kind == NodeKind::kScene) << n.id;
  }
  // Every scene reaches at least one category.
  for (size_t i = 0; i < g.nodes().size(); ++i) {
    const Node& s = g.nodes()[i];
    if (s.kind != NodeKind::kScene) continue;
    bool reaches = false;
    for (const Edge& e : s.edges) {
      for (const Edge& a : g.node(e.to).edges) reaches |= !g.node(a.to).edges.empty();
    }
    EXPECT_TRUE(reaches) << s.id;
  }
}

TEST(KnowledgeGraphBuilder, AddsTaxonomyCatalogueAndMinedRelations) {
  const KnowledgeGraph curated = KnowledgeGraph::Parse(kSmall, "small.kg");
  const Taxonomy tax = Taxonomy::Parse(
      "# Google_Product_Taxonomy_Version: test\n1 - Health & Beauty\n2844 - Health & Beauty > "
      "Skin Care > Sunscreen\n5694 - Home & Garden > Outdoor Grill Accessories > Charcoal "
      "Briquettes\n",
      "tax.txt");
  RetailCatalogue cat;
  cat.Add({1, "DRUG GM", "SUNTAN", "SUNSCREEN SPF 50", "National", "8 OZ"});
  cat.Add({2, "GROCERY", "CHARCOAL AND LIGHTER FLUID", "CHARCOAL", "National", "16 LB"});
  cat.Add({3, "GROCERY", "LIGHTER", "FLUID", "National", ""});
  std::vector<RetailBasket> baskets;
  for (int i = 0; i < 20; ++i) baskets.push_back({i, i, 1, {1, 2}});
  for (int i = 20; i < 60; ++i) baskets.push_back({i, i, 1, {0}});
  BuildInputs in;
  in.curated = &curated;
  in.taxonomy = &tax;
  in.catalogue = &cat;
  in.baskets = &baskets;
  BuildOptions o;
  const KnowledgeGraph g = BuildGraph(in, o);
  EXPECT_EQ(g.node(g.Find("sunscreen")).taxonomy_path, "Health & Beauty > Skin Care > Sunscreen");
  EXPECT_EQ(g.node(g.Find("sunscreen")).taxonomy_match, "curated");
  const int suntan = g.Find("cj.suntan");
  ASSERT_GE(suntan, 0);
  EXPECT_EQ(g.node(suntan).parent, "sunscreen");  // by the curated catalogue pattern
  EXPECT_EQ(g.node(suntan).zh, "防晒霜");
  const int charcoal = g.Find("cj.charcoal_and_lighter_fluid");
  ASSERT_GE(charcoal, 0);
  EXPECT_EQ(g.node(charcoal).taxonomy, 5694);  // word overlap
  ASSERT_EQ(g.complements().size(), 2u);
  const Complement& m = g.complements()[1];
  EXPECT_EQ(m.provenance, Provenance::kMined);
  EXPECT_EQ(m.support, 20);
  EXPECT_DOUBLE_EQ(m.lift, 3.0);
  // Deterministic and round-trips.
  EXPECT_EQ(BuildGraph(in, o).Serialize(), g.Serialize());
  EXPECT_EQ(KnowledgeGraph::Parse(g.Serialize(), "built.kg").Serialize(), g.Serialize());

  // A curated taxonomy id missing from the taxonomy is an error at the category's line.
  const KnowledgeGraph bad = KnowledgeGraph::Parse(
      "chengfang-kg 1\ncategory x\n  zh: 甲\n  en: x\n  taxonomy: 999\n", "c.kg");
  in.curated = &bad;
  in.curated_file = "c.kg";
  try {
    BuildGraph(in, o);
    FAIL() << "expected an error";
  } catch (const KgError& e) {
    EXPECT_NE(std::string(e.what()).find("c.kg:2: category 'x' names taxonomy id 999"),
              std::string::npos)
        << e.what();
  }
}

TEST(KnowledgeGraphBuilder, RealTaxonomyHoldsCuratedIds) {
  const auto data = std::filesystem::path(CF_TEST_DATA_DIR) / "taxonomy";
  if (!std::filesystem::exists(data / "google-product-taxonomy.txt")) {
    GTEST_SKIP() << "taxonomy not found at " << data.string()
                 << "; put the shared data in ../shared/data to run this test";
  }
  const Taxonomy tax = Taxonomy::Load(data / "google-product-taxonomy.txt");
  EXPECT_GT(tax.size(), 5000u);
  const KnowledgeGraph curated =
      KnowledgeGraph::Load(std::filesystem::path(CF_SOURCE_DIR) / "data" / "kg" / "curated.kg");
  BuildInputs in;
  in.curated = &curated;
  in.taxonomy = &tax;
  const KnowledgeGraph g = BuildGraph(in, {});  // throws on an unknown curated id
  size_t mapped = 0, cats = 0;
  for (const Node& n : g.nodes()) {
    if (n.kind != NodeKind::kCategory) continue;
    ++cats;
    mapped += n.taxonomy > 0;
  }
  EXPECT_GE(mapped * 10, cats * 8) << mapped << " of " << cats << " categories have a node";
}

}  // namespace
}  // namespace cf::kg
