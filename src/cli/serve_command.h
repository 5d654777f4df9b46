// `chengfang serve`: the HTTP server (MCP over Streamable HTTP at /mcp, plus whatever routes the
// install hook adds), and the hook through which other modules put their tools, resources,
// prompts and routes into both `serve` and `mcp` (stdio).
//
// Promises: the subcommand runs inside CLI11's parse (its callback) and ends it with CLI::Success
// or CLI::RuntimeError(code) after printing the error to stderr (2: bad options, e.g. a
// non-loopback --host without a token; 1: runtime failure). `install` runs once, before the server
// accepts requests. SIGINT/SIGTERM stop the server gracefully: OnStop hooks run, streams end,
// running tools see cancelled(). --conformance-fixtures registers the MCP conformance suite's test
// fixtures; it is test-only and off by default.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

#include "mcp/registry.h"

namespace cf::server {
class HttpServer;
}

namespace cf {

// Options shared by `serve` and `mcp`.
struct ServeOptions {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string token;  // --token or CHENGFANG_TOKEN
  size_t max_body_bytes = 4u << 20;
  size_t page_size = 50;
  bool conformance_fixtures = false;  // test-only
  std::string data_dir;               // the global --data
};

// What the install hook gets.
struct ServeContext {
  mcp::Registry& registry;   // add tools, resources, resource templates, prompts
  server::HttpServer* http;  // add routes / static folders; nullptr under `chengfang mcp`
  const ServeOptions& options;
  // Runs `hook` at shutdown (both transports), before the server's own teardown.
  void OnStop(std::function<void()> hook) { stop_hooks.push_back(std::move(hook)); }
  std::vector<std::function<void()>> stop_hooks;
};

using ServeInstall = std::function<void(ServeContext&)>;

// Adds `serve` and `mcp`; `install` (may be empty) runs for either.
void AddServeCommands(CLI::App& app, ServeInstall install);
void AddServeCommand(CLI::App& app, ServeInstall install);

}  // namespace cf
