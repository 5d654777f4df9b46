// The MCP registry: the tools, resources, resource templates and prompts a server offers.
//
// Promises: every Add* replaces an entry of the same name (tool/prompt) or URI (resource, template)
// and keeps insertion order otherwise, so listings are deterministic; Remove* drops one. All
// methods are thread-safe; handlers are copied out before they run, so a handler may itself add or
// remove entries. Each change calls the listeners registered with OnChange (the server turns them
// into notifications/*/list_changed). Handlers run on worker threads and may throw:
//   - std::invalid_argument: a tool error result (isError: true) carrying the message;
//   - InputRequired (protocol.h): the client must answer input requests first (2026-07-28);
//   - MissingClientCapability / McpError (protocol.h): a JSON-RPC error;
//   - anything else: a tool error with a generic message (the details go to the log).
// A tool's arguments are validated against input_schema before its handler runs.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace cf::mcp {

// Given to a running tool (and to prompts/resources that use get_with_context).
struct ToolContext {
  // Reports progress; a no-op unless the client sent a progressToken.
  std::function<void(double progress, std::optional<double> total, const std::string& message)>
      progress = [](double, std::optional<double>, const std::string&) {};
  // True once the client cancelled this request (or the server is stopping).
  std::function<bool()> cancelled = [] { return false; };
  // Sends notifications/message at `level` ("debug" ... "emergency"), respecting the level the
  // client asked for (logging/setLevel, or _meta logLevel in 2026-07-28; none = no logs there).
  std::function<void(const std::string& level, const nlohmann::json& data)> log =
      [](const std::string&, const nlohmann::json&) {};

  // --- extensions ---
  // The protocol revision of this request ("2025-11-25", "2026-07-28", ...).
  std::string protocol_version;
  // The capabilities the client declared (an object; {} when none).
  nlohmann::json client_capabilities = nlohmann::json::object();
  // Asks the client (sampling/createMessage, elicitation/create, roots/list) and returns its
  // result. Stateful revisions send a server-to-client request and wait; 2026-07-28 turns it into
  // an input_required round trip (the handler is re-run with the answers). Throws
  // MissingClientCapability when the client did not declare the needed capability, McpError when
  // the client answers with an error.
  std::function<nlohmann::json(const std::string& method, const nlohmann::json& params)> request;
  // 2026-07-28 multi round-trip requests: the client's answers to earlier input requests
  // (an object keyed like the inputRequests, or null) and the echoed requestState (if any).
  nlohmann::json input_responses;
  std::optional<std::string> request_state;
};

struct ToolResult {
  nlohmann::json structured;  // structuredContent (null = none)
  std::string text;           // a text block (when empty and structured is set: its JSON)
  bool is_error = false;
  // Extra content blocks appended after the text block (images, audio, resources...).
  nlohmann::json content = nlohmann::json::array();
};

struct Tool {
  std::string name, title, description;
  nlohmann::json input_schema;   // null = {"type":"object"}
  nlohmann::json output_schema;  // null = none
  bool read_only = false, destructive = false, idempotent = false, open_world = false;
  std::function<ToolResult(const nlohmann::json& args, ToolContext&)> handler;
};

struct Resource {
  std::string uri, name, title, description, mime_type;
  std::function<std::string()> read;
  // --- extensions ---
  bool binary = false;  // read() returns raw bytes, sent base64-encoded as a blob
  int64_t ttl_ms = 0;   // caching hint for resources/read (2026-07-28)
};

// A family of resources addressed by an RFC 6570 level-1 template ("test://items/{id}/data").
struct ResourceTemplate {
  std::string uri_template, name, title, description, mime_type;
  // Reads one URI; `vars` holds the template's variables. Throws std::out_of_range when the
  // resource does not exist.
  std::function<std::string(const std::string& uri, const std::map<std::string, std::string>& vars)>
      read;
  bool binary = false;
  // Completion of a variable: (variable, prefix typed so far) -> candidates.
  std::function<std::vector<std::string>(const std::string& variable, const std::string& prefix)>
      complete;
};

struct PromptArgument {
  std::string name, description;
  bool required = false;
  // --- extension: completion candidates for a prefix (completion/complete) ---
  std::function<std::vector<std::string>(const std::string& prefix)> complete;
};

struct Prompt {
  std::string name, title, description;
  std::vector<PromptArgument> arguments;
  std::function<nlohmann::json(const nlohmann::json& args)> get;  // returns the messages array
  // --- extension: used instead of `get` when set (input requests, client capabilities) ---
  std::function<nlohmann::json(const nlohmann::json& args, ToolContext&)> get_with_context;
};

class Registry {
 public:
  void AddTool(Tool tool);
  void AddResource(Resource resource);
  void AddResourceTemplate(ResourceTemplate resource_template);
  void AddPrompt(Prompt prompt);
  bool RemoveTool(const std::string& name);
  bool RemoveResource(const std::string& uri);
  bool RemovePrompt(const std::string& name);

  // Snapshots (copies) in insertion order.
  std::vector<Tool> Tools() const;
  std::vector<Resource> Resources() const;
  std::vector<ResourceTemplate> ResourceTemplates() const;
  std::vector<Prompt> Prompts() const;
  std::optional<Tool> FindTool(const std::string& name) const;
  std::optional<Resource> FindResource(const std::string& uri) const;
  std::optional<Prompt> FindPrompt(const std::string& name) const;

  enum class Kind { kTools, kResources, kPrompts };
  // Calls `listener` after every change of that kind (from the thread that made the change).
  void OnChange(std::function<void(Kind)> listener);
  // Tells subscribers that the content of `uri` changed (notifications/resources/updated).
  void NotifyResourceUpdated(const std::string& uri);
  void OnResourceUpdated(std::function<void(const std::string& uri)> listener);

 private:
  void Changed(Kind kind);

  mutable std::mutex mu_;
  std::vector<Tool> tools_;
  std::vector<Resource> resources_;
  std::vector<ResourceTemplate> templates_;
  std::vector<Prompt> prompts_;
  std::vector<std::function<void(Kind)>> change_listeners_;
  std::vector<std::function<void(const std::string&)>> update_listeners_;
};

}  // namespace cf::mcp
