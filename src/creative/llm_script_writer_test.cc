// The LLM writer against a fake OpenAI-compatible server on 127.0.0.1 (plain POSIX sockets).
#include "creative/llm_script_writer.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

#include "common/json_config.h"
#include "creative/grammar_script_writer.h"

namespace cf {
namespace {

// Accepts one connection, records the request, answers with `status` and `body` after `delay`.
class FakeChatServer {
 public:
  FakeChatServer(int status, std::string body, std::chrono::milliseconds delay = {})
      : status_(status), body_(std::move(body)), delay_(delay) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(listen(fd_, 1), 0);
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~FakeChatServer() {
    shutdown(fd_, SHUT_RDWR);
    thread_.join();
    close(fd_);
  }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/v1/chat/completions";
  }
  // Valid after the client got its answer (the server thread is joined in the destructor).
  std::string request_head, request_body;

 private:
  void Serve() {
    const int c = accept(fd_, nullptr, nullptr);
    if (c < 0) return;
    std::string in;
    char buf[4096];
    size_t need = std::string::npos;
    while (true) {
      const ssize_t n = read(c, buf, sizeof buf);
      if (n <= 0) break;
      in.append(buf, static_cast<size_t>(n));
      const size_t head_end = in.find("\r\n\r\n");
      if (head_end != std::string::npos && need == std::string::npos) {
        request_head = in.substr(0, head_end);
        const size_t cl = request_head.find("Content-Length: ");
        need =
            head_end + 4 + (cl == std::string::npos ? 0 : std::stoul(request_head.substr(cl + 16)));
      }
      if (need != std::string::npos && in.size() >= need) break;
    }
    if (need != std::string::npos) request_body = in.substr(request_head.size() + 4);
    std::this_thread::sleep_for(delay_);
    const std::string reply =
        "HTTP/1.1 " + std::to_string(status_) +
        " X\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body_.size()) +
        "\r\nConnection: close\r\n\r\n" + body_;
    (void)!write(c, reply.data(), reply.size());
    close(c);
  }

  int status_;
  std::string body_;
  std::chrono::milliseconds delay_;
  int fd_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
};

std::string ChatReply(const std::string& content) {
  return nlohmann::json{{"id", "x"},
                        {"object", "chat.completion"},
                        {"choices",
                         {{{"index", 0},
                           {"message", {{"role", "assistant"}, {"content", content}}},
                           {"finish_reason", "stop"}}}}}
      .dump();
}

ScriptRequest Request() {
  ScriptRequest r;
  r.lang = "en";
  r.hook = HookStyle::kPainPoint;
  r.product.title = "Camp chair";
  r.product.price = 59;
  r.product.facts = {"weighs 900 g"};
  return r;
}

LlmConfig Config(const std::string& url, int timeout_ms = 3000) {
  LlmConfig c;
  c.enabled = true;
  c.url = url;
  c.model = "test-model";
  c.timeout_ms = timeout_ms;
  c.api_key_env = "CF_TEST_LLM_KEY";
  return c;
}

TEST(LlmScriptWriter, SendsAnOpenAiChatRequestAndUsesTheReply) {
  const auto grammar = GrammarScriptWriter::LoadDefault();
  setenv("CF_TEST_LLM_KEY", "sekret", 1);
  Script s;
  std::string head, body;
  {
    FakeChatServer server(
        200, ChatReply("```json\n{\"hook\": \"Back pain at camp?\", \"selling_points\": [\"900 "
                       "g\", \"packs small\"], \"proof\": \"Tested.\", \"promotion\": \"$59 "
                       "today.\", \"call_to_action\": \"Tap buy.\"}\n```"));
    s = LlmScriptWriter(Config(server.url()), grammar).Write(Request());
    head = server.request_head;
    body = server.request_body;
  }
  unsetenv("CF_TEST_LLM_KEY");
  EXPECT_EQ(head.rfind("POST /v1/chat/completions HTTP/1.1", 0), 0u) << head;
  EXPECT_NE(head.find("Content-Type: application/json"), std::string::npos) << head;
  EXPECT_NE(head.find("Authorization: Bearer sekret"), std::string::npos) << head;
  const auto j = nlohmann::json::parse(body);
  EXPECT_EQ(j.at("model"), "test-model");
  ASSERT_EQ(j.at("messages").size(), 2u);
  EXPECT_EQ(j["messages"][0]["role"], "system");
  EXPECT_EQ(j["messages"][1]["role"], "user");
  EXPECT_NE(j["messages"][1]["content"].get<std::string>().find("weighs 900 g"), std::string::npos);
  EXPECT_NE(j["messages"][1]["content"].get<std::string>().find("pain_point"), std::string::npos);
  EXPECT_EQ(s.source, "llm");
  EXPECT_EQ(s.hook_text(), "Back pain at camp?");
  EXPECT_EQ(s.selling_points.size(), 2u);
  EXPECT_EQ(s.lines.back().part, ScriptPart::kCallToAction);
}

TEST(LlmScriptWriter, FallsBackOnHttpErrorsBadRepliesAndTimeouts) {
  const auto grammar = GrammarScriptWriter::LoadDefault();
  const Script builtin = grammar.Write(Request());
  {
    FakeChatServer server(500, "{}");
    const Script s = LlmScriptWriter(Config(server.url()), grammar).Write(Request());
    EXPECT_EQ(s.FullText(), builtin.FullText());
    EXPECT_NE(s.source.find("llm failed: HTTP status 500"), std::string::npos) << s.source;
  }
  {
    FakeChatServer server(200, ChatReply("{\"hook\": \"only a hook\"}"));
    const Script s = LlmScriptWriter(Config(server.url()), grammar).Write(Request());
    EXPECT_NE(s.source.find("selling_points"), std::string::npos) << s.source;
  }
  {
    FakeChatServer server(200, ChatReply("{}"), std::chrono::milliseconds(1500));
    const auto t0 = std::chrono::steady_clock::now();
    const Script s = LlmScriptWriter(Config(server.url(), 300), grammar).Write(Request());
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(1400));
    EXPECT_NE(s.source.find("llm failed"), std::string::npos) << s.source;
    EXPECT_NE(s.source.find("imeout"), std::string::npos) << s.source;
  }
}

TEST(LlmScriptWriter, OffByDefaultAndStrictConfig) {
  const auto grammar = GrammarScriptWriter::LoadDefault();
  EXPECT_FALSE(LlmConfig{}.enabled);
  EXPECT_EQ(LlmScriptWriter(LlmConfig{}, grammar).Write(Request()).source, "grammar");
  EXPECT_THROW(LlmConfig::FromJson({{"urll", "x"}}), ConfigError);
  EXPECT_THROW(LlmConfig::FromJson({{"enabled", true}}), ConfigError);
  const auto c = LlmConfig::FromJson({{"enabled", true}, {"url", "http://h/v1"}, {"model", "m"}});
  EXPECT_EQ(c.model, "m");
  EXPECT_EQ(c.timeout_ms, 8000);
}

}  // namespace
}  // namespace cf
