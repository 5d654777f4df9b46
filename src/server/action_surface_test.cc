// The HTTP and MCP doors of the action API against a real server on an ephemeral port.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "action/action_api.h"
#include "action/action_catalogue.h"
#include "action/test_account.h"
#include "mcp/server.h"
#include "server/action_routes.h"
#include "server/action_tools.h"
#include "server/http_server.h"
#include "server/mcp_endpoint.h"

namespace cf::server {
namespace {

using Json = nlohmann::json;

class ActionSurfaceTest : public ::testing::Test {
 protected:
  ActionSurfaceTest()
      : store_(":memory:"),
        api_(account_, store_),
        http_(Options()),
        mcp_(registry_),
        endpoint_(http_, mcp_) {
    InstallActionTools(registry_, api_, "merchant:mcp");
    MountActionRoutes(http_, api_, [] { return Json{{"day", 0}}; });
    http_.Start();
    client_ = std::make_unique<httplib::Client>("127.0.0.1", http_.port());
  }
  ~ActionSurfaceTest() override { http_.Stop(); }
  static HttpOptions Options() {
    HttpOptions o;
    o.port = 0;
    o.max_body_bytes = 64 * 1024;
    return o;
  }
  // POST /api/v1/<name>; returns (status, parsed body).
  std::pair<int, Json> Post(const std::string& name, const std::string& body) {
    auto res = client_->Post(("/api/v1/" + name).c_str(), body, "application/json");
    if (!res) return {0, nullptr};
    return {res->status, Json::parse(res->body, nullptr, false)};
  }
  // One JSON-RPC call over Streamable HTTP in the stateless 2026-07-28 style is revision-specific;
  // use a 2025-11-25 session: initialize, initialized, then the call.
  Json Rpc(const std::string& method, const Json& params) {
    httplib::Headers h = {{"Accept", "application/json, text/event-stream"}};
    if (session_.empty()) {
      auto init = client_->Post("/mcp", h,
                                Json{{"jsonrpc", "2.0"},
                                     {"id", 1},
                                     {"method", "initialize"},
                                     {"params",
                                      {{"protocolVersion", "2025-11-25"},
                                       {"capabilities", Json::object()},
                                       {"clientInfo", {{"name", "test"}, {"version", "1"}}}}}}
                                    .dump(),
                                "application/json");
      EXPECT_TRUE(init);
      session_ = init->get_header_value("Mcp-Session-Id");
      h.emplace("Mcp-Session-Id", session_);
      h.emplace("MCP-Protocol-Version", "2025-11-25");
      client_->Post("/mcp", h, R"({"jsonrpc":"2.0","method":"notifications/initialized"})",
                    "application/json");
    } else {
      h.emplace("Mcp-Session-Id", session_);
      h.emplace("MCP-Protocol-Version", "2025-11-25");
    }
    auto res = client_->Post(
        "/mcp", h,
        Json{{"jsonrpc", "2.0"}, {"id", ++id_}, {"method", method}, {"params", params}}.dump(),
        "application/json");
    EXPECT_TRUE(res);
    std::string body = res->body;
    if (res->get_header_value("Content-Type").find("text/event-stream") != std::string::npos) {
      // The last data: line carries the response.
      const size_t at = body.rfind("data: ");
      body = body.substr(at + 6, body.find('\n', at) - at - 6);
    }
    return Json::parse(body);
  }

  action::fixtures::TestAccount account_;
  action::StateStore store_;
  action::ActionApi api_;
  HttpServer http_;
  mcp::Registry registry_;
  mcp::Server mcp_;
  McpEndpoint endpoint_;
  std::unique_ptr<httplib::Client> client_;
  std::string session_;
  int id_ = 1;
};

TEST_F(ActionSurfaceTest, HttpApiRunsActionsAndMapsErrorsToStatuses) {
  const std::string create = R"({"budget":100,"target":2,"products":[0,2]})";
  auto [dry_status, dry] = Post("create_super_plan", create);
  EXPECT_EQ(dry_status, 200);
  EXPECT_TRUE(dry["dry_run"].get<bool>());
  auto [status, made] =
      Post("create_super_plan", R"({"budget":100,"target":2,"products":[0,2],"confirm":true})");
  ASSERT_EQ(status, 200) << made.dump();
  const int id = made["plan_id"].get<int>();
  EXPECT_EQ(store_.entries().at(0).actor, "merchant:http");

  EXPECT_EQ(Post("get_ad_plan", "{not json").first, 400);
  EXPECT_EQ(Post("get_ad_plan", "{not json").second["error"]["code"], "invalid_json");
  EXPECT_EQ(Post("get_ad_plan", "[1,2]").second["error"]["code"], "invalid_argument");
  EXPECT_EQ(Post("get_ad_plan", R"({"plan_id":99})").first, 404);
  EXPECT_EQ(Post("no_such_action", "{}").first, 404);
  auto [g_status, g] = Post("update_ad_plan_budget",
                            Json{{"plan_id", id}, {"total_budget", 500}, {"confirm", true}}.dump());
  EXPECT_EQ(g_status, 422);
  EXPECT_EQ(g["error"]["code"], "guardrail");
  EXPECT_EQ(account_.platform().plan(id).total_budget, Money::FromUnits(100));
  EXPECT_EQ(Post("get_ad_plan", std::string(70 * 1024, ' ')).first, 413);

  auto doc = client_->Get("/openapi.json");
  ASSERT_TRUE(doc);
  const Json openapi = Json::parse(doc->body);
  for (const action::ActionSpec& s : action::ActionSpecs()) {
    EXPECT_TRUE(openapi["paths"].contains("/api/v1/" + s.name)) << s.name;
  }
}

TEST_F(ActionSurfaceTest, McpToolsCallTheSameApi) {
  const Json list = Rpc("tools/list", Json::object());
  std::set<std::string> names;
  for (const Json& t : list["result"]["tools"]) names.insert(t["name"]);
  for (const action::ActionSpec& s : action::ActionSpecs())
    EXPECT_TRUE(names.count(s.name)) << s.name;

  const Json made =
      Rpc("tools/call",
          {{"name", "create_super_plan"},
           {"arguments", {{"budget", 100}, {"target", 2}, {"products", {0}}, {"confirm", true}}}});
  ASSERT_FALSE(made["result"].value("isError", false)) << made.dump();
  const int id = made["result"]["structuredContent"]["plan_id"].get<int>();
  EXPECT_EQ(store_.entries().at(0).actor, "merchant:mcp");

  // A guardrail refusal is a tool error result that names its code; nothing changed.
  const Json refused = Rpc(
      "tools/call", {{"name", "update_ad_plan_budget"},
                     {"arguments", {{"plan_id", id}, {"total_budget", 900}, {"confirm", true}}}});
  EXPECT_TRUE(refused["result"]["isError"].get<bool>()) << refused.dump();
  EXPECT_NE(refused["result"]["content"][0]["text"].get<std::string>().find("guardrail"),
            std::string::npos);
  EXPECT_EQ(account_.platform().plan(id).total_budget, Money::FromUnits(100));
  // Schema-invalid arguments are refused before the action runs.
  const Json invalid =
      Rpc("tools/call", {{"name", "get_ad_plan"}, {"arguments", {{"plan_id", "seven"}}}});
  EXPECT_TRUE(invalid["result"]["isError"].get<bool>()) << invalid.dump();

  const Json res = Rpc("resources/read", {{"uri", "chengfang://account/snapshot"}});
  const Json snapshot = Json::parse(res["result"]["contents"][0]["text"].get<std::string>());
  EXPECT_EQ(snapshot["plans_detail"].size(), 1u);
  const Json prompt =
      Rpc("prompts/get", {{"name", "weekly_review"}, {"arguments", {{"language", "zh"}}}});
  EXPECT_NE(
      prompt["result"]["messages"][0]["content"]["text"].get<std::string>().find("get_report"),
      std::string::npos);
}

}  // namespace
}  // namespace cf::server
