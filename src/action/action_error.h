// The one error type of the action API: a machine-readable code, an HTTP status and a message that
// says what was wrong and what to do. Every door (in-process, HTTP, MCP) reports it as is; a call
// that throws it has changed nothing.
#pragma once

#include <stdexcept>
#include <string>

namespace cf::action {

class ActionError : public std::runtime_error {
 public:
  // Codes: invalid_argument (400), not_found (404), conflict (409, an
  // idempotency key reused with other arguments), failed_precondition (409, e.g. a finished plan),
  // guardrail (422, a limit on changes), internal (500).
  ActionError(std::string code, int http_status, const std::string& message)
      : std::runtime_error(message), code_(std::move(code)), http_status_(http_status) {}
  const std::string& code() const { return code_; }
  int http_status() const { return http_status_; }

  static ActionError Invalid(const std::string& m) { return {"invalid_argument", 400, m}; }
  static ActionError NotFound(const std::string& m) { return {"not_found", 404, m}; }
  static ActionError Conflict(const std::string& m) { return {"conflict", 409, m}; }
  static ActionError Precondition(const std::string& m) { return {"failed_precondition", 409, m}; }
  static ActionError Guardrail(const std::string& m) { return {"guardrail", 422, m}; }

 private:
  std::string code_;
  int http_status_;
};

}  // namespace cf::action
