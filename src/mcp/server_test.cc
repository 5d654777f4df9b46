#include "mcp/server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>

#include "mcp/conformance_fixtures.h"
#include "mcp/protocol.h"
#include "mcp/test_channel.h"

namespace cf::mcp {
namespace {

using nlohmann::json;

json Request(const json& id, const std::string& method, json params = json::object()) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}};
}

json StatelessMeta(json extra = json::object()) {
  json meta = {{kMetaProtocolVersion, "2026-07-28"},
               {kMetaClientCapabilities, json::object()},
               {kMetaClientInfo, {{"name", "test"}, {"version", "1"}}}};
  meta.update(extra);
  return meta;
}

class ServerTest : public ::testing::Test {
 protected:
  ServerTest() {
    options_.page_size = 2;
    options_.check_output_schema = true;
    server_ = std::make_unique<Server>(registry_, options_);
  }

  // Sends one message; returns its channel after Finish.
  std::shared_ptr<TestChannel> Send(json message, bool http = false,
                                    std::optional<std::string> header = std::nullopt) {
    auto channel = std::make_shared<TestChannel>();
    Incoming in;
    in.message = std::move(message);
    in.session_id = session_;
    in.http = http;
    in.protocol_header = header;
    if (http && in.message.is_object() && in.message.contains("method")) {
      in.method_header = in.message["method"].get<std::string>();  // as an HTTP client sends it
      const json params = in.message.value("params", json::object());
      if (params.contains("name")) in.name_header = params["name"].get<std::string>();
    }
    server_->Handle(in, channel);
    channel->Wait();
    EXPECT_FALSE(channel->timed_out());
    return channel;
  }
  json Call(json message) { return Send(std::move(message))->Wait(); }

  void Initialize(const std::string& version = "2025-11-25") {
    auto ch = Send(Request(1, "initialize",
                           {{"protocolVersion", version},
                            {"capabilities", {{"sampling", json::object()}}},
                            {"clientInfo", {{"name", "t"}, {"version", "1"}}}}));
    session_ = ch->session_id();
    ASSERT_FALSE(session_.empty());
  }

  Tool BudgetTool() {
    Tool t;
    t.name = "set_budget";
    t.description = "Sets a budget";
    t.input_schema = {{"type", "object"},
                      {"properties", {{"budget", {{"type", "number"}, {"minimum", 100}}}}},
                      {"required", {"budget"}},
                      {"additionalProperties", false}};
    t.output_schema = {{"type", "object"}, {"required", {"budget"}}};
    t.handler = [](const json& args, ToolContext&) {
      ToolResult r;
      r.structured = {{"budget", args["budget"]}};
      return r;
    };
    return t;
  }

  Registry registry_;
  ServerOptions options_;
  std::unique_ptr<Server> server_;
  std::string session_;
};

TEST_F(ServerTest, InitializeNegotiatesTheVersionAndCreatesASession) {
  auto ch = Send(Request(1, "initialize", {{"protocolVersion", "2025-06-18"}}));
  const json r = ch->Wait();
  EXPECT_EQ(r["result"]["protocolVersion"], "2025-06-18");
  EXPECT_TRUE(r["result"]["capabilities"].contains("tools"));
  EXPECT_EQ(r["result"]["serverInfo"]["name"], "chengfang");
  EXPECT_EQ(ch->session_id().size(), 32u);
  EXPECT_TRUE(server_->HasSession(ch->session_id()));

  const json unknown = Call(Request(2, "initialize", {{"protocolVersion", "1999-01-01"}}));
  EXPECT_EQ(unknown["result"]["protocolVersion"], "2025-11-25");
  const json missing = Call(Request(3, "initialize"));
  EXPECT_EQ(missing["error"]["code"], error_code::kInvalidParams);
}

TEST_F(ServerTest, MalformedMessagesGetJsonRpcErrors) {
  auto parse = std::make_shared<TestChannel>();
  server_->HandleText("{not json", {}, parse);
  EXPECT_EQ(parse->Wait()["error"]["code"], error_code::kParseError);
  EXPECT_EQ(parse->status(), 400);

  auto batch = Send(json::array({Request(1, "ping")}));
  EXPECT_EQ(batch->Wait()["error"]["code"], error_code::kInvalidRequest);
  EXPECT_EQ(Call({{"id", 1}, {"method", "ping"}})["error"]["code"], error_code::kInvalidRequest);
  EXPECT_EQ(Call({{"jsonrpc", "2.0"}, {"id", json::object()}, {"method", "ping"}})["error"]["code"],
            error_code::kInvalidRequest);
  EXPECT_EQ(Call({{"jsonrpc", "2.0"}, {"id", 1}, {"method", 5}})["error"]["code"],
            error_code::kInvalidRequest);
  EXPECT_EQ(
      Call(
          {{"jsonrpc", "2.0"}, {"id", 1}, {"method", "ping"}, {"params", {1, 2}}})["error"]["code"],
      error_code::kInvalidParams);
  Initialize();
  const json unknown = Call(Request(7, "no/such"));
  EXPECT_EQ(unknown["id"], 7);
  EXPECT_EQ(unknown["error"]["code"], error_code::kMethodNotFound);
}

TEST_F(ServerTest, HttpStatefulRequestsNeedAKnownSession) {
  auto missing = Send(Request(1, "tools/list"), /*http=*/true);
  EXPECT_EQ(missing->status(), 400);
  session_ = "not-a-session";
  auto unknown = Send(Request(1, "tools/list"), /*http=*/true);
  EXPECT_EQ(unknown->status(), 404);
  session_.clear();
  Initialize();
  EXPECT_EQ(Send(Request(2, "ping"), true, "2025-11-25")->Wait()["result"], json::object());
  EXPECT_TRUE(server_->EndSession(session_));
  EXPECT_EQ(Send(Request(3, "ping"), true)->status(), 404);
}

TEST_F(ServerTest, ListsPaginateWithOpaqueCursors) {
  for (int i = 0; i < 5; ++i) {
    Tool t = BudgetTool();
    t.name = "tool_" + std::to_string(i);
    registry_.AddTool(t);
  }
  Initialize();
  std::vector<std::string> names;
  json params = json::object();
  for (int page = 0; page < 10; ++page) {
    const json r = Call(Request(page + 10, "tools/list", params))["result"];
    for (const auto& t : r["tools"]) names.push_back(t["name"]);
    if (!r.contains("nextCursor")) break;
    params = {{"cursor", r["nextCursor"]}};
  }
  EXPECT_EQ(names, (std::vector<std::string>{"tool_0", "tool_1", "tool_2", "tool_3", "tool_4"}));
  EXPECT_EQ(Call(Request(99, "tools/list", {{"cursor", "bogus"}}))["error"]["code"],
            error_code::kInvalidParams);
  const json tool = Call(Request(100, "tools/list"))["result"]["tools"][0];
  EXPECT_EQ(tool["inputSchema"]["required"], json({"budget"}));
  EXPECT_EQ(tool["annotations"]["destructiveHint"], false);
}

TEST_F(ServerTest, SchemaInvalidArgumentsAreToolErrorsNamingThePath) {
  registry_.AddTool(BudgetTool());
  Initialize();
  const json bad =
      Call(Request(2, "tools/call", {{"name", "set_budget"}, {"arguments", {{"budget", 5}}}}));
  EXPECT_EQ(bad["result"]["isError"], true);
  EXPECT_EQ(bad["result"]["content"][0]["text"],
            "Invalid arguments for tool set_budget: /budget: 5 is below the minimum 100");
  const json ok =
      Call(Request(3, "tools/call", {{"name", "set_budget"}, {"arguments", {{"budget", 500}}}}));
  EXPECT_FALSE(ok["result"].contains("isError"));
  EXPECT_EQ(ok["result"]["structuredContent"]["budget"], 500);
  EXPECT_EQ(ok["result"]["content"][0]["text"], "{\"budget\":500}");
  const json unknown = Call(Request(4, "tools/call", {{"name", "nope"}}));
  EXPECT_EQ(unknown["error"]["code"], error_code::kInvalidParams);
}

TEST_F(ServerTest, HandlerExceptionsBecomeToolErrorsAndOutputIsChecked) {
  Tool t = BudgetTool();
  t.name = "thrower";
  t.input_schema = nullptr;
  t.handler = [](const json& args, ToolContext&) -> ToolResult {
    if (args.contains("invalid")) throw std::invalid_argument("budget exceeds the daily limit");
    if (args.contains("bad_output")) {
      ToolResult r;
      r.structured = {{"other", 1}};
      return r;
    }
    throw std::runtime_error("secret internals");
  };
  registry_.AddTool(t);
  Initialize();
  const json invalid =
      Call(Request(2, "tools/call", {{"name", "thrower"}, {"arguments", {{"invalid", true}}}}));
  EXPECT_EQ(invalid["result"]["content"][0]["text"], "budget exceeds the daily limit");
  const json internal = Call(Request(3, "tools/call", {{"name", "thrower"}}));
  EXPECT_EQ(internal["result"]["isError"], true);
  EXPECT_EQ(internal["result"]["content"][0]["text"].get<std::string>().find("secret"),
            std::string::npos);
  const json output =
      Call(Request(4, "tools/call", {{"name", "thrower"}, {"arguments", {{"bad_output", 1}}}}));
  EXPECT_EQ(output["result"]["isError"], true);
  // The server keeps working.
  EXPECT_EQ(Call(Request(5, "ping"))["result"], json::object());
}

TEST_F(ServerTest, ProgressGoesToTheCallsChannel) {
  RegisterConformanceFixtures(registry_);
  Initialize();
  auto ch =
      Send(Request(2, "tools/call",
                   {{"name", "test_tool_with_progress"}, {"_meta", {{"progressToken", "tok"}}}}));
  const auto sent = ch->sent();
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_EQ(sent[1]["method"], "notifications/progress");
  EXPECT_EQ(sent[1]["params"]["progressToken"], "tok");
  EXPECT_EQ(sent[1]["params"]["progress"], 50);
  EXPECT_EQ(sent[1]["params"]["total"], 100);
  EXPECT_EQ(ch->Wait()["id"], 2);
  // Without a token, no notifications.
  EXPECT_TRUE(
      Send(Request(3, "tools/call", {{"name", "test_tool_with_progress"}}))->sent().empty());
}

TEST_F(ServerTest, CancelledRequestsStopAndGetNoResponse) {
  std::atomic<bool> saw_cancel{false};
  Tool t;
  t.name = "slow";
  t.handler = [&](const json&, ToolContext& ctx) {
    for (int i = 0; i < 500 && !ctx.cancelled(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    saw_cancel = ctx.cancelled();
    return ToolResult{};
  };
  registry_.AddTool(t);
  Initialize();
  auto ch = std::make_shared<TestChannel>();
  Incoming in;
  in.message = Request("call-1", "tools/call", {{"name", "slow"}});
  in.session_id = session_;
  server_->Handle(in, ch);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(ch->finished());
  auto note = Send({{"jsonrpc", "2.0"},
                    {"method", "notifications/cancelled"},
                    {"params", {{"requestId", "call-1"}, {"reason", "user"}}}});
  EXPECT_EQ(note->status(), 202);
  EXPECT_TRUE(ch->Wait().is_null());
  EXPECT_TRUE(saw_cancel.load());
}

TEST_F(ServerTest, LoggingRespectsSetLevel) {
  RegisterConformanceFixtures(registry_);
  Initialize();
  EXPECT_EQ(Send(Request(2, "tools/call", {{"name", "test_logging_tool"}}))->sent().size(), 2u);
  EXPECT_EQ(Call(Request(3, "logging/setLevel", {{"level", "warning"}}))["result"], json::object());
  const auto sent = Send(Request(4, "tools/call", {{"name", "test_logging_tool"}}))->sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0]["params"]["level"], "warning");
  EXPECT_EQ(Call(Request(5, "logging/setLevel", {{"level", "loud"}}))["error"]["code"],
            error_code::kInvalidParams);
}

TEST_F(ServerTest, SamplingRoundTripThroughTheClient) {
  RegisterConformanceFixtures(registry_);
  Initialize();
  auto ch = std::make_shared<TestChannel>();
  Incoming in;
  in.message =
      Request(2, "tools/call", {{"name", "test_sampling"}, {"arguments", {{"prompt", "hi"}}}});
  in.session_id = session_;
  server_->Handle(in, ch);
  const auto sent = ch->WaitSent(1);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0]["method"], "sampling/createMessage");
  auto answer = Send({{"jsonrpc", "2.0"},
                      {"id", sent[0]["id"]},
                      {"result",
                       {{"role", "assistant"},
                        {"content", {{"type", "text"}, {"text", "hello"}}},
                        {"model", "m"}}}});
  EXPECT_EQ(answer->status(), 202);
  EXPECT_EQ(ch->Wait()["result"]["content"][0]["text"], "LLM response: hello");
}

TEST_F(ServerTest, StatelessRequestsCarryTheirVersionInMeta) {
  RegisterConformanceFixtures(registry_);
  auto discover =
      Send(Request(1, "server/discover", {{"_meta", StatelessMeta()}}), true, "2026-07-28");
  const json d = discover->Wait()["result"];
  EXPECT_EQ(d["resultType"], "complete");
  EXPECT_EQ(d["supportedVersions"][0], "2026-07-28");
  EXPECT_EQ(d["cacheScope"], "private");
  EXPECT_EQ(d["_meta"][kMetaServerInfo]["name"], "chengfang");

  auto no_meta = Send(Request(2, "tools/list"), true, "2026-07-28");
  EXPECT_EQ(no_meta->Wait()["error"]["code"], error_code::kInvalidParams);
  EXPECT_EQ(no_meta->status(), 400);

  auto mismatch = Send(Request(3, "tools/list", {{"_meta", StatelessMeta()}}), true, "2025-11-25");
  EXPECT_EQ(mismatch->Wait()["error"]["code"], error_code::kHeaderMismatch);

  auto unsupported = Send(
      Request(4, "tools/list", {{"_meta", StatelessMeta({{kMetaProtocolVersion, "2099-01-01"}})}}),
      true, "2099-01-01");
  const json u = unsupported->Wait();
  EXPECT_EQ(u["error"]["code"], error_code::kUnsupportedProtocolVersion);
  EXPECT_EQ(u["error"]["data"]["requested"], "2099-01-01");
  EXPECT_EQ(u["error"]["data"]["supported"], json({"2026-07-28"}));
  EXPECT_EQ(u["id"], 4);

  auto removed = Send(Request(5, "ping", {{"_meta", StatelessMeta()}}));
  EXPECT_EQ(removed->Wait()["error"]["code"], error_code::kMethodNotFound);
  EXPECT_EQ(removed->status(), 404);

  const json list = Call(Request(6, "tools/list", {{"_meta", StatelessMeta()}}))["result"];
  EXPECT_EQ(list["resultType"], "complete");
  EXPECT_TRUE(list.contains("ttlMs"));
  EXPECT_FALSE(list.contains("nextCursor") && list["tools"].size() > 2);

  auto missing_cap = Send(
      Request(7, "tools/call", {{"name", "test_missing_capability"}, {"_meta", StatelessMeta()}}));
  const json m = missing_cap->Wait();
  EXPECT_EQ(m["error"]["code"], error_code::kMissingClientCapability);
  EXPECT_EQ(m["error"]["data"]["requiredCapabilities"], json({{"sampling", json::object()}}));
  EXPECT_EQ(missing_cap->status(), 400);
}

TEST_F(ServerTest, StatelessLogsOnlyWithALogLevel) {
  RegisterConformanceFixtures(registry_);
  EXPECT_TRUE(
      Send(Request(1, "tools/call", {{"name", "test_logging_tool"}, {"_meta", StatelessMeta()}}))
          ->sent()
          .empty());
  const auto sent = Send(Request(2, "tools/call",
                                 {{"name", "test_logging_tool"},
                                  {"_meta", StatelessMeta({{kMetaLogLevel, "warning"}})}}))
                        ->sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0]["method"], "notifications/message");
}

TEST_F(ServerTest, ContextRequestBecomesAnInputRequiredRoundTrip) {
  RegisterConformanceFixtures(registry_);
  const json meta = StatelessMeta({{kMetaClientCapabilities, {{"elicitation", json::object()}}}});
  const json first =
      Call(Request(1, "tools/call", {{"name", "test_streaming_elicitation"}, {"_meta", meta}}));
  ASSERT_EQ(first["result"]["resultType"], "input_required");
  const json& requests = first["result"]["inputRequests"];
  ASSERT_TRUE(requests.contains("input-1"));
  EXPECT_EQ(requests["input-1"]["method"], "elicitation/create");
  const std::string state = first["result"]["requestState"];

  const json second = Call(Request(
      2, "tools/call",
      {{"name", "test_streaming_elicitation"},
       {"_meta", meta},
       {"requestState", state},
       {"inputResponses", {{"input-1", {{"action", "accept"}, {"content", {{"name", "Li"}}}}}}}}));
  EXPECT_EQ(second["result"]["resultType"], "complete");
  EXPECT_NE(second["result"]["content"][0]["text"].get<std::string>().find("Li"),
            std::string::npos);

  std::string tampered = state;
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
  const json bad = Call(Request(3, "tools/call",
                                {{"name", "test_streaming_elicitation"},
                                 {"_meta", meta},
                                 {"requestState", tampered},
                                 {"inputResponses", json::object()}}));
  EXPECT_EQ(bad["error"]["code"], error_code::kInvalidParams);
}

TEST_F(ServerTest, ResourcesPromptsAndCompletion) {
  RegisterConformanceFixtures(registry_);
  Initialize();
  const json text = Call(Request(2, "resources/read", {{"uri", "test://static-text"}}));
  EXPECT_EQ(text["result"]["contents"][0]["mimeType"], "text/plain");
  const json blob = Call(Request(3, "resources/read", {{"uri", "test://static-binary"}}));
  EXPECT_TRUE(blob["result"]["contents"][0].contains("blob"));
  const json templ = Call(Request(4, "resources/read", {{"uri", "test://template/7/data"}}));
  EXPECT_EQ(json::parse(templ["result"]["contents"][0]["text"].get<std::string>())["id"], "7");
  const json missing = Call(Request(5, "resources/read", {{"uri", "test://nope"}}));
  EXPECT_EQ(missing["error"]["code"], error_code::kResourceNotFoundLegacy);
  EXPECT_EQ(missing["error"]["data"]["uri"], "test://nope");

  const json prompt = Call(Request(
      6, "prompts/get",
      {{"name", "test_prompt_with_arguments"}, {"arguments", {{"arg1", "a"}, {"arg2", "b"}}}}));
  EXPECT_EQ(prompt["result"]["messages"][0]["content"]["text"],
            "Prompt with arguments: arg1='a', arg2='b'");
  const json no_arg = Call(Request(7, "prompts/get", {{"name", "test_prompt_with_arguments"}}));
  EXPECT_EQ(no_arg["error"]["code"], error_code::kInvalidParams);

  const json completion =
      Call(Request(8, "completion/complete",
                   {{"ref", {{"type", "ref/prompt"}, {"name", "test_prompt_with_arguments"}}},
                    {"argument", {{"name", "arg1"}, {"value", "par"}}}}));
  EXPECT_EQ(completion["result"]["completion"]["values"], json({"paris", "park", "party"}));
}

TEST_F(ServerTest, ListChangesReachTheStandaloneStream) {
  Initialize();
  std::vector<json> received;
  std::mutex mu;
  ASSERT_TRUE(server_->SetSessionSink(session_, [&](const json& m) {
    std::lock_guard lock(mu);
    received.push_back(m);
    return true;
  }));
  registry_.AddTool(BudgetTool());
  Resource r;
  r.uri = "cf://account";
  r.read = [] { return std::string("{}"); };
  registry_.AddResource(r);
  EXPECT_EQ(Call(Request(2, "resources/subscribe", {{"uri", "cf://account"}}))["result"],
            json::object());
  registry_.NotifyResourceUpdated("cf://account");
  registry_.NotifyResourceUpdated("cf://other");
  std::lock_guard lock(mu);
  ASSERT_EQ(received.size(), 3u);
  EXPECT_EQ(received[0]["method"], "notifications/tools/list_changed");
  EXPECT_EQ(received[1]["method"], "notifications/resources/list_changed");
  EXPECT_EQ(received[2]["params"]["uri"], "cf://account");
}

}  // namespace
}  // namespace cf::mcp
