#include "server/http_server.h"

#include <fmt/format.h>
#include <openssl/crypto.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace cf::server {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// "host:port", "[::1]:port" or "host" -> the host part, lower-case, brackets kept for IPv6.
std::string HostPart(const std::string& authority) {
  std::string a = Lower(authority);
  if (!a.empty() && a[0] == '[') {
    const size_t close = a.find(']');
    return close == std::string::npos ? a : a.substr(0, close + 1);
  }
  const size_t colon = a.find(':');
  return colon == std::string::npos ? a : a.substr(0, colon);
}

std::string StatusCode(int status) {
  switch (status) {
    case 400:
      return "bad_request";
    case 401:
      return "unauthorized";
    case 403:
      return "forbidden";
    case 404:
      return "not_found";
    case 405:
      return "method_not_allowed";
    case 406:
      return "not_acceptable";
    case 413:
      return "payload_too_large";
    case 415:
      return "unsupported_media_type";
    case 500:
      return "internal_error";
    case 503:
      return "unavailable";
    default:
      return status >= 500 ? "server_error" : "client_error";
  }
}

}  // namespace

bool IsLoopbackHost(const std::string& host) {
  const std::string h = Lower(host);
  return h == "localhost" || h == "::1" || h == "[::1]" || h.rfind("127.", 0) == 0;
}

HttpServer::HttpServer(HttpOptions options) : options_(std::move(options)) {
  if (!IsLoopbackHost(options_.host) && options_.token.empty()) {
    throw std::invalid_argument(fmt::format(
        "refusing to listen on {} without a bearer token: set --token or CHENGFANG_TOKEN, or bind "
        "127.0.0.1",
        options_.host));
  }
  const int threads = std::max(options_.threads, 4);
  server_.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server_.set_payload_max_length(options_.max_body_bytes);
  server_.set_pre_routing_handler(
      [this](const httplib::Request& req, httplib::Response& res) { return Guard(req, res); });
  server_.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.body.empty()) {
      SendError(res, res.status, StatusCode(res.status),
                res.status == 413 ? "request body too large" : fmt::format("HTTP {}", res.status));
    }
  });
  server_.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "internal error";
        try {
          if (ep) std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        std::fprintf(stderr, "http: handler failed: %s\n", what.c_str());
        SendError(res, 500, "internal_error", "internal error");
      });
}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::SendError(httplib::Response& res, int status, const std::string& code,
                           const std::string& message) {
  res.status = status;
  res.set_content(nlohmann::json{{"error", {{"code", code}, {"message", message}}}}.dump(),
                  "application/json");
}

bool HttpServer::HostAllowed(const std::string& host_header) const {
  if (host_header.empty()) return false;
  const std::string host = HostPart(host_header);
  for (const auto& h : options_.allowed_hosts) {
    if (Lower(h) == host) return true;
  }
  if (IsLoopbackHost(options_.host)) return IsLoopbackHost(host);
  if (host == Lower(options_.host)) return true;
  // Off loopback (a token is required there): any Host unless the operator listed some.
  return options_.allowed_hosts.empty();
}

bool HttpServer::OriginAllowed(const std::string& origin) const {
  for (const auto& o : options_.allowed_origins) {
    if (Lower(o) == Lower(origin)) return true;
  }
  const std::string o = Lower(origin);
  std::string rest;
  if (o.rfind("http://", 0) == 0) {
    rest = o.substr(7);
  } else if (o.rfind("https://", 0) == 0) {
    rest = o.substr(8);
  } else {
    return false;  // "null", file://, other schemes
  }
  if (rest.find('/') != std::string::npos) rest = rest.substr(0, rest.find('/'));
  const std::string host = HostPart(rest);
  for (const auto& h : options_.allowed_hosts) {
    if (Lower(h) == host) return true;
  }
  if (IsLoopbackHost(options_.host)) return IsLoopbackHost(host);
  return host == Lower(options_.host);
}

httplib::Server::HandlerResponse HttpServer::Guard(const httplib::Request& req,
                                                   httplib::Response& res) {
  using HR = httplib::Server::HandlerResponse;
  const std::string host = req.get_header_value("Host");
  if (!HostAllowed(host)) {
    SendError(res, 403, "forbidden_host",
              fmt::format("Host \"{}\" is not allowed (DNS-rebinding protection)", host));
    return HR::Handled;
  }
  if (req.has_header("Origin")) {
    const std::string origin = req.get_header_value("Origin");
    if (!OriginAllowed(origin)) {
      SendError(res, 403, "forbidden_origin", fmt::format("Origin \"{}\" is not allowed", origin));
      return HR::Handled;
    }
  }
  if (!options_.token.empty()) {
    bool exempt = false;
    for (const auto& prefix : options_.public_path_prefixes) {
      exempt = exempt || req.path.rfind(prefix, 0) == 0;
    }
    for (const auto& rule : public_rules_) exempt = exempt || rule(req);
    if (!exempt) {
      const std::string auth = req.get_header_value("Authorization");
      const std::string expected = "Bearer " + options_.token;
      const bool ok = auth.size() == expected.size() &&
                      CRYPTO_memcmp(auth.data(), expected.data(), auth.size()) == 0;
      if (!ok) {
        res.set_header("WWW-Authenticate",
                       auth.empty() ? "Bearer realm=\"chengfang\""
                                    : "Bearer realm=\"chengfang\", error=\"invalid_token\"");
        SendError(res, 401, auth.empty() ? "missing_token" : "invalid_token",
                  auth.empty() ? "a bearer token is required (Authorization: Bearer <token>)"
                               : "the bearer token is not valid");
        return HR::Handled;
      }
    }
  }
  if (req.has_header("Content-Length")) {
    const std::string length = req.get_header_value("Content-Length");
    unsigned long long n = 0;
    try {
      n = std::stoull(length);
    } catch (const std::exception&) {
      SendError(res, 400, "bad_request", "invalid Content-Length");
      return HR::Handled;
    }
    if (n > options_.max_body_bytes) {
      SendError(res, 413, "payload_too_large",
                fmt::format("request body of {} bytes exceeds the limit of {} bytes", n,
                            options_.max_body_bytes));
      res.set_header("Connection", "close");
      return HR::Handled;
    }
  }
  return HR::Unhandled;
}

bool HttpServer::Mount(const std::string& mount_point, const std::string& dir) {
  return server_.set_mount_point(mount_point, dir);
}

void HttpServer::AllowWithoutToken(std::function<bool(const httplib::Request&)> rule) {
  public_rules_.push_back(std::move(rule));
}

void HttpServer::OnStop(std::function<void()> hook) {
  std::lock_guard lock(hooks_mu_);
  stop_hooks_.push_back(std::move(hook));
}

int HttpServer::Bind() {
  if (bound_) return port_;
  if (options_.port == 0) {
    port_ = server_.bind_to_any_port(options_.host);
    if (port_ <= 0) throw std::runtime_error("cannot bind " + options_.host);
  } else {
    if (!server_.bind_to_port(options_.host, options_.port)) {
      throw std::runtime_error(
          fmt::format("cannot listen on {}:{} (in use?)", options_.host, options_.port));
    }
    port_ = options_.port;
  }
  bound_ = true;
  return port_;
}

void HttpServer::Run() {
  Bind();
  server_.listen_after_bind();
}

void HttpServer::Start() {
  Bind();
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  while (!server_.is_running() && !stopped_.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

void HttpServer::Stop() {
  if (stopped_.exchange(true)) return;
  std::vector<std::function<void()>> hooks;
  {
    std::lock_guard lock(hooks_mu_);
    hooks.swap(stop_hooks_);
  }
  for (auto& h : hooks) h();
  server_.stop();
  if (thread_.joinable()) thread_.join();
}

std::string HttpServer::BaseUrl() const {
  const std::string host =
      options_.host.find(':') != std::string::npos && options_.host.front() != '['
          ? "[" + options_.host + "]"
          : options_.host;
  return fmt::format("http://{}:{}", host, port_);
}

}  // namespace cf::server
