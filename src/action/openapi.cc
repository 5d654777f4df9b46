#include "action/openapi.h"

#include "action/action_catalogue.h"

namespace cf::action {

nlohmann::json OpenApiDocument(const std::string& version, const std::vector<ActionSpec>& specs) {
  using Json = nlohmann::json;
  const Json error_ref = {{"$ref", "#/components/schemas/Error"}};
  auto error_response = [&](const char* what) {
    return Json{{"description", what},
                {"content", {{"application/json", {{"schema", error_ref}}}}}};
  };
  Json paths = Json::object();
  for (const ActionSpec& s : specs) {
    Json op = {
        {"operationId", s.name},
        {"summary", s.title},
        {"description", s.description},
        {"tags", {s.read_only ? "queries" : "changes"}},
        {"requestBody",
         {{"required", false}, {"content", {{"application/json", {{"schema", s.input_schema}}}}}}},
        {"responses",
         {{"200",
           {{"description", "The result"},
            {"content", {{"application/json", {{"schema", s.output_schema}}}}}}},
          {"400", error_response("Malformed JSON or invalid arguments (code invalid_argument)")},
          {"401",
           error_response("Missing or wrong bearer token (codes missing_token, invalid_token)")},
          {"404", error_response("Unknown plan or action (code not_found)")},
          {"409", error_response("Idempotency conflict or a finished plan (codes conflict, "
                                 "failed_precondition)")},
          {"413", error_response("Request body too large (code payload_too_large)")},
          {"422", error_response("A guardrail refused the change (code guardrail)")}}}};
    paths["/api/v1/" + s.name] = {{"post", op}};
  }
  paths["/api/v1/status"] = {
      {"get",
       {{"operationId", "get_status"},
        {"summary", "Simulated market clock"},
        {"responses",
         {{"200",
           {{"description", "Simulated time, speed and whether the flight is over"},
            {"content", {{"application/json", {{"schema", {{"type", "object"}}}}}}}}}}}}}};
  return {
      {"openapi", "3.1.0"},
      {"info",
       {{"title", "Chengfang HTTP API"},
        {"version", version},
        {"description",
         "The merchant's action API over HTTP: the same commands and queries as the MCP tools. "
         "Writes are dry runs unless the body has \"confirm\": true."}}},
      {"paths", paths},
      {"components",
       {{"schemas",
         {{"Error",
           {{"type", "object"},
            {"properties",
             {{"error",
               {{"type", "object"},
                {"properties", {{"code", {{"type", "string"}}}, {"message", {{"type", "string"}}}}},
                {"required", {"code", "message"}}}}}},
            {"required", {"error"}}}}}},
        {"securitySchemes", {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}}}}}},
      {"security", {{{"bearer", Json::array()}}}}};
}

}  // namespace cf::action
