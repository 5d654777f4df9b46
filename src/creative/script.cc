#include "creative/script.h"

#include <stdexcept>

namespace cf {

std::string_view ScriptPartName(ScriptPart p) {
  switch (p) {
    case ScriptPart::kHook:
      return "hook";
    case ScriptPart::kSellingPoint:
      return "selling_point";
    case ScriptPart::kProof:
      return "proof";
    case ScriptPart::kPromotion:
      return "promotion";
    case ScriptPart::kCallToAction:
      return "call_to_action";
  }
  return "?";
}

const std::string& Script::hook_text() const {
  static const std::string kEmpty;
  for (const auto& l : lines) {
    if (l.part == ScriptPart::kHook) return l.text;
  }
  return kEmpty;
}

std::string Script::FullText() const {
  std::string out;
  for (const auto& l : lines) {
    if (!out.empty() && lang != "zh") out += ' ';
    out += l.text;
  }
  return out;
}

nlohmann::json Script::ToJson() const {
  nlohmann::json j;
  j["lang"] = lang;
  j["hook"] = std::string(HookStyleName(hook));
  j["source"] = source;
  j["selling_points"] = selling_points;
  auto& lj = j["lines"] = nlohmann::json::array();
  for (const auto& l : lines) {
    lj.push_back({{"part", std::string(ScriptPartName(l.part))}, {"text", l.text}});
  }
  return j;
}

HookStyle ParseHookStyle(std::string_view name) {
  for (int i = 0; i < kNumHookStyles; ++i) {
    const auto h = static_cast<HookStyle>(i);
    if (HookStyleName(h) == name) return h;
  }
  throw std::invalid_argument("unknown hook style '" + std::string(name) +
                              "'; use one of question, pain_point, price_shock, scene, "
                              "social_proof");
}

}  // namespace cf
