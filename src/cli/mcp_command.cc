#include "cli/mcp_command.h"

#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "mcp/conformance_fixtures.h"
#include "mcp/server.h"
#include "mcp/stdio_transport.h"

namespace cf {

void AddMcpCommand(CLI::App& app, ServeInstall install) {
  auto* cmd = app.add_subcommand(
      "mcp", "Run the MCP server on stdio (JSON-RPC on stdin/stdout; see docs/mcp.md)");
  auto options = std::make_shared<ServeOptions>();
  cmd->add_option("--page-size", options->page_size, "Items per page of list results")
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
      mcp::Registry registry;
      mcp::ServerOptions server_options;
      server_options.page_size = options->page_size;
      mcp::Server server(registry, server_options);
      if (options->conformance_fixtures) {
        fmt::print(stderr, "chengfang mcp: conformance fixtures enabled (test only)\n");
        mcp::RegisterConformanceFixtures(registry);
      }
      ServeContext ctx{registry, nullptr, *options, {}};
      if (install) install(ctx);
      std::ios::sync_with_stdio(false);
      mcp::StdioTransport transport(server, std::cin, std::cout);
      transport.Run();
      for (auto& hook : ctx.stop_hooks) hook();
      server.Stop();
    } catch (const std::exception& e) {
      fmt::print(stderr, "error: {}\n", e.what());
      rc = 1;
    }
    if (rc != 0) throw CLI::RuntimeError(rc);
    throw CLI::Success();
  });
}

}  // namespace cf
