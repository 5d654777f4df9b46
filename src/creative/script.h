// A live-commerce script: the ordered lines of one short video (hook, selling points, proof,
// promotion, call to action), in one language. Plain data plus JSON (de)serialisation; the JSON
// format is documented in docs/creative.md.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/creative.h"

namespace cf {

enum class ScriptPart : uint8_t { kHook = 0, kSellingPoint, kProof, kPromotion, kCallToAction };
inline constexpr int kNumScriptParts = 5;
std::string_view ScriptPartName(ScriptPart p);

struct ScriptLine {
  ScriptPart part = ScriptPart::kHook;
  std::string text;
};

struct Script {
  std::string lang = "zh";
  HookStyle hook = HookStyle::kQuestion;
  std::vector<ScriptLine> lines;            // hook first, call to action last
  std::vector<std::string> selling_points;  // the points used, in order (short form)
  std::string source = "grammar";           // "grammar", "llm", or "grammar (llm failed: <why>)"

  const std::string& hook_text() const;
  // All lines joined with one space (zh: no space), for tests and logs.
  std::string FullText() const;
  nlohmann::json ToJson() const;
};

// Parses a hook style name ("question", "pain_point", ...); throws std::invalid_argument naming
// the valid names.
HookStyle ParseHookStyle(std::string_view name);

}  // namespace cf
