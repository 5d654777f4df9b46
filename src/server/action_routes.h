// The HTTP door of the action API: POST /api/v1/<action> with a JSON object body (empty = {})
// runs the action as actor "merchant:http"; GET /api/v1/status gives the market clock; GET
// /openapi.json the OpenAPI document. Errors are the server's JSON error body with the action
// API's code and status (400 invalid_json / invalid_argument, 404 not_found, 409 conflict /
// failed_precondition, 422 guardrail, 500 internal); a failed call changes nothing.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>

#include "action/action_api.h"
#include "server/http_server.h"

namespace cf::server {

void MountActionRoutes(HttpServer& http, action::ActionApi& api,
                       std::function<nlohmann::json()> status);

}  // namespace cf::server
