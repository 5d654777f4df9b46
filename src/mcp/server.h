// The transport-agnostic MCP server core: JSON-RPC 2.0 dispatch for revision 2025-11-25 (and the
// earlier stateful ones) and revision 2026-07-28, decided per message.
//
// Promises:
//   - A message is stateless (2026-07-28) when its params._meta carries
//     io.modelcontextprotocol/protocolVersion, when the MCP-Protocol-Version header names a
//     version that is not a stateful one, or when its method is server/discover or
//     subscriptions/listen. Otherwise it belongs to a session created by initialize.
//   - Errors: malformed JSON -32700, not a JSON-RPC 2.0 message (or a batch) -32600, unknown method
//     -32601, bad params or unknown tool/prompt/resource -32602, handler failures -32603; over HTTP
//     the suggested status is 400 (404 for unknown methods in 2026-07-28 and unknown sessions).
//   - Stateless requests are checked in this order: required _meta keys (-32602), header equals
//     _meta version (-32020), version supported (-32022 with data {supported, requested}), and over
//     HTTP the Mcp-Method / Mcp-Name headers equal the body's method and name/uri (-32020); every
//     result carries resultType, list/read results carry ttlMs and cacheScope, and all results
//     carry _meta io.modelcontextprotocol/serverInfo.
//   - tools/call, prompts/get, resources/read and completion/complete run on worker threads; the
//     rest answer on the calling thread. Progress, logs and server-to-client requests of a call go
//     to that call's Channel; list_changed and resources/updated go to each session's standalone
//     stream and to matching subscriptions/listen streams.
//   - Thread-safe. Stop() (and the destructor) cancels running handlers, ends listen streams and
//     waits for the workers.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "mcp/channel.h"
#include "mcp/registry.h"
#include "mcp/session.h"
#include "mcp/worker_pool.h"

namespace cf::mcp {

struct ServerOptions {
  std::string name = "chengfang";
  std::string title = "Chengfang";
  std::string version = "0.1.0";
  std::string instructions;
  size_t page_size = 50;  // items per page of tools/list, resources/list, prompts/list...
#ifdef NDEBUG
  bool check_output_schema = false;  // check structuredContent against outputSchema
#else
  bool check_output_schema = true;
#endif
  int64_t list_ttl_ms = 0;  // caching hint on list results (2026-07-28)
  std::chrono::milliseconds client_request_timeout{120000};  // waiting for sampling/elicitation
  size_t max_sessions = 1000;  // the least recently used session is dropped beyond this
};

class Server {
 public:
  explicit Server(Registry& registry, ServerOptions options = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Handles one parsed message; its outcome goes to `channel` (Finish exactly once).
  void Handle(const Incoming& in, std::shared_ptr<Channel> channel);
  // Parses `text` (one JSON value) and handles it; a parse error finishes with -32700.
  void HandleText(std::string_view text, Incoming in, std::shared_ptr<Channel> channel);

  bool HasSession(const std::string& id) const;
  // Ends a session (HTTP DELETE): cancels its requests; false when unknown.
  bool EndSession(const std::string& id);
  // Sets (or clears, with nullptr) the standalone stream of a session; false when unknown.
  bool SetSessionSink(const std::string& id, std::function<bool(const nlohmann::json&)> sink);
  // Creates a session without initialize (stdio convenience); returns its id.
  std::string CreateSession(const std::string& protocol_version);

  void Stop();
  // Waits until no handler runs (or `timeout` passes); true when idle.
  bool WaitIdle(std::chrono::milliseconds timeout);
  bool stopping() const { return stopping_.load(); }
  Registry& registry() { return registry_; }
  const ServerOptions& options() const { return options_; }
  nlohmann::json Capabilities() const;

 private:
  struct Call;  // one request being handled
  struct ListenStream {
    nlohmann::json subscription_id;
    nlohmann::json filter;
    std::shared_ptr<Channel> channel;
  };

  void HandleStateful(const Incoming& in, std::shared_ptr<Channel> channel);
  void HandleStateless(const Incoming& in, std::shared_ptr<Channel> channel);
  void HandleClientResponse(const Incoming& in, const std::shared_ptr<Channel>& channel);
  void Dispatch(std::shared_ptr<Call> call);
  nlohmann::json Execute(
      const std::shared_ptr<Call>& call);  // the result object; throws McpError/InputRequired
  void Finish(Call& call, nlohmann::json result);

  nlohmann::json Initialize(Call& call);
  nlohmann::json Discover(Call& call);
  nlohmann::json ListTools(Call& call);
  nlohmann::json CallTool(const std::shared_ptr<Call>& call);
  nlohmann::json ListResources(Call& call);
  nlohmann::json ListResourceTemplates(Call& call);
  nlohmann::json ReadResource(const std::shared_ptr<Call>& call);
  nlohmann::json ListPrompts(Call& call);
  nlohmann::json GetPrompt(const std::shared_ptr<Call>& call);
  nlohmann::json Complete(Call& call);
  nlohmann::json SetLevel(Call& call);
  nlohmann::json Subscribe(Call& call, bool subscribe);
  void Listen(std::shared_ptr<Call> call);

  ToolContext MakeContext(const std::shared_ptr<Call>& call);
  nlohmann::json RequestClient(const std::shared_ptr<Call>& call, const std::string& method,
                               const nlohmann::json& params);
  nlohmann::json ServerInfo() const;
  void OnRegistryChange(Registry::Kind kind);
  void OnResourceUpdated(const std::string& uri);
  void Broadcast(const nlohmann::json& notification, const char* filter_key,
                 const std::string& uri = {});
  std::shared_ptr<Session> FindSession(const std::string& id) const;

  Registry& registry_;
  ServerOptions options_;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<Session>> sessions_;
  std::vector<ListenStream> listeners_;
  std::shared_ptr<std::atomic<bool>> alive_ = std::make_shared<std::atomic<bool>>(true);
  WorkerPool workers_;
};

}  // namespace cf::mcp
