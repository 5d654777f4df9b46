#include "mcp/registry.h"

#include <gtest/gtest.h>

#include "mcp/protocol.h"
#include "mcp/request_state.h"
#include "mcp/uri_template.h"

namespace cf::mcp {
namespace {

using nlohmann::json;

Tool NamedTool(const std::string& name, const std::string& description = "") {
  Tool t;
  t.name = name;
  t.description = description;
  return t;
}

TEST(RegistryTest, KeepsInsertionOrderReplacesByNameAndNotifies) {
  Registry r;
  std::vector<Registry::Kind> changes;
  r.OnChange([&](Registry::Kind k) { changes.push_back(k); });
  r.AddTool(NamedTool("b"));
  r.AddTool(NamedTool("a"));
  r.AddTool(NamedTool("b", "replaced"));
  const auto tools = r.Tools();
  ASSERT_EQ(tools.size(), 2u);
  EXPECT_EQ(tools[0].name, "b");
  EXPECT_EQ(tools[0].description, "replaced");
  EXPECT_TRUE(r.FindTool("a"));
  EXPECT_FALSE(r.FindTool("c"));
  EXPECT_TRUE(r.RemoveTool("a"));
  EXPECT_FALSE(r.RemoveTool("a"));
  Prompt p;
  p.name = "weekly_review";
  r.AddPrompt(p);
  EXPECT_EQ(changes.size(), 5u);
  EXPECT_EQ(changes.back(), Registry::Kind::kPrompts);
}

TEST(RegistryTest, HandlersMayChangeTheRegistry) {
  Registry r;
  Tool t = NamedTool("adder");
  t.handler = [&r](const json&, ToolContext&) {
    r.AddTool(NamedTool("added"));
    return ToolResult{};
  };
  r.AddTool(t);
  ToolContext ctx;
  r.FindTool("adder")->handler(json::object(), ctx);
  EXPECT_TRUE(r.FindTool("added"));
}

TEST(UriTemplateTest, MatchesLevelOneTemplates) {
  auto vars = MatchUriTemplate("test://template/{id}/data", "test://template/123/data");
  ASSERT_TRUE(vars);
  EXPECT_EQ(vars->at("id"), "123");
  EXPECT_FALSE(MatchUriTemplate("test://template/{id}/data", "test://template//data"));
  EXPECT_FALSE(MatchUriTemplate("test://template/{id}/data", "test://template/1/2/data"));
  auto two = MatchUriTemplate("cf://plans/{plan}/report/{day}", "cf://plans/p7/report/2024-01-02");
  ASSERT_TRUE(two);
  EXPECT_EQ(two->at("plan"), "p7");
  EXPECT_EQ(two->at("day"), "2024-01-02");
  EXPECT_FALSE(MatchUriTemplate("x://{a", "x://b"));
}

TEST(RequestStateTest, SealedStateRoundTripsAndDetectsTampering) {
  const json payload = {{"round", 2}, {"answers", {{"k", "v"}}}};
  const std::string sealed = SealRequestState(payload);
  EXPECT_EQ(OpenRequestState(sealed), payload);
  std::string tampered = sealed;
  tampered[1] = tampered[1] == 'A' ? 'B' : 'A';
  EXPECT_THROW(OpenRequestState(tampered), McpError);
  EXPECT_THROW(OpenRequestState("no-dot"), McpError);
  EXPECT_THROW(OpenRequestState(""), McpError);
}

TEST(ProtocolTest, VersionsAndLevels) {
  EXPECT_TRUE(IsStatefulVersion("2025-11-25"));
  EXPECT_FALSE(IsStatefulVersion("2026-07-28"));
  EXPECT_TRUE(IsStatelessVersion("2026-07-28"));
  EXPECT_EQ(AllSupportedVersions()[0], "2026-07-28");
  EXPECT_LT(LogLevelRank("debug"), LogLevelRank("emergency"));
  EXPECT_EQ(LogLevelRank("verbose"), -1);
}

}  // namespace
}  // namespace cf::mcp
