// Base64 (RFC 4648, standard alphabet, padded) for MCP blobs, images and audio, and the report's
// inline thumbnails.
//
// Promises: Base64Decode(Base64Encode(x)) == x for any bytes; Base64Decode accepts input with or
// without padding and throws std::invalid_argument on any other character.
#pragma once

#include <string>
#include <string_view>

namespace cf {

std::string Base64Encode(std::string_view bytes);
std::string Base64Decode(std::string_view text);

}  // namespace cf
