#include "server/http_server.h"

#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "mcp/conformance_fixtures.h"
#include "mcp/server.h"
#include "server/mcp_endpoint.h"

namespace cf::server {
namespace {

using nlohmann::json;

const char* kInit =
    R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})";

// An HttpServer with MCP mounted, listening on a free loopback port.
class HttpServerTest : public ::testing::Test {
 protected:
  void Start(HttpOptions options = {}) {
    options.port = 0;
    http_ = std::make_unique<HttpServer>(options);
    mcp::RegisterConformanceFixtures(registry_);
    mcp_ = std::make_unique<mcp::Server>(registry_);
    endpoint_ = std::make_unique<McpEndpoint>(*http_, *mcp_);
    http_->routes().Get("/hello", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("hi", "text/plain");
    });
    http_->Start();
    client_ = std::make_unique<httplib::Client>("127.0.0.1", http_->port());
    client_->set_read_timeout(10, 0);
  }
  void TearDown() override {
    if (http_) http_->Stop();
  }

  httplib::Result Post(const std::string& body, httplib::Headers headers = {}) {
    headers.emplace("Accept", "application/json, text/event-stream");
    return client_->Post("/mcp", headers, body, "application/json");
  }
  static std::string ErrorCode(const httplib::Result& r) {
    return json::parse(r->body).at("error").at("code").get<std::string>();
  }

  mcp::Registry registry_;
  std::unique_ptr<HttpServer> http_;
  std::unique_ptr<mcp::Server> mcp_;
  std::unique_ptr<McpEndpoint> endpoint_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(HttpServerTest, InitializeReturnsJsonAndASessionHeader) {
  Start();
  auto r = Post(kInit);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->get_header_value("Content-Type").find("application/json"), std::string::npos);
  EXPECT_EQ(r->get_header_value("Mcp-Session-Id").size(), 32u);
  EXPECT_EQ(json::parse(r->body)["result"]["protocolVersion"], "2025-11-25");
}

TEST_F(HttpServerTest, ForeignHostOrOriginIs403) {
  Start();
  auto host = Post(kInit, {{"Host", "evil.example.com"}});
  ASSERT_TRUE(host);
  EXPECT_EQ(host->status, 403);
  EXPECT_EQ(ErrorCode(host), "forbidden_host");
  auto origin = Post(kInit, {{"Origin", "http://evil.example.com"}});
  EXPECT_EQ(origin->status, 403);
  EXPECT_EQ(ErrorCode(origin), "forbidden_origin");
  EXPECT_EQ(client_->Get("/hello", {{"Origin", "null"}})->status, 403);
  auto local = Post(kInit, {{"Origin", "http://localhost:5173"}, {"Host", "localhost"}});
  EXPECT_EQ(local->status, 200);
  EXPECT_EQ(client_->Get("/hello")->body, "hi");
}

TEST_F(HttpServerTest, TokenIsRequiredWhenSet) {
  HttpOptions options;
  options.token = "s3cret";
  options.public_path_prefixes = {"/hello"};
  Start(options);
  auto none = Post(kInit);
  EXPECT_EQ(none->status, 401);
  EXPECT_EQ(ErrorCode(none), "missing_token");
  EXPECT_NE(none->get_header_value("WWW-Authenticate").find("Bearer"), std::string::npos);
  auto wrong = Post(kInit, {{"Authorization", "Bearer nope"}});
  EXPECT_EQ(wrong->status, 401);
  EXPECT_EQ(ErrorCode(wrong), "invalid_token");
  EXPECT_EQ(Post(kInit, {{"Authorization", "Bearer s3cret"}})->status, 200);
  EXPECT_EQ(client_->Get("/hello")->status, 200);  // a public path
}

TEST(HttpServerOptionsTest, RefusesANonLoopbackHostWithoutAToken) {
  HttpOptions options;
  options.host = "0.0.0.0";
  EXPECT_THROW(HttpServer{options}, std::invalid_argument);
  options.token = "t";
  EXPECT_NO_THROW(HttpServer{options});
  EXPECT_TRUE(IsLoopbackHost("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackHost("[::1]"));
  EXPECT_FALSE(IsLoopbackHost("10.0.0.1"));
}

TEST_F(HttpServerTest, OversizedBodiesAre413) {
  HttpOptions options;
  options.max_body_bytes = 1024;
  Start(options);
  auto r = Post(std::string(4096, ' ') + kInit);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(ErrorCode(r), "payload_too_large");
}

TEST_F(HttpServerTest, SessionsAreRequiredAndEndWithDelete) {
  Start();
  const char* list = R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})";
  EXPECT_EQ(Post(list)->status, 400);
  EXPECT_EQ(Post(list, {{"Mcp-Session-Id", "unknown"}})->status, 404);
  const std::string sid = Post(kInit)->get_header_value("Mcp-Session-Id");
  auto initialized =
      Post(R"({"jsonrpc":"2.0","method":"notifications/initialized"})", {{"Mcp-Session-Id", sid}});
  EXPECT_EQ(initialized->status, 202);
  EXPECT_TRUE(initialized->body.empty());
  auto ok = Post(list, {{"Mcp-Session-Id", sid}, {"MCP-Protocol-Version", "2025-11-25"}});
  EXPECT_EQ(ok->status, 200);
  EXPECT_FALSE(json::parse(ok->body)["result"]["tools"].empty());
  EXPECT_EQ(client_->Delete("/mcp", {{"Mcp-Session-Id", sid}})->status, 200);
  EXPECT_EQ(Post(list, {{"Mcp-Session-Id", sid}})->status, 404);
  EXPECT_EQ(client_->Delete("/mcp", {{"Mcp-Session-Id", sid}})->status, 404);
}

TEST_F(HttpServerTest, MalformedJsonIs400WithAJsonRpcError) {
  Start();
  auto r = Post("{nope");
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(json::parse(r->body)["error"]["code"], -32700);
  auto type = client_->Post("/mcp", "x", "text/plain");
  EXPECT_EQ(type->status, 415);
}

TEST_F(HttpServerTest, ProgressStreamsAsServerSentEvents) {
  Start();
  const std::string sid = Post(kInit)->get_header_value("Mcp-Session-Id");
  auto r = Post(
      R"({"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"test_tool_with_progress","_meta":{"progressToken":"p"}}})",
      {{"Mcp-Session-Id", sid}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_NE(r->get_header_value("Content-Type").find("text/event-stream"), std::string::npos);
  EXPECT_NE(r->body.find("notifications/progress"), std::string::npos);
  EXPECT_NE(r->body.find("Progress test completed"), std::string::npos);
}

TEST_F(HttpServerTest, StatelessRequestsNeedMatchingHeaders) {
  Start();
  const std::string body =
      R"({"jsonrpc":"2.0","id":3,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}})";
  auto ok = Post(body, {{"MCP-Protocol-Version", "2026-07-28"}, {"Mcp-Method", "tools/list"}});
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(json::parse(ok->body)["result"]["resultType"], "complete");
  auto mismatch =
      Post(body, {{"MCP-Protocol-Version", "2026-07-28"}, {"Mcp-Method", "prompts/list"}});
  EXPECT_EQ(mismatch->status, 400);
  EXPECT_EQ(json::parse(mismatch->body)["error"]["code"], -32020);
  auto get = client_->Get(
      "/mcp", {{"MCP-Protocol-Version", "2026-07-28"}, {"Accept", "text/event-stream"}});
  EXPECT_EQ(get->status, 405);
}

}  // namespace
}  // namespace cf::server
