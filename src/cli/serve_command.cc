#include "cli/serve_command.h"

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <memory>
#include <thread>

#include "cli/mcp_command.h"
#include "mcp/conformance_fixtures.h"
#include "mcp/server.h"
#include "server/http_server.h"
#include "server/mcp_endpoint.h"

namespace cf {
namespace {

std::atomic<bool> g_stop_requested{false};

extern "C" void OnStopSignal(int) { g_stop_requested.store(true); }

int Serve(const ServeOptions& options, const ServeInstall& install) {
  server::HttpOptions http_options;
  http_options.host = options.host;
  http_options.port = options.port;
  http_options.token = options.token;
  http_options.max_body_bytes = options.max_body_bytes;
  std::unique_ptr<server::HttpServer> http;
  try {
    http = std::make_unique<server::HttpServer>(http_options);
  } catch (const std::invalid_argument& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 2;
  }
  mcp::Registry registry;
  mcp::ServerOptions server_options;
  server_options.page_size = options.page_size;
  auto mcp_server = std::make_unique<mcp::Server>(registry, server_options);
  auto endpoint = std::make_unique<server::McpEndpoint>(*http, *mcp_server);
  if (options.conformance_fixtures) {
    fmt::print(stderr, "chengfang serve: conformance fixtures enabled (test only)\n");
    mcp::RegisterConformanceFixtures(registry);
  }
  ServeContext ctx{registry, http.get(), options, {}};
  try {
    if (install) install(ctx);
  } catch (...) {
    // Stop while the MCP server and endpoint still exist: the server's stop hooks use them.
    for (auto& hook : ctx.stop_hooks) hook();
    http->Stop();
    endpoint.reset();
    mcp_server.reset();
    throw;
  }
  for (auto& hook : ctx.stop_hooks) http->OnStop(hook);

  const int port = http->Bind();
  fmt::print(stderr, "chengfang serve: listening on {} (MCP at {}/mcp){}\n", http->BaseUrl(),
             http->BaseUrl(), options.token.empty() ? "" : ", bearer token required");
  g_stop_requested.store(false);
  std::signal(SIGINT, OnStopSignal);
  std::signal(SIGTERM, OnStopSignal);
  std::atomic<bool> done{false};
  std::thread watcher([&] {
    while (!done.load() && !g_stop_requested.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (g_stop_requested.load()) {
      fmt::print(stderr, "chengfang serve: stopping\n");
      http->Stop();
    }
  });
  (void)port;
  http->Run();
  done.store(true);
  watcher.join();
  http->Stop();
  endpoint.reset();
  mcp_server.reset();
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  return 0;
}

}  // namespace

void AddServeCommand(CLI::App& app, ServeInstall install) {
  auto* cmd = app.add_subcommand(
      "serve", "Run the HTTP server: MCP (Streamable HTTP) at /mcp; see docs/mcp.md");
  auto options = std::make_shared<ServeOptions>();
  cmd->add_option("--host", options->host,
                  "Address to bind (a non-loopback address requires a token)")
      ->capture_default_str();
  cmd->add_option("--port", options->port, "Port to listen on (0: any free port)")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--token", options->token, "Bearer token clients must send")
      ->envname("CHENGFANG_TOKEN");
  cmd->add_option("--max-body", options->max_body_bytes, "Largest request body, in bytes")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1024}, size_t{1} << 30));
  cmd->add_option("--page-size", options->page_size, "Items per page of MCP list results")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  cmd->add_flag("--conformance-fixtures", options->conformance_fixtures,
                "TEST ONLY: register the MCP conformance suite's fixture tools, resources and "
                "prompts");
  cmd->callback([options, install, &app] {
    if (auto* data = app.get_option_no_throw("--data"); data && !data->empty()) {
      options->data_dir = data->as<std::string>();
    }
    int rc = 0;
    try {
      rc = Serve(*options, install);
    } catch (const std::exception& e) {
      fmt::print(stderr, "error: {}\n", e.what());
      rc = 1;
    }
    if (rc != 0) throw CLI::RuntimeError(rc);
    throw CLI::Success();
  });
}

void AddServeCommands(CLI::App& app, ServeInstall install) {
  AddServeCommand(app, install);
  AddMcpCommand(app, install);
}

}  // namespace cf
