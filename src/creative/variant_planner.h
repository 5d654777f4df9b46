// Plans creative variants: combinations of hook style, selling-point order, scene template,
// duration, music style and voice, de-duplicated, spread so that consecutive variants differ in
// as many attributes as possible. Promises: deterministic; never returns two variants with the
// same attributes; returns fewer than asked only when the axes have fewer combinations.
#pragma once

#include <string>
#include <vector>

#include "common/creative.h"
#include "creative/scene_template.h"
#include "creative/script.h"

namespace cf {

struct VariantAxes {
  std::vector<HookStyle> hooks;            // empty = all five
  std::vector<std::string> templates;      // template names; required, >= 1
  std::vector<uint16_t> durations = {15};  // seconds
  std::vector<std::string> music_styles;   // empty = each template's own style
  std::vector<std::string> voices = {""};  // "" = no voice-over
  int selling_point_orders = 3;            // rotations tried (1 = keep the order)
};

struct VariantSpec {
  uint32_t index = 0;  // 0-based, in plan order
  HookStyle hook = HookStyle::kQuestion;
  uint8_t selling_point_order = 0;
  std::string template_name;
  uint16_t duration_s = 15;
  std::string music_style;  // "" = the template's own
  std::string voice;
  std::string Key() const;  // the attributes, for de-duplication
};

std::vector<VariantSpec> PlanVariants(const VariantAxes& axes, int n);

// The observable attributes of a made variant, as the common Creative entity (media paths and
// frame size are filled in by the caller once rendered).
Creative DescribeVariant(const VariantSpec& v, const Script& script, const SceneTemplate& t,
                         ProductId product);

}  // namespace cf
