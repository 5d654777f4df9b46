#include "mcp/stdio_transport.h"

#include <gtest/gtest.h>

#include <sstream>

#include "mcp/conformance_fixtures.h"

namespace cf::mcp {
namespace {

using nlohmann::json;

// Runs the transport over `input` lines; returns the output messages.
std::vector<json> RunLines(const std::vector<std::string>& lines, size_t max_line = 4 << 20) {
  Registry registry;
  RegisterConformanceFixtures(registry);
  Server server(registry);
  std::string text;
  for (const auto& l : lines) text += l + "\n";
  std::istringstream in(text);
  std::ostringstream out;
  StdioTransport transport(server, in, out, max_line);
  EXPECT_EQ(transport.Run(), 0);
  std::vector<json> messages;
  std::istringstream result(out.str());
  for (std::string line; std::getline(result, line);) {
    json m = json::parse(line, nullptr, false);
    EXPECT_FALSE(m.is_discarded()) << "not one JSON message per line: " << line;
    messages.push_back(m);
  }
  return messages;
}

const json* ById(const std::vector<json>& messages, int id) {
  for (const auto& m : messages) {
    if (m.contains("id") && m["id"] == id && (m.contains("result") || m.contains("error")))
      return &m;
  }
  return nullptr;
}

TEST(StdioTransportTest, AnswersEachLineAndWaitsForRunningTools) {
  const auto out = RunLines({
      R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})",
      R"({"jsonrpc":"2.0","method":"notifications/initialized"})",
      "",
      R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"test_tool_with_progress","_meta":{"progressToken":7}}})",
      R"({"jsonrpc":"2.0","id":3,"method":"ping"})",
  });
  ASSERT_NE(ById(out, 1), nullptr);
  EXPECT_EQ((*ById(out, 1))["result"]["protocolVersion"], "2025-11-25");
  ASSERT_NE(ById(out, 2), nullptr);
  EXPECT_EQ((*ById(out, 2))["result"]["content"][0]["text"], "Progress test completed");
  ASSERT_NE(ById(out, 3), nullptr);
  int progress = 0;
  for (const auto& m : out) progress += m.value("method", "") == "notifications/progress";
  EXPECT_EQ(progress, 3);
}

TEST(StdioTransportTest, MalformedAndOversizedLines) {
  const auto out =
      RunLines({"{oops", std::string(200, ' ') + R"({"jsonrpc":"2.0","id":9,"method":"ping"})",
                R"({"jsonrpc":"2.0","id":4,"method":"ping"})"},
               /*max_line=*/100);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0]["error"]["code"], -32700);
  EXPECT_EQ(out[1]["error"]["code"], -32600);
  EXPECT_EQ(out[2]["id"], 4);  // a client that skips initialize still gets answers on stdio
  EXPECT_EQ(out[2]["result"], json::object());
}

}  // namespace
}  // namespace cf::mcp
