// The MCP door of the action API: every action of the catalogue as an MCP tool (same name, input
// and output schemas, annotations from whether it writes), the account snapshot and the metric
// dictionary as resources, and the weekly-review and budget-reallocation prompts. Tool calls run
// as actor `actor` ("merchant:mcp"); an ActionError becomes an isError result whose text starts
// with its code.
#pragma once

#include <string>

#include "action/action_api.h"
#include "mcp/registry.h"

namespace cf::server {

void InstallActionTools(mcp::Registry& registry, action::ActionApi& api, const std::string& actor);

}  // namespace cf::server
