// The HTTP server of `chengfang serve`: one cpp-httplib server with the security every route gets.
//
// Promises, for every request on every route (including static folders):
//   - Host must name this server (loopback names when bound to loopback, else the bound host,
//     plus options.allowed_hosts; any Host when bound elsewhere with no allowed_hosts given) and a
//     present Origin must be http(s) on an allowed host or be listed in allowed_origins; otherwise
//     403 (DNS-rebinding protection).
//   - With a token, "Authorization: Bearer <token>" is required (constant-time compare) except
//     under options.public_path_prefixes; otherwise 401 with WWW-Authenticate: Bearer.
//   - A body larger than max_body_bytes gets 413 (by Content-Length before it is read, or while
//     reading a chunked body).
//   - Every error carries the JSON body {"error":{"code":"...","message":"..."}}.
// The constructor refuses (std::invalid_argument) a non-loopback host without a token. Binds
// 127.0.0.1 by default. Stop() runs the OnStop hooks (to end long-lived streams), then stops the
// listener and waits for request threads.
#pragma once

#include <httplib.h>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace cf::server {

struct HttpOptions {
  std::string host = "127.0.0.1";
  int port = 8080;                                // 0 = any free port (see HttpServer::port())
  std::string token;                              // bearer token ("" = none; required off loopback)
  size_t max_body_bytes = 4u << 20;               // request bodies above this get 413
  std::vector<std::string> allowed_hosts;         // extra Host names (no port), e.g. "ads.local"
  std::vector<std::string> allowed_origins;       // extra exact Origins, e.g. "https://ads.local"
  std::vector<std::string> public_path_prefixes;  // exempt from the token (not from Host/Origin)
  int threads = 32;                               // request threads (SSE streams hold one each)
};

bool IsLoopbackHost(const std::string& host);

class HttpServer {
 public:
  explicit HttpServer(HttpOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Register handlers here: routes().Get("/api/x", ...). Security applies to them all.
  httplib::Server& routes() { return server_; }
  // Serves `dir` under `mount_point` (e.g. Mount("/", "web/dist")); false if `dir` is missing.
  bool Mount(const std::string& mount_point, const std::string& dir);
  // Requests for which `rule` returns true need no token (e.g. the dashboard's static files; its
  // API calls still do). Call before the server starts.
  void AllowWithoutToken(std::function<bool(const httplib::Request&)> rule);
  // Runs `hook` at the start of Stop() (end SSE streams, stop background work).
  void OnStop(std::function<void()> hook);

  // Binds the listening socket; returns the port. Throws std::runtime_error when it cannot bind.
  int Bind();
  // Serves until Stop() (binds first if needed).
  void Run();
  // Serves on a background thread (tests); returns once bound.
  void Start();
  void Stop();

  int port() const { return port_; }
  const HttpOptions& options() const { return options_; }
  std::string BaseUrl() const;

  // Writes {"error":{"code":code,"message":message}} with `status`.
  static void SendError(httplib::Response& res, int status, const std::string& code,
                        const std::string& message);

 private:
  httplib::Server::HandlerResponse Guard(const httplib::Request& req, httplib::Response& res);
  bool HostAllowed(const std::string& host_header) const;
  bool OriginAllowed(const std::string& origin) const;

  HttpOptions options_;
  httplib::Server server_;
  int port_ = 0;
  bool bound_ = false;
  std::atomic<bool> stopped_{false};
  std::mutex hooks_mu_;
  std::vector<std::function<void()>> stop_hooks_;
  std::vector<std::function<bool(const httplib::Request&)>> public_rules_;
  std::thread thread_;
};

}  // namespace cf::server
