#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "creative/grammar_script_writer.h"

namespace cf {
namespace {

ScriptRequest Camping(const std::string& lang) {
  ScriptRequest r;
  r.lang = lang;
  r.scene = Scene::kOutdoorCamping;
  r.product.title = lang == "zh" ? "超轻折叠露营椅" : "Ultralight folding camp chair";
  r.product.category = lang == "zh" ? "露营装备" : "Camping gear";
  r.product.price = 129;
  r.product.coupon = 30;
  r.product.facts = lang == "zh" ? std::vector<std::string>{"仅重900克", "承重150公斤"}
                                 : std::vector<std::string>{"weighs only 900 g", "holds 150 kg"};
  return r;
}

TEST(GrammarScriptWriter, HasTheLiveCommerceStructure) {
  const auto w = GrammarScriptWriter::LoadDefault();
  for (const std::string lang : {"zh", "en"}) {
    const Script s = w.Write(Camping(lang));
    ASSERT_GE(s.lines.size(), 6u);
    EXPECT_EQ(s.lines.front().part, ScriptPart::kHook);
    EXPECT_EQ(s.lines.back().part, ScriptPart::kCallToAction);
    int points = 0, promos = 0, proofs = 0;
    for (const auto& l : s.lines) {
      EXPECT_FALSE(l.text.empty());
      EXPECT_EQ(l.text.find('{'), std::string::npos) << l.text;
      points += l.part == ScriptPart::kSellingPoint;
      promos += l.part == ScriptPart::kPromotion;
      proofs += l.part == ScriptPart::kProof;
      if (l.part == ScriptPart::kPromotion) {
        EXPECT_NE(l.text.find("99"), std::string::npos) << "final price 129-30 missing: " << l.text;
      }
    }
    EXPECT_GE(points, 2);
    EXPECT_EQ(promos, 1);
    EXPECT_EQ(proofs, 1);
    // The product's own facts come first among the selling points.
    EXPECT_NE(s.FullText().find(lang == "zh" ? "900克" : "900 g"), std::string::npos);
  }
}

TEST(GrammarScriptWriter, IsDeterministic) {
  const auto w = GrammarScriptWriter::LoadDefault();
  auto r = Camping("zh");
  r.variant = 7;
  r.hook = HookStyle::kPriceShock;
  EXPECT_EQ(w.Write(r).ToJson(), w.Write(r).ToJson());
  EXPECT_EQ(GrammarScriptWriter::LoadDefault().Write(r).ToJson(), w.Write(r).ToJson());
}

TEST(GrammarScriptWriter, TwentyVariantsReadDifferently) {
  const auto w = GrammarScriptWriter::LoadDefault();
  for (const std::string lang : {"zh", "en"}) {
    std::set<std::string> texts, hooks;
    for (uint32_t v = 0; v < 20; ++v) {
      auto r = Camping(lang);
      r.variant = v;
      r.hook = static_cast<HookStyle>(v % kNumHookStyles);
      r.selling_point_order = static_cast<uint8_t>(v % 3);
      const Script s = w.Write(r);
      texts.insert(s.FullText());
      hooks.insert(s.hook_text());
    }
    EXPECT_EQ(texts.size(), 20u) << lang;
    EXPECT_EQ(hooks.size(), 20u) << lang << ": every variant opens with its own hook";
  }
}

TEST(GrammarScriptWriter, SellingPointOrderRotates) {
  const auto w = GrammarScriptWriter::LoadDefault();
  auto r = Camping("en");
  const Script a = w.Write(r);
  r.selling_point_order = 1;
  const Script b = w.Write(r);
  ASSERT_GE(a.selling_points.size(), 2u);
  EXPECT_EQ(a.selling_points[1], b.selling_points[0]);
}

TEST(GrammarScriptWriter, ProductWithoutFactsStillGetsTwoSellingPoints) {
  const auto w = GrammarScriptWriter::LoadDefault();
  ScriptRequest r;
  r.lang = "en";
  r.product.title = "Soap";
  r.product.price = 2.5;
  const Script s = w.Write(r);
  EXPECT_GE(s.selling_points.size(), 2u);
  EXPECT_NE(s.FullText().find("$2.50"), std::string::npos) << s.FullText();
}

TEST(GrammarScriptWriter, RejectsBadRequests) {
  const auto w = GrammarScriptWriter::LoadDefault();
  auto r = Camping("fr");
  EXPECT_THROW(w.Write(r), std::invalid_argument);
  r = Camping("zh");
  r.product.price = 0;
  EXPECT_THROW(w.Write(r), std::invalid_argument);
  r = Camping("zh");
  r.product.title.clear();
  EXPECT_THROW(w.Write(r), std::invalid_argument);
}

TEST(GrammarScriptWriter, RejectsBrokenGrammarsWithTheKey) {
  nlohmann::json g = nlohmann::json::parse(
      std::ifstream(std::string(CF_SOURCE_DIR) + "/data/scripts/grammar.json"));
  auto expect_error = [](const nlohmann::json& bad, const std::string& needle) {
    try {
      GrammarScriptWriter w(bad, "test");
      ADD_FAILURE() << "accepted a broken grammar; wanted " << needle;
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  auto bad = g;
  bad["languages"]["en"]["hook"].erase("scene");
  expect_error(bad, "languages.en.hook.scene");
  bad = g;
  bad["languages"]["zh"]["cta"] = nlohmann::json::array({"buy {nonsense}"});
  expect_error(bad, "unknown placeholder '{nonsense}'");
  bad = g;
  bad["languages"]["zh"]["proof"] = nlohmann::json::array({"{@missing}"});
  expect_error(bad, "symbol '@missing'");
  bad = g;
  bad["format"] = "v0";
  expect_error(bad, "format");
  EXPECT_THROW(GrammarScriptWriter::Load("/nonexistent/grammar.json"), std::runtime_error);
}

}  // namespace
}  // namespace cf
