// A stateful MCP session (revisions up to 2025-11-25): what initialize negotiated and what the
// session has in flight.
//
// Promises: all members are guarded by `mu` unless atomic; the id uses only visible ASCII
// (32 hex digits from a random source). Pending server-to-client requests are answered with
// Resolve (from the client's response) or failed with FailAll (session end, server stop).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>

namespace cf::mcp {

// A server-to-client request waiting for its answer.
struct PendingClientRequest {
  std::mutex mu;
  std::condition_variable cv;
  std::optional<nlohmann::json> response;  // the client's whole response message
};

struct Session {
  std::string id;
  std::string protocol_version;
  nlohmann::json client_capabilities = nlohmann::json::object();
  nlohmann::json client_info = nlohmann::json::object();
  std::atomic<int> log_rank{0};  // minimum level rank sent (0 = debug: everything)
  std::atomic<bool> initialized{false};

  std::mutex mu;
  std::set<std::string> subscriptions;                                  // resource URIs
  std::map<std::string, std::shared_ptr<std::atomic<bool>>> in_flight;  // request id -> cancel
  std::map<int64_t, std::shared_ptr<PendingClientRequest>> pending;     // our request ids
  int64_t next_request_id = 1;
  std::function<bool(const nlohmann::json&)> sink;  // the standalone stream (GET / stdout)
  std::chrono::steady_clock::time_point last_used = std::chrono::steady_clock::now();

  // Routes a client's response to the request it answers; false when nothing waits for it.
  bool Resolve(const nlohmann::json& response);
  // Fails every pending request with a JSON-RPC error (code, message).
  void FailAll(int code, const std::string& message);
  // Sends on the standalone stream if one is open; false otherwise.
  bool SendStandalone(const nlohmann::json& message);
};

std::string NewSessionId();

}  // namespace cf::mcp
