// The MCP stdio transport: newline-delimited JSON-RPC messages on an input and output stream.
//
// Promises: every message written is one line of compact JSON followed by '\n', written whole
// under a lock (output from worker threads never interleaves); nothing but protocol messages is
// written to `out` (diagnostics go to stderr). A line longer than `max_line_bytes` is answered
// with -32600 and skipped. Run() returns at end of input once running requests finish (they are
// cancelled after a 10 s grace period).
#pragma once

#include <istream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "mcp/server.h"

namespace cf::mcp {

class StdioTransport {
 public:
  StdioTransport(Server& server, std::istream& in, std::ostream& out,
                 size_t max_line_bytes = 4 << 20);
  // Reads and handles messages until end of input; returns 0.
  int Run();
  // Writes one message (thread-safe).
  void Write(const nlohmann::json& message);

 private:
  class LineChannel;
  void Adopt(const std::string& session_id);

  Server& server_;
  std::istream& in_;
  std::ostream& out_;
  size_t max_line_bytes_;
  std::mutex write_mu_;
  std::mutex session_mu_;
  std::string session_id_;
};

}  // namespace cf::mcp
