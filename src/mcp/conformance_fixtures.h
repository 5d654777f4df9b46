// Test-only fixtures for the official MCP conformance suite (@modelcontextprotocol/conformance):
// the tools, resources, resource templates and prompts its server scenarios call by name
// (test_simple_text, test://static-text, test_prompt_with_arguments, the 2026-07-28 input-required
// tools, ...), with the behaviour each scenario describes.
//
// Promises: registers only names starting with "test_", "json_schema_2020_12_tool" or URIs under
// "test://"; never registered unless `--conformance-fixtures` is given (off by default, never in
// production). Safe to call once per registry.
#pragma once

#include "mcp/registry.h"

namespace cf::mcp {

void RegisterConformanceFixtures(Registry& registry);

}  // namespace cf::mcp
