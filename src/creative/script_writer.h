// Interface: writes one live-commerce script for a product. Implementations: GrammarScriptWriter
// (built-in, deterministic, from data/scripts/grammar.json) and LlmScriptWriter (an
// OpenAI-compatible chat endpoint that falls back to the built-in writer).
#pragma once

#include <cstdint>
#include <string>

#include "common/creative.h"
#include "creative/product_facts.h"
#include "creative/script.h"

namespace cf {

struct ScriptRequest {
  ProductFacts product;
  HookStyle hook = HookStyle::kQuestion;
  Scene scene = Scene::kNone;       // the template's scene, for scene hooks and phrasing
  std::string lang = "zh";          // "zh" or "en"
  uint8_t selling_point_order = 0;  // rotation of the product's selling points
  uint32_t variant = 0;             // variant number: different numbers pick different phrasings
};

class ScriptWriter {
 public:
  virtual ~ScriptWriter() = default;
  // Always returns a script with a hook, >= 2 selling points, a proof, a promotion and a call to
  // action. Throws std::invalid_argument for an unusable request (empty title, price <= 0,
  // unknown language).
  virtual Script Write(const ScriptRequest& request) const = 0;
};

}  // namespace cf
