#include "mcp/stdio_transport.h"

#include "mcp/protocol.h"

namespace cf::mcp {

class StdioTransport::LineChannel : public Channel {
 public:
  explicit LineChannel(StdioTransport& transport) : transport_(transport) {}
  void Send(const nlohmann::json& message) override { transport_.Write(message); }
  void Finish(const nlohmann::json& response, int) override {
    if (!response.is_null()) transport_.Write(response);
  }
  void SetSessionId(const std::string& session_id) override { transport_.Adopt(session_id); }

 private:
  StdioTransport& transport_;
};

StdioTransport::StdioTransport(Server& server, std::istream& in, std::ostream& out,
                               size_t max_line_bytes)
    : server_(server), in_(in), out_(out), max_line_bytes_(max_line_bytes) {}

void StdioTransport::Write(const nlohmann::json& message) {
  const std::string line =
      message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  std::lock_guard lock(write_mu_);
  out_ << line;
  out_.flush();
}

void StdioTransport::Adopt(const std::string& session_id) {
  {
    std::lock_guard lock(session_mu_);
    if (session_id_ == session_id) return;
    if (!session_id_.empty()) server_.EndSession(session_id_);
    session_id_ = session_id;
  }
  server_.SetSessionSink(session_id, [this](const nlohmann::json& message) {
    Write(message);
    return true;
  });
}

int StdioTransport::Run() {
  std::string line;
  auto channel = std::make_shared<LineChannel>(*this);
  while (std::getline(in_, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    if (line.size() > max_line_bytes_) {
      Write({{"jsonrpc", "2.0"},
             {"id", nullptr},
             {"error",
              {{"code", error_code::kInvalidRequest},
               {"message", "Invalid Request: message larger than " +
                               std::to_string(max_line_bytes_) + " bytes"}}}});
      continue;
    }
    Incoming in;
    {
      std::lock_guard lock(session_mu_);
      in.session_id = session_id_;
    }
    server_.HandleText(line, std::move(in), channel);
  }
  // End of input: let running requests finish (a short grace period), then cancel the rest.
  server_.WaitIdle(std::chrono::seconds(10));
  server_.Stop();
  return 0;
}

}  // namespace cf::mcp
