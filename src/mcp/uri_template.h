// RFC 6570 level-1 URI templates ("test://template/{id}/data"): matching and expansion.
//
// Promises: MatchUriTemplate returns the variables when `uri` matches (a variable matches one or
// more characters other than '/', '?' and '#'), std::nullopt otherwise. Literal text must match
// exactly. A template with an unclosed '{' matches nothing.
#pragma once

#include <map>
#include <optional>
#include <string>

namespace cf::mcp {

std::optional<std::map<std::string, std::string>> MatchUriTemplate(const std::string& uri_template,
                                                                   const std::string& uri);

}  // namespace cf::mcp
