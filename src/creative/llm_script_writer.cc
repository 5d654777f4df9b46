#include "creative/llm_script_writer.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <cstdlib>
#include <mutex>
#include <stdexcept>

#include "common/json_config.h"

namespace cf {
namespace {

using Json = nlohmann::json;

size_t AppendBody(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

// POSTs `body` as JSON; returns the response body or throws std::runtime_error with the reason.
std::string PostJson(const LlmConfig& c, const std::string& body) {
  static std::once_flag init;
  std::call_once(init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  CURL* curl = curl_easy_init();
  if (curl == nullptr) throw std::runtime_error("curl_easy_init failed");
  std::string response;
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  const char* key = c.api_key_env.empty() ? nullptr : std::getenv(c.api_key_env.c_str());
  if (key != nullptr && *key != '\0') {
    headers = curl_slist_append(headers, (std::string("Authorization: Bearer ") + key).c_str());
  }
  curl_easy_setopt(curl, CURLOPT_URL, c.url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(c.timeout_ms));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, AppendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response);
  const CURLcode rc = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK) throw std::runtime_error(curl_easy_strerror(rc));
  if (status != 200) throw std::runtime_error(fmt::format("HTTP status {}", status));
  return response;
}

std::string NeedString(const Json& j, const char* key) {
  if (!j.contains(key) || !j.at(key).is_string() || j.at(key).get<std::string>().empty()) {
    throw std::runtime_error(fmt::format("reply lacks a non-empty string \"{}\"", key));
  }
  return j.at(key).get<std::string>();
}

// Parses the model's content (a JSON object, possibly inside a ``` fence) into a script.
Script ParseContent(std::string content, const ScriptRequest& r) {
  const size_t open = content.find('{'), close = content.rfind('}');
  if (open == std::string::npos || close == std::string::npos || close < open) {
    throw std::runtime_error("reply content is not a JSON object");
  }
  const Json j = Json::parse(content.substr(open, close - open + 1));
  Script s;
  s.lang = r.lang;
  s.hook = r.hook;
  s.source = "llm";
  s.lines.push_back({ScriptPart::kHook, NeedString(j, "hook")});
  if (!j.contains("selling_points") || !j.at("selling_points").is_array() ||
      j.at("selling_points").size() < 2) {
    throw std::runtime_error("reply needs \"selling_points\": an array of at least 2 strings");
  }
  for (const auto& p : j.at("selling_points")) {
    if (!p.is_string() || p.get<std::string>().empty()) {
      throw std::runtime_error("\"selling_points\" must hold non-empty strings");
    }
    s.selling_points.push_back(p.get<std::string>());
    s.lines.push_back({ScriptPart::kSellingPoint, p.get<std::string>()});
  }
  s.lines.push_back({ScriptPart::kProof, NeedString(j, "proof")});
  s.lines.push_back({ScriptPart::kPromotion, NeedString(j, "promotion")});
  s.lines.push_back({ScriptPart::kCallToAction, NeedString(j, "call_to_action")});
  return s;
}

}  // namespace

Json LlmConfig::ToJson() const {
  return {{"enabled", enabled},
          {"url", url},
          {"model", model},
          {"timeout_ms", timeout_ms},
          {"api_key_env", api_key_env},
          {"temperature", temperature}};
}

LlmConfig LlmConfig::FromJson(const Json& j) {
  LlmConfig c;
  CheckKnownKeys(c.ToJson(), j, "creative.llm");
  const Json m = MergeJson(c.ToJson(), j);
  c.enabled = m.at("enabled").get<bool>();
  c.url = m.at("url").get<std::string>();
  c.model = m.at("model").get<std::string>();
  c.timeout_ms = m.at("timeout_ms").get<int>();
  c.api_key_env = m.at("api_key_env").get<std::string>();
  c.temperature = m.at("temperature").get<double>();
  if (c.enabled && (c.url.empty() || c.model.empty())) {
    throw ConfigError("creative.llm: enabled needs both \"url\" and \"model\"");
  }
  if (c.timeout_ms <= 0) throw ConfigError("creative.llm.timeout_ms must be > 0");
  return c;
}

LlmScriptWriter::LlmScriptWriter(LlmConfig config, const ScriptWriter& fallback)
    : config_(std::move(config)), fallback_(fallback) {}

Json LlmScriptWriter::RequestBody(const ScriptRequest& r) const {
  const ProductFacts& p = r.product;
  const bool zh = r.lang == "zh";
  Json facts = {{"title", p.title},
                {"category", p.category},
                {"price", p.price},
                {"final_price", p.final_price()},
                {"coupon", p.coupon},
                {"facts", p.facts},
                {"needs", p.needs},
                {"scene", std::string(SceneName(r.scene))},
                {"hook_style", std::string(HookStyleName(r.hook))},
                {"variant", r.variant}};
  const std::string system =
      "You write scripts for 15-30 second live-commerce short videos. Structure: a hook for the "
      "first 3 seconds in the requested hook style, 2-3 core selling points taken only from the "
      "given facts, one line of proof, the promotion (price and coupon), a call to action. Reply "
      "with one JSON object only: {\"hook\": str, \"selling_points\": [str, ...], \"proof\": str, "
      "\"promotion\": str, \"call_to_action\": str}. Keep every line under 20 words.";
  const std::string user =
      fmt::format("Language: {}. Product: {}", zh ? "Simplified Chinese" : "English", facts.dump());
  return {{"model", config_.model},
          {"temperature", config_.temperature},
          {"messages", Json::array({{{"role", "system"}, {"content", system}},
                                    {{"role", "user"}, {"content", user}}})}};
}

Script LlmScriptWriter::Write(const ScriptRequest& r) const {
  if (!config_.enabled) return fallback_.Write(r);
  Script fallback = fallback_.Write(r);  // validates the request too
  try {
    const Json reply = Json::parse(PostJson(config_, RequestBody(r).dump()));
    const Json& content = reply.at("choices").at(0).at("message").at("content");
    if (!content.is_string()) throw std::runtime_error("choices[0].message.content is not text");
    return ParseContent(content.get<std::string>(), r);
  } catch (const std::exception& e) {
    fallback.source = std::string("grammar (llm failed: ") + e.what() + ")";
    return fallback;
  }
}

}  // namespace cf
