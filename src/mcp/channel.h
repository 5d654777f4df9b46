// The transport side of one MCP exchange: where the server writes what one incoming message
// produces.
//
// Promises (for implementers): the server calls Send zero or more times (notifications and
// server-to-client requests tied to the exchange, e.g. progress, logs, sampling), then Finish
// exactly once, possibly from another thread; SetSessionId, if called, comes before Finish. A
// transport that loses its peer (HTTP client gone) returns false from Open(), which the server
// treats as a cancellation.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace cf::mcp {

class Channel {
 public:
  virtual ~Channel() = default;
  virtual void Send(const nlohmann::json& message) = 0;
  // `response` is null when there is nothing to answer (a notification, a client's response, a
  // cancelled request); `http_status` is the status an HTTP transport should use when it has not
  // started streaming yet (200, 202, 400, 404...).
  virtual void Finish(const nlohmann::json& response, int http_status) = 0;
  // The session created by initialize (HTTP: the Mcp-Session-Id response header).
  virtual void SetSessionId(const std::string& /*session_id*/) {}
  virtual bool Open() const { return true; }
};

// One incoming JSON-RPC message with what its transport knows about it.
struct Incoming {
  nlohmann::json message;
  std::string session_id;                      // Mcp-Session-Id ("" = none)
  std::optional<std::string> protocol_header;  // MCP-Protocol-Version, when sent over HTTP
  std::optional<std::string> method_header;    // Mcp-Method (2026-07-28 over HTTP), trimmed
  std::optional<std::string> name_header;      // Mcp-Name (2026-07-28 over HTTP), trimmed
  bool http = false;  // HTTP rules: a stateful request needs a session; headers must match _meta
};

}  // namespace cf::mcp
