// Plain-language diagnosis reports, in English or Chinese: what changed and by how much, the
// split of the ROI change into its drivers, the likely cause with its evidence, other candidate
// causes, and the suggested actions with their expected effect.
//
// Promises: deterministic text (UTF-8); pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "diagnosis/diagnosis_input.h"
#include "diagnosis/sub_agents.h"

namespace cf::diagnosis {

enum class Lang : uint8_t { kEn, kZh };
// "en" or "zh" (also "zh-CN", "cn"); anything else throws std::invalid_argument naming it.
Lang ParseLang(std::string_view text);

// One action in words, e.g. "rotate creative spring-v2 (expected ROI +12%)".
std::string DescribeAction(const Action& a, const DiagnosisInput& in, Lang lang);
std::string RenderReport(const Diagnosis& d, const DiagnosisInput& in, Lang lang);

}  // namespace cf::diagnosis
