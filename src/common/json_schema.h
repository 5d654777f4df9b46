// A JSON Schema validator (a draft 2020-12 subset) over nlohmann::json.
//
// Promises: ValidateJson(schema, instance) returns every violation it finds (empty = valid), each
// with the JSON pointer of the offending value ("" for the root, "/budget", "/items/2") and a
// plain message ("5 is below the minimum 100"); SchemaError::ToString() joins them as
// "/budget: 5 is below the minimum 100". Supported keywords: type (one or an array; "integer"
// accepts whole-valued numbers), enum, const, properties, required, additionalProperties (bool or
// schema), patternProperties, minProperties/maxProperties, minimum/maximum/exclusiveMinimum/
// exclusiveMaximum, multipleOf, minLength/maxLength (in code points), pattern (ECMAScript regex,
// unanchored search), items (a schema; prefixItems too), minItems/maxItems, uniqueItems, allOf/
// anyOf/oneOf/not, if/then/else, and $ref to "#", "#/$defs/..." or "#/definitions/..." (JSON
// pointers into the root schema). Boolean schemas (true/false) work. Other keywords (format,
// title, description, default, $schema, $anchor, ...) are ignored, as annotations. A $ref it
// cannot resolve or a pattern that is not a valid regex is reported as an error at that path,
// never thrown. Thread-safe (no shared state); recursion through $ref is capped at depth 64.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace cf {

struct SchemaError {
  std::string path;     // JSON pointer into the instance ("" for the root)
  std::string message;  // e.g. "5 is below the minimum 100"

  // "<path>: <message>", with "(root)" for the empty path.
  std::string ToString() const;
};

// Validates `instance` against `schema`; returns all errors found (empty when valid).
std::vector<SchemaError> ValidateJson(const nlohmann::json& schema, const nlohmann::json& instance);

// Joins errors as "a; b; c" (at most `limit` of them, then "and N more").
std::string JoinSchemaErrors(const std::vector<SchemaError>& errors, size_t limit = 5);

}  // namespace cf
