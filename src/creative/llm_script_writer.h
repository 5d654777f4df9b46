// Optional script writer backed by an OpenAI-compatible chat endpoint (POST <url> with
// {"model", "messages"}; the reply's choices[0].message.content must be a JSON object with hook,
// selling_points, proof, promotion, call_to_action). Off by default (LlmConfig::enabled).
// Promises: Write never fails because of the endpoint — on a timeout, an HTTP error or an unusable
// reply it returns the fallback writer's script with source "grammar (llm failed: <why>)".
// Thread-safe (one HTTP request per call).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "creative/script_writer.h"

namespace cf {

struct LlmConfig {
  bool enabled = false;
  std::string url;    // full endpoint, e.g. http://127.0.0.1:8000/v1/chat/completions
  std::string model;  // e.g. "qwen2.5-7b-instruct"
  int timeout_ms = 8000;
  std::string api_key_env = "OPENAI_API_KEY";  // env var with a bearer token; unset = no header
  double temperature = 0.8;

  nlohmann::json ToJson() const;
  // Strict: unknown keys or wrong types throw ConfigError naming the key ("creative.llm.foo").
  static LlmConfig FromJson(const nlohmann::json& j);
};

class LlmScriptWriter : public ScriptWriter {
 public:
  // `fallback` must outlive this writer.
  LlmScriptWriter(LlmConfig config, const ScriptWriter& fallback);
  Script Write(const ScriptRequest& request) const override;
  // The chat request body sent for `request` (exposed for tests and docs).
  nlohmann::json RequestBody(const ScriptRequest& request) const;

 private:
  LlmConfig config_;
  const ScriptWriter& fallback_;
};

}  // namespace cf
