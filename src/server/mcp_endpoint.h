// MCP's Streamable HTTP transport, mounted on an HttpServer (default path /mcp).
//
// Promises:
//   - POST: one JSON-RPC message per body. Requests are answered with application/json when the
//     answer is ready with nothing before it, otherwise (progress, logs, server-to-client
//     requests, or a handler still running after a second) with a text/event-stream whose last
//     event is the response; clients that accept only JSON get the JSON response. Notifications
//     and client responses get 202 with no body. The Mcp-Session-Id header is set on initialize.
//   - GET (stateful sessions, Accept: text/event-stream): the session's standalone stream
//     (list_changed, resources/updated); 400 without a session header, 404 for an unknown one,
//     405 for 2026-07-28 (which uses subscriptions/listen instead).
//   - DELETE: ends the session (200), 404 when unknown, 400 without the header.
//   - Streams send a comment every 15 s to notice departed clients; a departed client cancels its
//     running request. HttpServer::Stop ends every stream.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "mcp/server.h"
#include "server/http_server.h"

namespace cf::server {

class McpEndpoint {
 public:
  McpEndpoint(HttpServer& http, mcp::Server& mcp, const std::string& path = "/mcp");
  ~McpEndpoint();

  class Stream;  // an HTTP response channel (JSON or SSE)

 private:
  void Post(const httplib::Request& req, httplib::Response& res);
  void Get(const httplib::Request& req, httplib::Response& res);
  void Delete(const httplib::Request& req, httplib::Response& res);
  void StreamEvents(std::shared_ptr<Stream> stream, httplib::Response& res);
  void CloseAll();

  mcp::Server& mcp_;
  std::mutex mu_;
  std::vector<std::weak_ptr<Stream>> streams_;
};

}  // namespace cf::server
