#include "diagnosis/risk_search.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "diagnosis/adtributor.h"
#include "diagnosis/case_loaders.h"
#include "diagnosis/rca_evaluation.h"
#include "diagnosis/squeeze_generator.h"
#include "diagnosis/test_util.h"

namespace cf::diagnosis {
namespace {

// A 3-dimension additive table, every combination a leaf with forecast `base` (+ a small
// deterministic wobble), actual = forecast.
RcaCase Grid(size_t values = 4, double base = 100) {
  RcaCase c;
  c.dims = {"channel", "product", "region"};
  for (size_t d = 0; d < 3; ++d) {
    for (size_t v = 0; v < values; ++v) c.Intern(d, c.dims[d].substr(0, 1) + std::to_string(v));
  }
  for (uint32_t a = 0; a < values; ++a) {
    for (uint32_t b = 0; b < values; ++b) {
      for (uint32_t r = 0; r < values; ++r) {
        Leaf l;
        l.attrs = {a, b, r};
        l.predict = base * (1 + 0.5 * ((a * 7 + b * 3 + r) % 5) / 4.0);
        l.real = l.predict * (1 + 0.01 * (((a + 2 * b + 3 * r) % 3) - 1.0));
        c.leaves.push_back(l);
      }
    }
  }
  return c;
}

void Scale(RcaCase& c, const std::vector<std::pair<size_t, uint32_t>>& where, double factor) {
  for (Leaf& l : c.leaves) {
    bool in = true;
    for (const auto& [d, v] : where) in = in && l.attrs[d] == v;
    if (in) l.real *= factor;
  }
}

TEST(RiskSearch, FindsAOneDimensionCause) {
  RcaCase c = Grid();
  Scale(c, {{1, 2}}, 0.4);
  const RcaResult r = RiskSearch(c);
  ASSERT_EQ(r.causes.size(), 1u) << FormatElementSet(r.causes);
  EXPECT_EQ(r.causes[0].Canonical(), "product=p2");
  EXPECT_GT(r.scores[0], 0.9);
}

TEST(RiskSearch, RefinesToTwoDimensionsWhenTheRestIsCalm) {
  RcaCase c = Grid();
  Scale(c, {{0, 1}, {2, 3}}, 1.8);
  const RcaResult r = RiskSearch(c);
  EXPECT_EQ(FormatElementSet(r.causes), "channel=c1&region=r3");
}

TEST(RiskSearch, FindsTwoCausesInOneDimension) {
  RcaCase c = Grid();
  Scale(c, {{0, 0}}, 0.5);
  Scale(c, {{0, 3}}, 0.45);
  const RcaResult r = RiskSearch(c);
  ASSERT_EQ(r.causes.size(), 2u) << FormatElementSet(r.causes);
  std::vector<std::string> got = {r.causes[0].Canonical(), r.causes[1].Canonical()};
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::string>{"channel=c0", "channel=c3"}));
}

TEST(RiskSearch, NoDeviationNoCause) {
  const RcaCase c = Grid();
  EXPECT_TRUE(RiskSearch(c).causes.size() <= 1);  // only the 1% wobble: nothing strong
  RcaCase flat = Grid();
  for (Leaf& l : flat.leaves) l.real = l.predict;
  EXPECT_TRUE(RiskSearch(flat).causes.empty());
}

// Ratio KPI: a leaf whose traffic doubles with an unchanged failure ratio is not a cause; the
// leaf whose ratio jumps is.
TEST(RiskSearch, RatioKpiSeparatesVolumeFromRate) {
  RcaCase c;
  c.ratio = true;
  c.dims = {"cdn", "isp"};
  for (int v = 0; v < 4; ++v) {
    c.Intern(0, "c" + std::to_string(v));
    c.Intern(1, "i" + std::to_string(v));
  }
  for (uint32_t a = 0; a < 4; ++a) {
    for (uint32_t b = 0; b < 4; ++b) {
      Leaf l;
      l.attrs = {a, b};
      l.predict_den = 1000;
      l.predict = 50;  // 5% failures
      l.real_den = a == 2 ? 2000 : 1000;
      l.real = l.real_den * (a == 1 ? 0.25 : 0.05);
      c.leaves.push_back(l);
    }
  }
  const RcaResult r = RiskSearch(c);
  EXPECT_EQ(FormatElementSet(r.causes), "cdn=c1");
}

TEST(RiskSearch, RecoversGeneratedSqueezeCases) {
  SqueezeGeneratorParams g;
  g.cases = 40;
  g.seed = 11;
  const auto cases = GenerateSqueezeCases(g);
  const RcaEvaluation ev = EvaluateRca(cases);
  EXPECT_GE(ev.search.F1(), 0.85) << ev.ToJson().dump();
  EXPECT_GE(ev.search.Precision(), 0.9) << ev.ToJson().dump();
  // The search must beat the one-dimension baseline by a wide margin on multi-dimension causes.
  EXPECT_GT(ev.search.F1(), ev.adtributor.F1() + 0.3) << ev.ToJson().dump();
}

TEST(RiskSearch, WrittenGeneratedCasesRoundTripThroughTheLoader) {
  testing::ScratchDir dir;
  SqueezeGeneratorParams g;
  g.cases = 6;
  g.seed = 3;
  const auto written = WriteSqueezeCases(dir.path(), g);
  const auto loaded = LoadCases(dir.path(), "squeeze");
  ASSERT_EQ(loaded.size(), written.size());  // the unlabelled 999999.csv is ignored
  for (size_t i = 0; i < loaded.size(); ++i) {
    EXPECT_EQ(FormatElementSet(loaded[i].truth), FormatElementSet(written[i].truth));
    EXPECT_EQ(FormatElementSet(RiskSearch(loaded[i]).causes),
              FormatElementSet(RiskSearch(written[i]).causes));
  }
}

TEST(RiskSearch, RobustSpotSubset) {
  const std::filesystem::path dir = std::filesystem::path(CF_TEST_DATA_DIR) / "rca-robustspot";
  if (!std::filesystem::exists(dir / "anomaly.yaml")) {
    GTEST_SKIP() << "no " << dir << " (../shared/data/rca-robustspot); skipping the real cases";
  }
  const auto cases = LoadRobustSpotCases(dir, {}, 10);
  ASSERT_EQ(cases.size(), 10u);
  const RcaEvaluation ev = EvaluateRca(cases);
  // The first ten labelled cases: the search gets at least 8 exactly (it gets 10 today), while
  // Adtributor cannot express the two-dimension labels among them.
  EXPECT_GE(ev.search.tp, 8u) << ev.ToJson().dump();
  EXPECT_GT(ev.search.F1(), ev.adtributor.F1());
  EXPECT_LT(ev.SecondsPerCase(), 1.0);
}

}  // namespace
}  // namespace cf::diagnosis
