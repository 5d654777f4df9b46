#include "diagnosis/adtributor.h"

#include <gtest/gtest.h>

#include "diagnosis/rca_result.h"

namespace cf::diagnosis {
namespace {

RcaCase TwoDims() {
  RcaCase c;
  c.dims = {"channel", "product"};
  for (int v = 0; v < 3; ++v) {
    c.Intern(0, "c" + std::to_string(v));
    c.Intern(1, "p" + std::to_string(v));
  }
  for (uint32_t a = 0; a < 3; ++a) {
    for (uint32_t b = 0; b < 3; ++b) {
      Leaf l;
      l.attrs = {a, b};
      l.predict = 100 + 10 * a + b;
      l.real = l.predict;
      c.leaves.push_back(l);
    }
  }
  return c;
}

TEST(Adtributor, FindsTheSurprisingValueOfOneDimension) {
  RcaCase c = TwoDims();
  for (Leaf& l : c.leaves) {
    if (l.attrs[1] == 2) l.real *= 0.3;
  }
  const RcaResult r = Adtributor(c);
  EXPECT_EQ(FormatElementSet(r.causes), "product=p2");
}

TEST(Adtributor, CannotNameATwoDimensionCause) {
  RcaCase c = TwoDims();
  for (Leaf& l : c.leaves) {
    if (l.attrs[0] == 1 && l.attrs[1] == 2) l.real *= 0.1;
  }
  const RcaResult r = Adtributor(c);
  for (const Element& e : r.causes) EXPECT_EQ(e.items.size(), 1u);
  MatchCounts m;
  m.Add(r.causes, {ParseElement("channel=c1&product=p2")});
  EXPECT_EQ(m.tp, 0u);
}

TEST(Adtributor, NoChangeNoCause) { EXPECT_TRUE(Adtributor(TwoDims()).causes.empty()); }

TEST(MatchCounts, ExactMatchMicroAveraged) {
  MatchCounts m;
  m.Add({ParseElement("b=2&a=1"), ParseElement("c=1")}, {ParseElement("a=1&b=2")});
  m.Add({}, {ParseElement("x=1")});
  EXPECT_EQ(m.tp, 1u);
  EXPECT_EQ(m.fp, 1u);
  EXPECT_EQ(m.fn, 1u);
  EXPECT_DOUBLE_EQ(m.Precision(), 0.5);
  EXPECT_DOUBLE_EQ(m.Recall(), 0.5);
  EXPECT_DOUBLE_EQ(m.F1(), 0.5);
  EXPECT_DOUBLE_EQ(MatchCounts{}.F1(), 0.0);
}

TEST(Element, ParsesAndCanonicalises) {
  EXPECT_EQ(ParseElement(" b = 2 & a=1").Canonical(), "a=1&b=2");
  EXPECT_EQ(FormatElementSet(ParseElementSet("a=1;;b=2&c=3;")), "a=1;b=2&c=3");
  EXPECT_THROW(ParseElement("a"), std::invalid_argument);
  EXPECT_THROW(ParseElement("a=1&a=2"), std::invalid_argument);
}

}  // namespace
}  // namespace cf::diagnosis
