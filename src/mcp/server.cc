#include "mcp/server.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <thread>

#include "common/base64.h"
#include "common/json_schema.h"
#include "mcp/protocol.h"
#include "mcp/request_state.h"
#include "mcp/uri_template.h"

namespace cf::mcp {

using nlohmann::json;

namespace {

constexpr const char* kAutoStatePrefix = "cf1:";
constexpr size_t kMaxCompletionValues = 100;

json ErrorMessage(const json& id, int code, const std::string& message,
                  const json& data = nullptr) {
  json error = {{"code", code}, {"message", message}};
  if (!data.is_null()) error["data"] = data;
  return {{"jsonrpc", "2.0"}, {"id", id}, {"error", error}};
}

json Notification(const std::string& method, json params) {
  return {{"jsonrpc", "2.0"}, {"method", method}, {"params", std::move(params)}};
}

bool IsValidId(const json& id) { return id.is_string() || id.is_number_integer(); }

bool IsLongRunning(const std::string& method) {
  return method == "tools/call" || method == "prompts/get" || method == "resources/read" ||
         method == "completion/complete";
}

bool IsCacheable(const std::string& method) {
  return method == "tools/list" || method == "prompts/list" || method == "resources/list" ||
         method == "resources/templates/list" || method == "resources/read" ||
         method == "server/discover";
}

bool MayRequireInput(const std::string& method) {
  return method == "tools/call" || method == "prompts/get" || method == "resources/read";
}

// HTTP status for an error in the 2026-07-28 revision.
int StatelessStatus(int code) {
  if (code == error_code::kMethodNotFound) return 404;
  if (code == error_code::kInternalError) return 500;
  return 400;
}

const json& Params(const json& message) {
  static const json kEmpty = json::object();
  auto it = message.find("params");
  return it != message.end() && it->is_object() ? *it : kEmpty;
}

const json* Meta(const json& params) {
  auto it = params.find("_meta");
  return it != params.end() && it->is_object() ? &*it : nullptr;
}

std::string StringParam(const json& params, const char* key) {
  auto it = params.find(key);
  if (it == params.end() || !it->is_string()) {
    throw McpError(error_code::kInvalidParams, fmt::format("params.{} must be a string", key));
  }
  return it->get<std::string>();
}

// Cursor pagination over a listing: [begin, end) and the next cursor ("" = last page).
struct Page {
  size_t begin = 0, end = 0;
  std::string next;
};

Page Paginate(size_t total, const json& params, size_t page_size) {
  Page page;
  if (auto c = params.find("cursor"); c != params.end() && !c->is_null()) {
    bool ok = false;
    if (c->is_string()) {
      try {
        const std::string decoded = Base64Decode(c->get<std::string>());
        if (decoded.rfind("offset:", 0) == 0) {
          page.begin = std::stoul(decoded.substr(7));
          ok = page.begin <= total;
        }
      } catch (const std::exception&) {
        ok = false;
      }
    }
    if (!ok) throw McpError(error_code::kInvalidParams, "Invalid cursor");
  }
  page_size = std::max<size_t>(page_size, 1);
  page.end = std::min(total, page.begin + page_size);
  if (page.end < total) page.next = Base64Encode("offset:" + std::to_string(page.end));
  return page;
}

json ToolJson(const Tool& tool) {
  json t = {{"name", tool.name}};
  if (!tool.title.empty()) t["title"] = tool.title;
  t["description"] = tool.description;
  t["inputSchema"] = tool.input_schema.is_null() ? json{{"type", "object"}} : tool.input_schema;
  if (!tool.output_schema.is_null()) t["outputSchema"] = tool.output_schema;
  json annotations = {{"readOnlyHint", tool.read_only},
                      {"destructiveHint", tool.destructive},
                      {"idempotentHint", tool.idempotent},
                      {"openWorldHint", tool.open_world}};
  if (!tool.title.empty()) annotations["title"] = tool.title;
  t["annotations"] = annotations;
  return t;
}

json ToolResultJson(const ToolResult& r) {
  json content = json::array();
  std::string text = r.text;
  if (text.empty() && !r.structured.is_null()) text = r.structured.dump();
  if (!text.empty()) content.push_back({{"type", "text"}, {"text", text}});
  if (r.content.is_array()) {
    for (const auto& block : r.content) content.push_back(block);
  }
  json result = {{"content", content}};
  if (!r.structured.is_null()) result["structuredContent"] = r.structured;
  if (r.is_error) result["isError"] = true;
  return result;
}

ToolResult ErrorResult(std::string message) {
  ToolResult r;
  r.is_error = true;
  r.text = std::move(message);
  return r;
}

json ContentsItem(const std::string& uri, const std::string& mime_type, bool binary,
                  const std::string& data) {
  json item = {{"uri", uri}};
  if (!mime_type.empty()) item["mimeType"] = mime_type;
  if (binary) {
    item["blob"] = Base64Encode(data);
  } else {
    item["text"] = data;
  }
  return item;
}

const char* CapabilityFor(const std::string& method) {
  if (method == "sampling/createMessage") return "sampling";
  if (method == "elicitation/create") return "elicitation";
  if (method == "roots/list") return "roots";
  return nullptr;
}

}  // namespace

struct Server::Call {
  json id;
  std::string method;
  json params = json::object();
  bool stateless = false;
  std::string protocol_version;
  std::shared_ptr<Session> session;  // stateful only
  json client_capabilities = json::object();
  int log_rank = -1;  // stateless: threshold from _meta logLevel (-1 = no logs)
  std::shared_ptr<Channel> channel;
  std::shared_ptr<std::atomic<bool>> cancelled = std::make_shared<std::atomic<bool>>(false);
  std::string key;  // id.dump(), the in-flight key
  int input_counter = 0;
  json answers = json::object();  // stateless ctx.request answers (sealed state + inputResponses)
  bool finished = false;
};

Server::Server(Registry& registry, ServerOptions options)
    : registry_(registry), options_(std::move(options)) {
  auto alive = alive_;
  registry_.OnChange([this, alive](Registry::Kind kind) {
    if (alive->load()) OnRegistryChange(kind);
  });
  registry_.OnResourceUpdated([this, alive](const std::string& uri) {
    if (alive->load()) OnResourceUpdated(uri);
  });
}

Server::~Server() {
  Stop();
  alive_->store(false);
}

void Server::Stop() {
  if (stopping_.exchange(true)) {
    workers_.JoinAll();
    return;
  }
  std::vector<std::shared_ptr<Session>> sessions;
  std::vector<ListenStream> listeners;
  {
    std::lock_guard lock(mu_);
    for (auto& [id, s] : sessions_) sessions.push_back(s);
    listeners.swap(listeners_);
  }
  for (auto& s : sessions) {
    {
      std::lock_guard lock(s->mu);
      for (auto& [key, flag] : s->in_flight) flag->store(true);
    }
    s->FailAll(error_code::kInternalError, "the server is shutting down");
  }
  for (auto& l : listeners) {
    json meta = {{kMetaSubscriptionId, l.subscription_id}, {kMetaServerInfo, ServerInfo()}};
    l.channel->Finish({{"jsonrpc", "2.0"},
                       {"id", l.subscription_id},
                       {"result", {{"resultType", "complete"}, {"_meta", meta}}}},
                      200);
  }
  workers_.JoinAll();
}

bool Server::WaitIdle(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (workers_.Active() > 0) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

json Server::Capabilities() const {
  return {{"tools", {{"listChanged", true}}},
          {"resources", {{"subscribe", true}, {"listChanged", true}}},
          {"prompts", {{"listChanged", true}}},
          {"logging", json::object()},
          {"completions", json::object()}};
}

json Server::ServerInfo() const {
  json info = {{"name", options_.name}, {"version", options_.version}};
  if (!options_.title.empty()) info["title"] = options_.title;
  return info;
}

std::shared_ptr<Session> Server::FindSession(const std::string& id) const {
  std::lock_guard lock(mu_);
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : it->second;
}

bool Server::HasSession(const std::string& id) const { return FindSession(id) != nullptr; }

bool Server::EndSession(const std::string& id) {
  std::shared_ptr<Session> session;
  {
    std::lock_guard lock(mu_);
    auto it = sessions_.find(id);
    if (it == sessions_.end()) return false;
    session = it->second;
    sessions_.erase(it);
  }
  {
    std::lock_guard lock(session->mu);
    for (auto& [key, flag] : session->in_flight) flag->store(true);
    session->sink = nullptr;
  }
  session->FailAll(error_code::kInternalError, "the session ended");
  return true;
}

bool Server::SetSessionSink(const std::string& id, std::function<bool(const json&)> sink) {
  auto session = FindSession(id);
  if (!session) return false;
  std::lock_guard lock(session->mu);
  session->sink = std::move(sink);
  return true;
}

std::string Server::CreateSession(const std::string& protocol_version) {
  auto session = std::make_shared<Session>();
  session->id = NewSessionId();
  session->protocol_version = protocol_version;
  std::lock_guard lock(mu_);
  if (sessions_.size() >= options_.max_sessions) {
    auto oldest = std::min_element(sessions_.begin(), sessions_.end(), [](auto& a, auto& b) {
      return a.second->last_used < b.second->last_used;
    });
    if (oldest != sessions_.end()) sessions_.erase(oldest);
  }
  sessions_[session->id] = session;
  return session->id;
}

void Server::HandleText(std::string_view text, Incoming in, std::shared_ptr<Channel> channel) {
  in.message = json::parse(text.begin(), text.end(), nullptr, false);
  if (in.message.is_discarded()) {
    channel->Finish(ErrorMessage(nullptr, error_code::kParseError, "Parse error: invalid JSON"),
                    400);
    return;
  }
  Handle(in, std::move(channel));
}

void Server::Handle(const Incoming& in, std::shared_ptr<Channel> channel) {
  const json& m = in.message;
  if (m.is_array()) {
    channel->Finish(ErrorMessage(nullptr, error_code::kInvalidRequest,
                                 "Invalid Request: JSON-RPC batches are not supported"),
                    400);
    return;
  }
  if (!m.is_object()) {
    channel->Finish(ErrorMessage(nullptr, error_code::kInvalidRequest,
                                 "Invalid Request: a JSON-RPC message must be an object"),
                    400);
    return;
  }
  const bool has_id = m.contains("id");
  const json id = has_id && IsValidId(m["id"]) ? m["id"] : json(nullptr);
  if (has_id && !IsValidId(m["id"])) {
    channel->Finish(ErrorMessage(nullptr, error_code::kInvalidRequest,
                                 "Invalid Request: id must be a string or an integer"),
                    400);
    return;
  }
  if (m.value("jsonrpc", json()) != "2.0") {
    channel->Finish(
        ErrorMessage(id, error_code::kInvalidRequest, "Invalid Request: jsonrpc must be \"2.0\""),
        400);
    return;
  }
  if (!m.contains("method")) {
    if (has_id && (m.contains("result") || m.contains("error"))) {
      HandleClientResponse(in, channel);
      return;
    }
    channel->Finish(ErrorMessage(id, error_code::kInvalidRequest,
                                 "Invalid Request: not a request, notification or response"),
                    400);
    return;
  }
  if (!m["method"].is_string()) {
    channel->Finish(
        ErrorMessage(id, error_code::kInvalidRequest, "Invalid Request: method must be a string"),
        400);
    return;
  }
  if (m.contains("params") && !m["params"].is_object()) {
    if (!has_id) {
      channel->Finish(nullptr, 202);
      return;
    }
    channel->Finish(
        ErrorMessage(id, error_code::kInvalidParams, "Invalid params: params must be an object"),
        400);
    return;
  }
  const std::string method = m["method"].get<std::string>();
  const json* meta = Meta(Params(m));
  const bool stateless = (meta && meta->contains(kMetaProtocolVersion)) ||
                         (in.protocol_header && !IsStatefulVersion(*in.protocol_header)) ||
                         method == "server/discover" || method == "subscriptions/listen";
  if (stateless) {
    HandleStateless(in, std::move(channel));
  } else {
    HandleStateful(in, std::move(channel));
  }
}

void Server::HandleClientResponse(const Incoming& in, const std::shared_ptr<Channel>& channel) {
  auto session = FindSession(in.session_id);
  if (!session) {
    channel->Finish(nullptr, in.http && !in.session_id.empty() ? 404 : 202);
    return;
  }
  session->Resolve(in.message);
  channel->Finish(nullptr, 202);
}

void Server::HandleStateful(const Incoming& in, std::shared_ptr<Channel> channel) {
  const json& m = in.message;
  const std::string method = m["method"].get<std::string>();
  const bool is_request = m.contains("id");
  const json id = is_request ? m["id"] : json(nullptr);
  const json& params = Params(m);

  if (method == "initialize") {
    if (!is_request) {
      channel->Finish(nullptr, 202);
      return;
    }
    auto call = std::make_shared<Call>();
    call->id = id;
    call->method = method;
    call->params = params;
    call->channel = channel;
    try {
      json result = Initialize(*call);
      Finish(*call, std::move(result));
    } catch (const McpError& e) {
      channel->Finish(ErrorMessage(id, e.code(), e.what(), e.data()), 400);
    }
    return;
  }

  std::shared_ptr<Session> session = FindSession(in.session_id);
  if (!session) {
    if (in.http) {
      if (in.session_id.empty()) {
        channel->Finish(ErrorMessage(id, error_code::kInvalidRequest,
                                     "Bad Request: Mcp-Session-Id header is required (send "
                                     "initialize first, or use the 2026-07-28 revision's _meta)"),
                        400);
      } else {
        channel->Finish(ErrorMessage(id, -32001, "Session not found"), 404);
      }
      return;
    }
    // stdio: a client that skipped initialize gets a session with the latest revision.
    session = FindSession(CreateSession(std::string(kLatestStatefulVersion)));
    if (!session) {
      channel->Finish(ErrorMessage(id, error_code::kInternalError, "no session"), 500);
      return;
    }
    channel->SetSessionId(session->id);
  }
  if (in.protocol_header && !IsStatefulVersion(*in.protocol_header)) {
    channel->Finish(
        ErrorMessage(id, error_code::kInvalidRequest,
                     "Bad Request: unsupported MCP-Protocol-Version " + *in.protocol_header),
        400);
    return;
  }
  {
    std::lock_guard lock(session->mu);
    session->last_used = std::chrono::steady_clock::now();
  }

  if (!is_request) {
    if (method == "notifications/initialized") {
      session->initialized.store(true);
    } else if (method == "notifications/cancelled") {
      if (auto rid = params.find("requestId"); rid != params.end()) {
        std::lock_guard lock(session->mu);
        if (auto it = session->in_flight.find(rid->dump()); it != session->in_flight.end()) {
          it->second->store(true);
        }
      }
    }
    channel->Finish(nullptr, 202);
    return;
  }

  auto call = std::make_shared<Call>();
  call->id = id;
  call->key = id.dump();
  call->method = method;
  call->params = params;
  call->protocol_version = session->protocol_version;
  call->session = session;
  call->client_capabilities = session->client_capabilities;
  call->channel = std::move(channel);
  Dispatch(std::move(call));
}

void Server::HandleStateless(const Incoming& in, std::shared_ptr<Channel> channel) {
  const json& m = in.message;
  const std::string method = m["method"].get<std::string>();
  const bool is_request = m.contains("id");
  const json id = is_request ? m["id"] : json(nullptr);
  const json& params = Params(m);
  if (!is_request) {
    channel->Finish(nullptr, 202);  // no sessions, nothing to cancel or acknowledge
    return;
  }
  auto reject = [&](int code, const std::string& message, const json& data = nullptr) {
    channel->Finish(ErrorMessage(id, code, message, data), StatelessStatus(code));
  };
  const json* meta = Meta(params);
  std::vector<std::string> missing;
  for (const char* key : {kMetaProtocolVersion, kMetaClientCapabilities}) {
    if (!meta || !meta->contains(key)) missing.push_back(key);
  }
  if (!missing.empty()) {
    std::string list;
    for (const auto& k : missing) list += (list.empty() ? "" : ", ") + k;
    reject(error_code::kInvalidParams, "Invalid params: _meta is missing " + list);
    return;
  }
  const json& version_value = (*meta)[kMetaProtocolVersion];
  const std::string version = version_value.is_string() ? version_value.get<std::string>() : "";
  if (in.protocol_header && *in.protocol_header != version) {
    reject(error_code::kHeaderMismatch,
           fmt::format("MCP-Protocol-Version header ({}) does not match _meta {} ({})",
                       *in.protocol_header, kMetaProtocolVersion, version_value.dump()));
    return;
  }
  if (!IsStatelessVersion(version)) {
    json supported = json::array();
    for (auto v : kStatelessVersions) supported.push_back(std::string(v));
    reject(error_code::kUnsupportedProtocolVersion, "Unsupported protocol version",
           {{"supported", supported},
            {"requested", version_value.is_string() ? version_value : json(version_value.dump())}});
    return;
  }
  if (in.http) {  // SEP-2243: the standard headers must repeat the body (values case-sensitive)
    if (!in.method_header || *in.method_header != method) {
      reject(error_code::kHeaderMismatch,
             fmt::format("Mcp-Method header ({}) does not match the body's method ({})",
                         in.method_header ? *in.method_header : "missing", method));
      return;
    }
    const char* name_key = method == "resources/read"                            ? "uri"
                           : (method == "tools/call" || method == "prompts/get") ? "name"
                                                                                 : nullptr;
    if (name_key && params.contains(name_key) && params[name_key].is_string()) {
      const std::string expected = params[name_key].get<std::string>();
      if (!in.name_header || *in.name_header != expected) {
        reject(error_code::kHeaderMismatch,
               fmt::format("Mcp-Name header ({}) does not match the body's params.{} ({})",
                           in.name_header ? *in.name_header : "missing", name_key, expected));
        return;
      }
    }
  }
  if (!(*meta)[kMetaClientCapabilities].is_object()) {
    reject(error_code::kInvalidParams,
           "Invalid params: _meta clientCapabilities must be an object");
    return;
  }
  auto call = std::make_shared<Call>();
  call->id = id;
  call->key = id.dump();
  call->method = method;
  call->params = params;
  call->stateless = true;
  call->protocol_version = version;
  call->client_capabilities = (*meta)[kMetaClientCapabilities];
  if (auto level = meta->find(kMetaLogLevel); level != meta->end() && level->is_string()) {
    call->log_rank = LogLevelRank(level->get<std::string>());
  }
  call->channel = std::move(channel);
  Dispatch(std::move(call));
}

void Server::Dispatch(std::shared_ptr<Call> call) {
  if (call->stateless && call->method == "subscriptions/listen") {
    Listen(std::move(call));
    return;
  }
  auto run = [this, call] {
    try {
      json result = Execute(call);
      Finish(*call, std::move(result));
    } catch (const McpError& e) {
      if (call->session) {
        std::lock_guard lock(call->session->mu);
        call->session->in_flight.erase(call->key);
      }
      call->channel->Finish(ErrorMessage(call->id, e.code(), e.what(), e.data()),
                            call->stateless ? StatelessStatus(e.code()) : 200);
    } catch (const InputRequired& e) {
      if (call->stateless && MayRequireInput(call->method)) {
        json result = {{"resultType", "input_required"}, {"inputRequests", e.input_requests()}};
        if (e.request_state()) result["requestState"] = *e.request_state();
        Finish(*call, std::move(result));
      } else {
        call->channel->Finish(
            ErrorMessage(call->id, error_code::kInternalError,
                         "the request needs client input this protocol revision cannot carry"),
            call->stateless ? 500 : 200);
      }
    } catch (const MissingClientCapability& e) {
      call->channel->Finish(ErrorMessage(call->id,
                                         call->stateless ? error_code::kMissingClientCapability
                                                         : error_code::kInvalidRequest,
                                         e.what(), {{"requiredCapabilities", e.required()}}),
                            call->stateless ? 400 : 200);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "mcp: %s failed: %s\n", call->method.c_str(), e.what());
      call->channel->Finish(ErrorMessage(call->id, error_code::kInternalError, "Internal error"),
                            call->stateless ? 500 : 200);
    }
  };
  if (!IsLongRunning(call->method)) {
    run();
    return;
  }
  if (call->session) {
    std::lock_guard lock(call->session->mu);
    call->session->in_flight[call->key] = call->cancelled;
  }
  workers_.Run(std::move(run));
}

void Server::Finish(Call& call, json result) {
  if (call.session) {
    std::lock_guard lock(call.session->mu);
    call.session->in_flight.erase(call.key);
  }
  if (!call.stateless && call.cancelled->load()) {
    call.channel->Finish(nullptr, 200);  // a cancelled request gets no response
    return;
  }
  if (call.stateless) {
    if (!result.contains("resultType")) result["resultType"] = "complete";
    if (result["resultType"] == "complete" && IsCacheable(call.method)) {
      if (!result.contains("ttlMs")) result["ttlMs"] = options_.list_ttl_ms;
      if (!result.contains("cacheScope")) result["cacheScope"] = "private";
    }
    if (!result.contains("_meta")) result["_meta"] = json::object();
    result["_meta"][kMetaServerInfo] = ServerInfo();
  }
  call.channel->Finish({{"jsonrpc", "2.0"}, {"id", call.id}, {"result", std::move(result)}}, 200);
}

json Server::Execute(const std::shared_ptr<Call>& shared) {
  Call& call = *shared;
  const std::string& m = call.method;
  if (m == "tools/list") return ListTools(call);
  if (m == "tools/call") return CallTool(shared);
  if (m == "resources/list") return ListResources(call);
  if (m == "resources/templates/list") return ListResourceTemplates(call);
  if (m == "resources/read") return ReadResource(shared);
  if (m == "prompts/list") return ListPrompts(call);
  if (m == "prompts/get") return GetPrompt(shared);
  if (m == "completion/complete") return Complete(call);
  if (call.stateless) {
    if (m == "server/discover") return Discover(call);
  } else {
    if (m == "ping") return json::object();
    if (m == "logging/setLevel") return SetLevel(call);
    if (m == "resources/subscribe") return Subscribe(call, true);
    if (m == "resources/unsubscribe") return Subscribe(call, false);
  }
  throw McpError(error_code::kMethodNotFound, "Method not found: " + m);
}

json Server::Initialize(Call& call) {
  const json& p = call.params;
  auto requested = p.find("protocolVersion");
  if (requested == p.end() || !requested->is_string()) {
    throw McpError(error_code::kInvalidParams, "initialize needs params.protocolVersion");
  }
  const std::string version = IsStatefulVersion(requested->get<std::string>())
                                  ? requested->get<std::string>()
                                  : std::string(kLatestStatefulVersion);
  const std::string id = CreateSession(version);
  auto session = FindSession(id);
  if (auto caps = p.find("capabilities"); caps != p.end() && caps->is_object()) {
    session->client_capabilities = *caps;
  }
  if (auto info = p.find("clientInfo"); info != p.end() && info->is_object()) {
    session->client_info = *info;
  }
  call.channel->SetSessionId(id);
  json result = {
      {"protocolVersion", version}, {"capabilities", Capabilities()}, {"serverInfo", ServerInfo()}};
  if (!options_.instructions.empty()) result["instructions"] = options_.instructions;
  return result;
}

json Server::Discover(Call&) {
  json result = {{"supportedVersions", AllSupportedVersions()}, {"capabilities", Capabilities()}};
  if (!options_.instructions.empty()) result["instructions"] = options_.instructions;
  return result;
}

json Server::SetLevel(Call& call) {
  const std::string level = StringParam(call.params, "level");
  const int rank = LogLevelRank(level);
  if (rank < 0) throw McpError(error_code::kInvalidParams, "Unknown logging level: " + level);
  call.session->log_rank.store(rank);
  return json::object();
}

json Server::Subscribe(Call& call, bool subscribe) {
  const std::string uri = StringParam(call.params, "uri");
  std::lock_guard lock(call.session->mu);
  if (subscribe) {
    call.session->subscriptions.insert(uri);
  } else {
    call.session->subscriptions.erase(uri);
  }
  return json::object();
}

json Server::ListTools(Call& call) {
  const auto tools = registry_.Tools();
  const Page page = Paginate(tools.size(), call.params, options_.page_size);
  json list = json::array();
  for (size_t i = page.begin; i < page.end; ++i) list.push_back(ToolJson(tools[i]));
  json result = {{"tools", list}};
  if (!page.next.empty()) result["nextCursor"] = page.next;
  return result;
}

json Server::ListResources(Call& call) {
  const auto resources = registry_.Resources();
  const Page page = Paginate(resources.size(), call.params, options_.page_size);
  json list = json::array();
  for (size_t i = page.begin; i < page.end; ++i) {
    const Resource& r = resources[i];
    json item = {{"uri", r.uri}, {"name", r.name}};
    if (!r.title.empty()) item["title"] = r.title;
    item["description"] = r.description;
    if (!r.mime_type.empty()) item["mimeType"] = r.mime_type;
    list.push_back(item);
  }
  json result = {{"resources", list}};
  if (!page.next.empty()) result["nextCursor"] = page.next;
  return result;
}

json Server::ListResourceTemplates(Call& call) {
  const auto templates = registry_.ResourceTemplates();
  const Page page = Paginate(templates.size(), call.params, options_.page_size);
  json list = json::array();
  for (size_t i = page.begin; i < page.end; ++i) {
    const ResourceTemplate& r = templates[i];
    json item = {{"uriTemplate", r.uri_template}, {"name", r.name}};
    if (!r.title.empty()) item["title"] = r.title;
    item["description"] = r.description;
    if (!r.mime_type.empty()) item["mimeType"] = r.mime_type;
    list.push_back(item);
  }
  json result = {{"resourceTemplates", list}};
  if (!page.next.empty()) result["nextCursor"] = page.next;
  return result;
}

json Server::ListPrompts(Call& call) {
  const auto prompts = registry_.Prompts();
  const Page page = Paginate(prompts.size(), call.params, options_.page_size);
  json list = json::array();
  for (size_t i = page.begin; i < page.end; ++i) {
    const Prompt& p = prompts[i];
    json item = {{"name", p.name}};
    if (!p.title.empty()) item["title"] = p.title;
    item["description"] = p.description;
    json args = json::array();
    for (const auto& a : p.arguments) {
      args.push_back({{"name", a.name}, {"description", a.description}, {"required", a.required}});
    }
    item["arguments"] = args;
    list.push_back(item);
  }
  json result = {{"prompts", list}};
  if (!page.next.empty()) result["nextCursor"] = page.next;
  return result;
}

ToolContext Server::MakeContext(const std::shared_ptr<Call>& call) {
  ToolContext ctx;
  ctx.protocol_version = call->protocol_version;
  ctx.client_capabilities = call->client_capabilities;
  const json* meta = Meta(call->params);
  json progress_token = meta && meta->contains("progressToken") ? (*meta)["progressToken"] : json();
  ctx.progress = [call, progress_token](double progress, std::optional<double> total,
                                        const std::string& message) {
    if (progress_token.is_null()) return;
    json params = {{"progressToken", progress_token}, {"progress", progress}};
    if (total) params["total"] = *total;
    if (!message.empty()) params["message"] = message;
    call->channel->Send(Notification("notifications/progress", params));
  };
  ctx.cancelled = [this, call] {
    return call->cancelled->load() || !call->channel->Open() || stopping_.load();
  };
  const std::string logger = options_.name;
  ctx.log = [call, logger](const std::string& level, const json& data) {
    int rank = LogLevelRank(level);
    const std::string name = rank < 0 ? "info" : level;
    if (rank < 0) rank = 1;
    const int threshold = call->stateless ? call->log_rank : call->session->log_rank.load();
    if (threshold < 0 || rank < threshold) return;
    call->channel->Send(Notification("notifications/message",
                                     {{"level", name}, {"logger", logger}, {"data", data}}));
  };
  ctx.request = [this, call](const std::string& method, const json& params) {
    return RequestClient(call, method, params);
  };
  ctx.input_responses = call->params.value("inputResponses", json());
  if (auto state = call->params.find("requestState");
      state != call->params.end() && state->is_string()) {
    const std::string s = state->get<std::string>();
    if (call->stateless && s.rfind(kAutoStatePrefix, 0) == 0) {
      json payload = OpenRequestState(s.substr(std::string(kAutoStatePrefix).size()));
      if (payload.contains("answers") && payload["answers"].is_object()) {
        call->answers = payload["answers"];
      }
    } else {
      ctx.request_state = s;
    }
  }
  if (call->stateless && ctx.input_responses.is_object()) {
    for (auto it = ctx.input_responses.begin(); it != ctx.input_responses.end(); ++it) {
      call->answers[it.key()] = *it;
    }
  }
  return ctx;
}

json Server::RequestClient(const std::shared_ptr<Call>& call, const std::string& method,
                           const json& params) {
  if (const char* cap = CapabilityFor(method); cap && !call->client_capabilities.contains(cap)) {
    throw MissingClientCapability(json{{cap, json::object()}});
  }
  if (call->stateless) {
    const std::string key = "input-" + std::to_string(++call->input_counter);
    if (call->answers.contains(key)) return call->answers[key];
    throw InputRequired(json{{key, {{"method", method}, {"params", params}}}},
                        kAutoStatePrefix + SealRequestState({{"answers", call->answers}}));
  }
  auto session = call->session;
  auto pending = std::make_shared<PendingClientRequest>();
  int64_t request_id;
  {
    std::lock_guard lock(session->mu);
    request_id = session->next_request_id++;
    session->pending[request_id] = pending;
  }
  call->channel->Send(
      {{"jsonrpc", "2.0"}, {"id", request_id}, {"method", method}, {"params", params}});
  const auto deadline = std::chrono::steady_clock::now() + options_.client_request_timeout;
  std::unique_lock lock(pending->mu);
  while (!pending->response) {
    if (call->cancelled->load() || !call->channel->Open() || stopping_.load() ||
        std::chrono::steady_clock::now() > deadline) {
      break;
    }
    pending->cv.wait_for(lock, std::chrono::milliseconds(50));
  }
  if (!pending->response) {
    lock.unlock();
    std::lock_guard session_lock(session->mu);
    session->pending.erase(request_id);
    throw McpError(error_code::kInternalError,
                   method + " was not answered (cancelled, timed out or disconnected)");
  }
  const json response = *pending->response;
  if (response.contains("error")) {
    const json& e = response["error"];
    throw McpError(e.value("code", error_code::kInternalError),
                   e.value("message", std::string("the client returned an error")),
                   e.value("data", json()));
  }
  return response.value("result", json::object());
}

json Server::CallTool(const std::shared_ptr<Call>& call) {
  const std::string name = StringParam(call->params, "name");
  const auto tool = registry_.FindTool(name);
  if (!tool) throw McpError(error_code::kInvalidParams, "Unknown tool: " + name);
  json args = call->params.value("arguments", json::object());
  if (args.is_null()) args = json::object();
  if (!args.is_object()) {
    throw McpError(error_code::kInvalidParams, "tools/call arguments must be an object");
  }
  const json schema = tool->input_schema.is_null() ? json{{"type", "object"}} : tool->input_schema;
  if (auto errors = ValidateJson(schema, args); !errors.empty()) {
    return ToolResultJson(ErrorResult(
        fmt::format("Invalid arguments for tool {}: {}", name, JoinSchemaErrors(errors))));
  }
  ToolContext ctx = MakeContext(call);
  ToolResult result;
  try {
    if (!tool->handler) throw std::runtime_error("the tool has no handler");
    result = tool->handler(args, ctx);
  } catch (const std::invalid_argument& e) {
    result = ErrorResult(e.what());
  } catch (const InputRequired&) {
    if (call->stateless) throw;
    result = ErrorResult(
        "this tool needs input from the client that this protocol revision "
        "cannot carry");
  } catch (const MissingClientCapability& e) {
    if (call->stateless) throw;
    result = ErrorResult(e.what());
  } catch (const McpError& e) {
    if (call->stateless || e.code() == error_code::kInvalidParams) throw;
    result = ErrorResult(e.what());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mcp: tool %s failed: %s\n", name.c_str(), e.what());
    result = ErrorResult(fmt::format("The tool {} failed with an internal error.", name));
  }
  if (options_.check_output_schema && !result.is_error && !tool->output_schema.is_null()) {
    if (auto errors = ValidateJson(tool->output_schema, result.structured); !errors.empty()) {
      std::fprintf(stderr,
                   "mcp: tool %s returned structuredContent not matching outputSchema: %s\n",
                   name.c_str(), JoinSchemaErrors(errors).c_str());
      result =
          ErrorResult(fmt::format("The tool {} returned output that does not match its output "
                                  "schema: {}",
                                  name, JoinSchemaErrors(errors)));
    }
  }
  return ToolResultJson(result);
}

json Server::ReadResource(const std::shared_ptr<Call>& call) {
  const std::string uri = StringParam(call->params, "uri");
  auto not_found = [&] {
    return McpError(
        call->stateless ? error_code::kInvalidParams : error_code::kResourceNotFoundLegacy,
        "Resource not found: " + uri, {{"uri", uri}});
  };
  if (auto r = registry_.FindResource(uri)) {
    if (!r->read) throw not_found();
    json result = {
        {"contents", json::array({ContentsItem(uri, r->mime_type, r->binary, r->read())})}};
    if (call->stateless) {
      result["ttlMs"] = r->ttl_ms;
      result["cacheScope"] = "private";
    }
    return result;
  }
  for (const auto& t : registry_.ResourceTemplates()) {
    auto vars = MatchUriTemplate(t.uri_template, uri);
    if (!vars || !t.read) continue;
    try {
      return {{"contents",
               json::array({ContentsItem(uri, t.mime_type, t.binary, t.read(uri, *vars))})}};
    } catch (const std::out_of_range&) {
      throw not_found();
    } catch (const std::invalid_argument& e) {
      throw McpError(error_code::kInvalidParams, e.what(), {{"uri", uri}});
    }
  }
  throw not_found();
}

json Server::GetPrompt(const std::shared_ptr<Call>& call) {
  const std::string name = StringParam(call->params, "name");
  const auto prompt = registry_.FindPrompt(name);
  if (!prompt) throw McpError(error_code::kInvalidParams, "Unknown prompt: " + name);
  json args = call->params.value("arguments", json::object());
  if (args.is_null()) args = json::object();
  if (!args.is_object()) throw McpError(error_code::kInvalidParams, "arguments must be an object");
  for (const auto& a : prompt->arguments) {
    if (a.required && !args.contains(a.name)) {
      throw McpError(error_code::kInvalidParams, "Missing required argument: " + a.name);
    }
  }
  json messages;
  try {
    if (prompt->get_with_context) {
      ToolContext ctx = MakeContext(call);
      messages = prompt->get_with_context(args, ctx);
    } else if (prompt->get) {
      messages = prompt->get(args);
    } else {
      throw McpError(error_code::kInternalError, "the prompt has no handler");
    }
  } catch (const std::invalid_argument& e) {
    throw McpError(error_code::kInvalidParams, e.what());
  }
  json result;
  if (messages.is_object() && messages.contains("messages")) {
    result = messages;
  } else {
    result = {{"messages", messages.is_array() ? messages : json::array()}};
  }
  if (!prompt->description.empty() && !result.contains("description")) {
    result["description"] = prompt->description;
  }
  return result;
}

json Server::Complete(Call& call) {
  const json& p = call.params;
  const json ref = p.value("ref", json::object());
  const json argument = p.value("argument", json::object());
  if (!ref.is_object() || !argument.is_object() || !argument.contains("name")) {
    throw McpError(error_code::kInvalidParams, "completion/complete needs ref and argument");
  }
  const std::string arg_name = argument.value("name", std::string());
  const std::string value = argument.value("value", std::string());
  const std::string type = ref.value("type", std::string());
  std::vector<std::string> values;
  if (type == "ref/prompt") {
    const auto prompt = registry_.FindPrompt(ref.value("name", std::string()));
    if (!prompt) throw McpError(error_code::kInvalidParams, "Unknown prompt in ref");
    for (const auto& a : prompt->arguments) {
      if (a.name == arg_name && a.complete) values = a.complete(value);
    }
  } else if (type == "ref/resource") {
    const std::string uri = ref.value("uri", std::string());
    bool found = false;
    for (const auto& t : registry_.ResourceTemplates()) {
      if (t.uri_template != uri) continue;
      found = true;
      if (t.complete) values = t.complete(arg_name, value);
    }
    if (!found && !registry_.FindResource(uri)) {
      throw McpError(error_code::kInvalidParams, "Unknown resource in ref: " + uri);
    }
  } else {
    throw McpError(error_code::kInvalidParams, "ref.type must be ref/prompt or ref/resource");
  }
  const size_t total = values.size();
  if (values.size() > kMaxCompletionValues) values.resize(kMaxCompletionValues);
  return {{"completion",
           {{"values", values}, {"total", total}, {"hasMore", total > kMaxCompletionValues}}}};
}

void Server::Listen(std::shared_ptr<Call> call) {
  const json filter = call->params.value("notifications", json::object());
  json honored = json::object();
  if (filter.is_object()) {
    for (const char* key : {"toolsListChanged", "promptsListChanged", "resourcesListChanged"}) {
      if (filter.value(key, false) == true) honored[key] = true;
    }
    if (auto subs = filter.find("resourceSubscriptions");
        subs != filter.end() && subs->is_array()) {
      json uris = json::array();
      for (const auto& u : *subs) {
        if (u.is_string()) uris.push_back(u);
      }
      honored["resourceSubscriptions"] = uris;
    }
  }
  call->channel->Send(
      Notification("notifications/subscriptions/acknowledged",
                   {{"notifications", honored}, {"_meta", {{kMetaSubscriptionId, call->id}}}}));
  std::lock_guard lock(mu_);
  listeners_.erase(std::remove_if(listeners_.begin(), listeners_.end(),
                                  [](const ListenStream& l) { return !l.channel->Open(); }),
                   listeners_.end());
  listeners_.push_back({call->id, honored, call->channel});
}

void Server::Broadcast(const json& notification, const char* filter_key, const std::string& uri) {
  std::vector<ListenStream> listeners;
  std::vector<std::shared_ptr<Session>> sessions;
  {
    std::lock_guard lock(mu_);
    listeners_.erase(std::remove_if(listeners_.begin(), listeners_.end(),
                                    [](const ListenStream& l) { return !l.channel->Open(); }),
                     listeners_.end());
    listeners = listeners_;
    for (auto& [id, s] : sessions_) sessions.push_back(s);
  }
  for (auto& s : sessions) {
    if (!uri.empty()) {
      std::lock_guard lock(s->mu);
      if (!s->subscriptions.count(uri)) continue;
    }
    s->SendStandalone(notification);
  }
  for (auto& l : listeners) {
    bool wanted = false;
    if (uri.empty()) {
      wanted = l.filter.value(filter_key, false) == true;
    } else if (auto subs = l.filter.find("resourceSubscriptions"); subs != l.filter.end()) {
      wanted = std::find(subs->begin(), subs->end(), json(uri)) != subs->end();
    }
    if (!wanted) continue;
    json tagged = notification;
    if (!tagged.contains("params")) tagged["params"] = json::object();
    tagged["params"]["_meta"][kMetaSubscriptionId] = l.subscription_id;
    l.channel->Send(tagged);
  }
}

void Server::OnRegistryChange(Registry::Kind kind) {
  switch (kind) {
    case Registry::Kind::kTools:
      Broadcast({{"jsonrpc", "2.0"}, {"method", "notifications/tools/list_changed"}},
                "toolsListChanged");
      break;
    case Registry::Kind::kPrompts:
      Broadcast({{"jsonrpc", "2.0"}, {"method", "notifications/prompts/list_changed"}},
                "promptsListChanged");
      break;
    case Registry::Kind::kResources:
      Broadcast({{"jsonrpc", "2.0"}, {"method", "notifications/resources/list_changed"}},
                "resourcesListChanged");
      break;
  }
}

void Server::OnResourceUpdated(const std::string& uri) {
  Broadcast(Notification("notifications/resources/updated", {{"uri", uri}}), nullptr, uri);
}

}  // namespace cf::mcp
