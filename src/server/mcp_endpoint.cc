#include "server/mcp_endpoint.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <nlohmann/json.hpp>

#include "mcp/protocol.h"

namespace cf::server {

using nlohmann::json;

namespace {
constexpr auto kFirstMessageWait = std::chrono::seconds(1);
constexpr auto kKeepAlive = std::chrono::seconds(15);

std::string Trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

std::string SseEvent(const json& message) {
  return "event: message\ndata: " + message.dump(-1, ' ', false, json::error_handler_t::replace) +
         "\n\n";
}
}  // namespace

// Messages of one exchange, queued for the HTTP thread that writes them.
class McpEndpoint::Stream : public mcp::Channel {
 public:
  void Send(const json& message) override {
    {
      std::lock_guard lock(mu_);
      if (!open_) return;
      queue_.push_back(message);
    }
    cv_.notify_all();
  }
  void Finish(const json& response, int http_status) override {
    {
      std::lock_guard lock(mu_);
      finished_ = true;
      response_ = response;
      status_ = http_status;
    }
    cv_.notify_all();
  }
  void SetSessionId(const std::string& session_id) override {
    std::lock_guard lock(mu_);
    session_id_ = session_id;
  }
  bool Open() const override {
    std::lock_guard lock(mu_);
    return open_;
  }
  void Close() {
    {
      std::lock_guard lock(mu_);
      open_ = false;
    }
    cv_.notify_all();
  }

  // Waits until something is queued, the exchange finished, or `timeout`.
  void WaitForFirst(std::chrono::steady_clock::duration timeout) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, timeout, [&] { return finished_ || !queue_.empty() || !open_; });
  }
  bool FinishedWithNothingQueued() const {
    std::lock_guard lock(mu_);
    return finished_ && queue_.empty();
  }
  void WaitFinished() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return finished_ || !open_; });
  }

  enum class Next { kMessage, kResponse, kDone, kIdle };
  // The next thing to write: a queued message, then the response (once), then done.
  Next Pop(json& out, std::chrono::steady_clock::duration idle) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, idle, [&] { return !queue_.empty() || finished_ || !open_; });
    if (!open_) return Next::kDone;
    if (!queue_.empty()) {
      out = std::move(queue_.front());
      queue_.pop_front();
      return Next::kMessage;
    }
    if (finished_) {
      if (response_sent_ || response_.is_null()) return Next::kDone;
      response_sent_ = true;
      out = response_;
      return Next::kResponse;
    }
    return Next::kIdle;
  }

  json response() const {
    std::lock_guard lock(mu_);
    return response_;
  }
  int status() const {
    std::lock_guard lock(mu_);
    return status_;
  }
  std::string session_id() const {
    std::lock_guard lock(mu_);
    return session_id_;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<json> queue_;
  bool finished_ = false;
  bool response_sent_ = false;
  bool open_ = true;
  json response_;
  int status_ = 200;
  std::string session_id_;
};

McpEndpoint::McpEndpoint(HttpServer& http, mcp::Server& mcp, const std::string& path) : mcp_(mcp) {
  auto& r = http.routes();
  r.Post(path, [this](const httplib::Request& req, httplib::Response& res) { Post(req, res); });
  r.Get(path, [this](const httplib::Request& req, httplib::Response& res) { Get(req, res); });
  r.Delete(path, [this](const httplib::Request& req, httplib::Response& res) { Delete(req, res); });
  http.OnStop([this] {
    mcp_.Stop();
    CloseAll();
  });
}

McpEndpoint::~McpEndpoint() { CloseAll(); }

void McpEndpoint::CloseAll() {
  std::vector<std::shared_ptr<Stream>> open;
  {
    std::lock_guard lock(mu_);
    for (auto& w : streams_) {
      if (auto s = w.lock()) open.push_back(s);
    }
    streams_.clear();
  }
  for (auto& s : open) s->Close();
}

void McpEndpoint::StreamEvents(std::shared_ptr<Stream> stream, httplib::Response& res) {
  {
    std::lock_guard lock(mu_);
    streams_.erase(std::remove_if(streams_.begin(), streams_.end(),
                                  [](const std::weak_ptr<Stream>& w) { return w.expired(); }),
                   streams_.end());
    streams_.push_back(stream);
  }
  res.status = 200;
  res.set_header("Cache-Control", "no-cache");
  res.set_header("X-Accel-Buffering", "no");
  res.set_chunked_content_provider(
      "text/event-stream",
      [stream](size_t, httplib::DataSink& sink) {
        json message;
        switch (stream->Pop(message, kKeepAlive)) {
          case Stream::Next::kMessage: {
            const std::string event = SseEvent(message);
            if (!sink.write(event.data(), event.size())) stream->Close();
            return true;
          }
          case Stream::Next::kResponse: {
            const std::string event = SseEvent(message);
            sink.write(event.data(), event.size());
            sink.done();
            return true;
          }
          case Stream::Next::kIdle: {
            static const std::string kComment = ": keep-alive\n\n";
            if (!sink.write(kComment.data(), kComment.size())) {
              stream->Close();
              return false;
            }
            return true;
          }
          case Stream::Next::kDone:
            sink.done();
            return true;
        }
        return false;
      },
      [stream](bool) { stream->Close(); });
}

void McpEndpoint::Post(const httplib::Request& req, httplib::Response& res) {
  const std::string content_type = req.get_header_value("Content-Type");
  if (!content_type.empty() && content_type.find("application/json") == std::string::npos) {
    HttpServer::SendError(res, 415, "unsupported_media_type",
                          "MCP messages must be sent as application/json");
    return;
  }
  const std::string accept = req.get_header_value("Accept");
  const bool accepts_sse = accept.empty() ||
                           accept.find("text/event-stream") != std::string::npos ||
                           accept.find("*/*") != std::string::npos;

  mcp::Incoming in;
  in.http = true;
  in.session_id = req.get_header_value("Mcp-Session-Id");
  if (req.has_header("MCP-Protocol-Version")) {
    in.protocol_header = req.get_header_value("MCP-Protocol-Version");
  }
  if (req.has_header("Mcp-Method")) in.method_header = Trim(req.get_header_value("Mcp-Method"));
  if (req.has_header("Mcp-Name")) in.name_header = Trim(req.get_header_value("Mcp-Name"));
  auto stream = std::make_shared<Stream>();
  mcp_.HandleText(req.body, std::move(in), stream);

  stream->WaitForFirst(kFirstMessageWait);
  if (!stream->FinishedWithNothingQueued() && !accepts_sse) stream->WaitFinished();
  if (const std::string sid = stream->session_id(); !sid.empty()) {
    res.set_header("Mcp-Session-Id", sid);
  }
  if (stream->FinishedWithNothingQueued() || !accepts_sse) {
    const json response = stream->response();
    res.status = stream->status();
    if (response.is_null()) {
      if (res.status == 200) res.status = 202;
      return;
    }
    res.set_content(response.dump(-1, ' ', false, json::error_handler_t::replace),
                    "application/json");
    return;
  }
  StreamEvents(std::move(stream), res);
}

void McpEndpoint::Get(const httplib::Request& req, httplib::Response& res) {
  const std::string version = req.get_header_value("MCP-Protocol-Version");
  if (!version.empty() && !mcp::IsStatefulVersion(version)) {
    res.set_header("Allow", "POST");
    HttpServer::SendError(res, 405, "method_not_allowed",
                          "this revision has no GET stream; use subscriptions/listen");
    return;
  }
  const std::string accept = req.get_header_value("Accept");
  if (accept.find("text/event-stream") == std::string::npos) {
    HttpServer::SendError(res, 406, "not_acceptable", "GET /mcp needs Accept: text/event-stream");
    return;
  }
  const std::string sid = req.get_header_value("Mcp-Session-Id");
  if (sid.empty()) {
    HttpServer::SendError(res, 400, "bad_request", "Mcp-Session-Id header is required");
    return;
  }
  auto stream = std::make_shared<Stream>();
  std::weak_ptr<Stream> weak = stream;
  const bool known = mcp_.SetSessionSink(sid, [weak](const json& message) {
    auto s = weak.lock();
    if (!s || !s->Open()) return false;
    s->Send(message);
    return true;
  });
  if (!known) {
    HttpServer::SendError(res, 404, "session_not_found", "unknown or ended session");
    return;
  }
  res.set_header("Mcp-Session-Id", sid);
  StreamEvents(std::move(stream), res);
}

void McpEndpoint::Delete(const httplib::Request& req, httplib::Response& res) {
  const std::string sid = req.get_header_value("Mcp-Session-Id");
  if (sid.empty()) {
    HttpServer::SendError(res, 400, "bad_request", "Mcp-Session-Id header is required");
    return;
  }
  if (!mcp_.EndSession(sid)) {
    HttpServer::SendError(res, 404, "session_not_found", "unknown or ended session");
    return;
  }
  res.status = 200;
}

}  // namespace cf::server
