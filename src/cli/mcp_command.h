// `chengfang mcp`: the MCP server on stdio (newline-delimited JSON-RPC on stdin/stdout; logs and
// diagnostics on stderr only).
//
// Promises: runs inside CLI11's parse (its callback) and ends it with CLI::Success at end of input
// or CLI::RuntimeError(code) on failure. Both protocol revisions are served (2025-11-25 after
// initialize; 2026-07-28 per request via _meta). --conformance-fixtures (test-only, off by
// default) registers the conformance suite's fixtures. `install` is the same hook as `serve`'s,
// with ServeContext::http == nullptr.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/serve_command.h"

namespace cf {

void AddMcpCommand(CLI::App& app, ServeInstall install);

}  // namespace cf
