// MCP protocol constants: the revisions this server speaks, JSON-RPC error codes, and the
// exceptions handlers throw to produce protocol-level outcomes.
//
// Promises: kStatefulVersions are the revisions negotiated with initialize (newest first);
// kStatelessVersions are those where every request carries its version in _meta (2026-07-28).
// McpError becomes a JSON-RPC error with its code/message/data; InputRequired becomes an
// InputRequiredResult (2026-07-28); MissingClientCapability becomes error -32021 (2026-07-28) or a
// tool error result (earlier revisions).
#pragma once

#include <array>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace cf::mcp {

inline constexpr std::string_view kLatestStatefulVersion = "2025-11-25";
inline constexpr std::string_view kStatelessVersion = "2026-07-28";
inline constexpr std::array<std::string_view, 4> kStatefulVersions = {"2025-11-25", "2025-06-18",
                                                                      "2025-03-26", "2024-11-05"};
inline constexpr std::array<std::string_view, 1> kStatelessVersions = {"2026-07-28"};

bool IsStatefulVersion(std::string_view version);
bool IsStatelessVersion(std::string_view version);
// Every revision, newest first (server/discover's supportedVersions).
nlohmann::json AllSupportedVersions();

// _meta keys of the 2026-07-28 revision.
inline constexpr const char* kMetaProtocolVersion = "io.modelcontextprotocol/protocolVersion";
inline constexpr const char* kMetaClientCapabilities = "io.modelcontextprotocol/clientCapabilities";
inline constexpr const char* kMetaClientInfo = "io.modelcontextprotocol/clientInfo";
inline constexpr const char* kMetaLogLevel = "io.modelcontextprotocol/logLevel";
inline constexpr const char* kMetaServerInfo = "io.modelcontextprotocol/serverInfo";
inline constexpr const char* kMetaSubscriptionId = "io.modelcontextprotocol/subscriptionId";

namespace error_code {
inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;
inline constexpr int kResourceNotFoundLegacy = -32002;  // resources/read before 2026-07-28
inline constexpr int kHeaderMismatch = -32020;
inline constexpr int kMissingClientCapability = -32021;
inline constexpr int kUnsupportedProtocolVersion = -32022;
}  // namespace error_code

// Logging levels in increasing severity; -1 for an unknown name.
int LogLevelRank(std::string_view level);

// A JSON-RPC error raised by a handler or by the protocol core.
class McpError : public std::runtime_error {
 public:
  McpError(int code, const std::string& message, nlohmann::json data = nullptr)
      : std::runtime_error(message), code_(code), data_(std::move(data)) {}
  int code() const { return code_; }
  const nlohmann::json& data() const { return data_; }

 private:
  int code_;
  nlohmann::json data_;
};

// The request cannot finish until the client answers `input_requests` (an object: key ->
// {"method": ..., "params": ...}); `request_state` comes back verbatim with the answers.
class InputRequired : public std::runtime_error {
 public:
  explicit InputRequired(nlohmann::json input_requests,
                         std::optional<std::string> request_state = std::nullopt)
      : std::runtime_error("input required"),
        input_requests_(std::move(input_requests)),
        request_state_(std::move(request_state)) {}
  const nlohmann::json& input_requests() const { return input_requests_; }
  const std::optional<std::string>& request_state() const { return request_state_; }

 private:
  nlohmann::json input_requests_;
  std::optional<std::string> request_state_;
};

// Processing needs a client capability the client did not declare, e.g. {"sampling": {}}.
class MissingClientCapability : public std::runtime_error {
 public:
  explicit MissingClientCapability(nlohmann::json required)
      : std::runtime_error("the client did not declare the capability " + required.dump()),
        required_(std::move(required)) {}
  const nlohmann::json& required() const { return required_; }

 private:
  nlohmann::json required_;
};

}  // namespace cf::mcp
