#include "diagnosis/mini_yaml.h"

#include <gtest/gtest.h>

namespace cf::diagnosis {
namespace {

TEST(MiniYaml, ParsesRecordsWithFlowValues) {
  const auto recs = ParseYamlRecords(
      "# cases\n"
      "- data: case1_0821\n"
      "  timestamp: 1566397800\n"
      "  cause: {'bitrate':2000,'p2p':1}\n"
      "\n"
      "- data: case2\n"
      "  timestamp: 5   # a comment\n"
      "  cause: [{'bitrate':500}, {'isp':'联通', 'cdn': 5}]\n",
      "a.yaml");
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0].line, 2);
  EXPECT_EQ(recs[0].Find("data")->scalar, "case1_0821");
  EXPECT_EQ(recs[0].Find("timestamp")->scalar, "1566397800");
  const YamlValue* cause = recs[0].Find("cause");
  ASSERT_EQ(cause->kind, YamlValue::Kind::kMap);
  ASSERT_EQ(cause->map.size(), 2u);
  EXPECT_EQ(cause->map[0].first, "bitrate");
  EXPECT_EQ(cause->map[0].second.scalar, "2000");
  EXPECT_EQ(cause->map[1].second.scalar, "1");
  EXPECT_EQ(recs[1].Find("timestamp")->scalar, "5");
  const YamlValue* list = recs[1].Find("cause");
  ASSERT_EQ(list->kind, YamlValue::Kind::kList);
  ASSERT_EQ(list->list.size(), 2u);
  EXPECT_EQ(list->list[1].map[0].second.scalar, "联通");
  EXPECT_EQ(list->list[1].map[1].second.scalar, "5");
  EXPECT_EQ(recs[1].Find("missing"), nullptr);
}

TEST(MiniYaml, KeysOnTheLinesAfterTheDash) {
  const auto recs = ParseYamlRecords("-\n  a: 1\n  b: 'x y'\n", "b.yaml");
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].Find("b")->scalar, "x y");
}

std::string ErrorOf(const std::string& text) {
  try {
    ParseYamlRecords(text, "bad.yaml");
  } catch (const YamlError& e) {
    return e.what();
  }
  return "no error";
}

TEST(MiniYaml, ErrorsNameFileAndLine) {
  EXPECT_NE(ErrorOf("- a: 1\n  b: {'x':1\n").find("bad.yaml:2:"), std::string::npos);
  EXPECT_NE(ErrorOf("a: 1\n").find("bad.yaml:1: expected a list item"), std::string::npos);
  EXPECT_NE(ErrorOf("- a: 1\n   b: 2\n").find("bad.yaml:2: inconsistent indentation"),
            std::string::npos);
  EXPECT_NE(ErrorOf("- a: 1\n  a: 2\n").find("duplicate key 'a'"), std::string::npos);
  EXPECT_NE(ErrorOf("- a:\n").find("no value"), std::string::npos);
  EXPECT_NE(ErrorOf("- a: 'open\n").find("unterminated"), std::string::npos);
  EXPECT_NE(ErrorOf("- a: &anchor x\n").find("unsupported"), std::string::npos);
  EXPECT_NE(ErrorOf("- a: [1, 2] x\n").find("unexpected text"), std::string::npos);
}

TEST(MiniYaml, MissingFileIsAClearError) {
  try {
    LoadYamlRecords("/nonexistent/anomaly.yaml");
    FAIL() << "expected an error";
  } catch (const YamlError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot open /nonexistent/anomaly.yaml"),
              std::string::npos);
  }
}

}  // namespace
}  // namespace cf::diagnosis
