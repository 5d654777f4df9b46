// Integrity-protected requestState for 2026-07-28 multi round-trip requests.
//
// Promises: SealRequestState(payload) returns an opaque printable string; OpenRequestState returns
// the same payload for any string SealRequestState produced in this process, and throws McpError
// (-32602, "requestState failed its integrity check") for anything altered or foreign. Sealing uses
// HMAC-SHA256 with a random per-process key, so state does not survive a restart (the client then
// starts over).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace cf::mcp {

std::string SealRequestState(const nlohmann::json& payload);
nlohmann::json OpenRequestState(const std::string& sealed);

}  // namespace cf::mcp
