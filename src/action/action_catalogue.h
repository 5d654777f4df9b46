// The catalogue of actions: for each, the name (the MCP tool name, and the HTTP route
// /api/v1/<name>), a title and description in practitioners' words, JSON Schemas of its input and
// output, and whether it only reads. One list serves MCP tools/list, the OpenAPI document and the
// dashboard. Promises: names are unique; every input schema is an object schema whose properties
// the action API accepts (and no others).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace cf::action {

struct ActionSpec {
  std::string name, title, description;
  nlohmann::json input_schema, output_schema;
  bool read_only = true;
  bool destructive = false;
  bool idempotent = true;
};

const std::vector<ActionSpec>& ActionSpecs();
// A JSON Schema object with these properties, no others, and the required ones.
nlohmann::json ObjectSchema(nlohmann::json properties, std::vector<std::string> required = {});
const ActionSpec* FindAction(const std::string& name);

}  // namespace cf::action
