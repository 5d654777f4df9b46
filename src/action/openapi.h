// The OpenAPI 3.1 document of the HTTP API (served at /openapi.json): one POST route per action
// (the catalogue's and any added) at /api/v1/<name> with its input schema as the request body and
// its output schema as the 200 response, the error body every 4xx/5xx carries, and bearer-token
// security.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "action/action_catalogue.h"

namespace cf::action {

// `specs`: the actions to publish (ActionApi::Specs()).
nlohmann::json OpenApiDocument(const std::string& version, const std::vector<ActionSpec>& specs);

}  // namespace cf::action
