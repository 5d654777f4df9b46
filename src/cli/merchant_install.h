// `chengfang serve` and `chengfang mcp` as merchants use them: the live market
// (sim/live_market.h) with the merchant's account behind the action API, offered as MCP tools,
// resources and prompts, the HTTP API (/api/v1, /openapi.json) and the web dashboard (static
// files at /). Adds both subcommands (cli/serve_command.h) plus the market's options: --state,
// --speed, --web, --config, --users, --days, --seed, --quick, --no-market. With
// --conformance-fixtures (test only) no market is built unless --market is given.
#pragma once

#include <CLI/CLI.hpp>

namespace cf {

void AddMerchantServeCommands(CLI::App& app);

}  // namespace cf
