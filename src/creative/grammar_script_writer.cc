#include "creative/grammar_script_writer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <stdexcept>

#include "common/random.h"
#include "creative/creative_data.h"

namespace cf {
namespace {

using Json = nlohmann::json;
using Vars = std::map<std::string, std::string>;

const char* const kLangs[] = {"zh", "en"};
const char* const kPointKinds[] = {"fact",     "need",  "brand", "size",
                                   "stock_up", "value", "scene", "quality"};
const std::set<std::string> kPlaceholders = {
    "title", "category", "price", "final_price", "coupon", "scene",    "point",
    "n",     "size",     "brand", "need",        "fact",   "was_price"};

[[noreturn]] void Fail(const std::string& origin, const std::string& what) {
  throw std::runtime_error(fmt::format(
      "script grammar {}: {} (the format is described in docs/creative.md)", origin, what));
}

// Checks that every {placeholder} of `rule` is known and every {@symbol} is defined.
void CheckRule(const std::string& origin, const std::string& path, const std::string& rule,
               const Json& symbols) {
  size_t pos = 0;
  while ((pos = rule.find('{', pos)) != std::string::npos) {
    const size_t end = rule.find('}', pos);
    if (end == std::string::npos)
      Fail(origin, fmt::format("{}: unclosed '{{' in \"{}\"", path, rule));
    const std::string name = rule.substr(pos + 1, end - pos - 1);
    if (!name.empty() && name[0] == '@') {
      if (!symbols.contains(name.substr(1))) {
        Fail(origin, fmt::format("{}: symbol '{}' is not defined in symbols", path, name));
      }
    } else if (!kPlaceholders.count(name)) {
      Fail(origin, fmt::format("{}: unknown placeholder '{{{}}}' in \"{}\"", path, name, rule));
    }
    pos = end + 1;
  }
}

void CheckList(const std::string& origin, const std::string& path, const Json& j,
               const Json& symbols) {
  if (!j.is_array() || j.empty()) Fail(origin, path + " must be a non-empty array of strings");
  for (const auto& r : j) {
    if (!r.is_string() || r.get<std::string>().empty()) {
      Fail(origin, path + " must contain only non-empty strings");
    }
    CheckRule(origin, path, r.get<std::string>(), symbols);
  }
}

const Json& Need(const std::string& origin, const Json& j, const std::string& key,
                 const std::string& path) {
  if (!j.is_object() || !j.contains(key)) Fail(origin, "missing key " + path + "." + key);
  return j.at(key);
}

void Validate(const Json& g, const std::string& origin) {
  if (!g.is_object() || g.value("format", "") != "chengfang-script-grammar/1") {
    Fail(origin, "\"format\" must be \"chengfang-script-grammar/1\"");
  }
  const Json& langs = Need(origin, g, "languages", "");
  for (const char* lang : kLangs) {
    const std::string p = std::string("languages.") + lang;
    const Json& l = Need(origin, langs, lang, "languages");
    const Json& symbols = Need(origin, l, "symbols", p);
    if (!symbols.is_object()) Fail(origin, p + ".symbols must be an object");
    for (const auto& [name, list] : symbols.items()) {
      CheckList(origin, p + ".symbols." + name, list, Json::object());
    }
    for (const char* key : {"joiner", "currency"}) {
      if (!Need(origin, l, key, p).is_string()) Fail(origin, p + "." + key + " must be a string");
    }
    const Json& scenes = Need(origin, l, "scene_names", p);
    for (int s = 0; s < kNumScenes; ++s) {
      const std::string name(SceneName(static_cast<Scene>(s)));
      if (!Need(origin, scenes, name, p + ".scene_names").is_string()) {
        Fail(origin, p + ".scene_names." + name + " must be a string");
      }
    }
    const Json& hook = Need(origin, l, "hook", p);
    for (int h = 0; h < kNumHookStyles; ++h) {
      const std::string name(HookStyleName(static_cast<HookStyle>(h)));
      CheckList(origin, p + ".hook." + name, Need(origin, hook, name, p + ".hook"), symbols);
    }
    const Json& points = Need(origin, l, "points", p);
    for (const char* kind : kPointKinds) {
      CheckList(origin, p + ".points." + kind, Need(origin, points, kind, p + ".points"), symbols);
    }
    for (const char* key : {"point_intro", "proof", "promotion", "promotion_coupon", "cta"}) {
      CheckList(origin, p + "." + key, Need(origin, l, key, p), symbols);
    }
  }
}

std::string FormatMoney(const std::string& currency, double v) {
  const double r = std::round(v * 100) / 100;
  if (std::fabs(r - std::round(r)) < 1e-9) return fmt::format("{}{:.0f}", currency, r);
  return fmt::format("{}{:.2f}", currency, r);
}

// A multiple of every list length up to 16 (lcm(1..16)), so (x mod kAnyCount) mod m == x mod m.
constexpr size_t kAnyCount = 720720;

// Deterministic choices keyed by (product, language, part, variant).
class Chooser {
 public:
  Chooser(const ScriptRequest& r) : base_(Mix64(HashName(r.product.title) ^ HashName(r.lang))) {}
  size_t Pick(std::string_view part, size_t n, uint64_t step) const {
    return (Mix64(base_ ^ HashName(part)) + step) % n;
  }
  size_t Random(std::string_view part, size_t n, uint64_t a, uint64_t b) const {
    return Mix64(base_ ^ HashName(part) ^ Mix64(a * 0x9e37 + b)) % n;
  }

 private:
  uint64_t base_;
};

class Expander {
 public:
  Expander(const Json& lang, const Chooser& chooser, uint32_t variant)
      : lang_(lang), chooser_(chooser), variant_(variant) {}

  // Expands one rule; returns "" when it needs a variable that is empty (the caller tries another).
  std::string Expand(const std::string& rule, const Vars& vars) {
    std::string out;
    size_t pos = 0;
    while (pos < rule.size()) {
      const size_t open = rule.find('{', pos);
      if (open == std::string::npos) {
        out += rule.substr(pos);
        break;
      }
      out += rule.substr(pos, open - pos);
      const size_t close = rule.find('}', open);
      const std::string name = rule.substr(open + 1, close - open - 1);
      if (name[0] == '@') {
        const Json& list = lang_.at("symbols").at(name.substr(1));
        out += list.at(chooser_.Random(name, list.size(), variant_, counter_++)).get<std::string>();
      } else {
        auto it = vars.find(name);
        if (it == vars.end() || it->second.empty()) return "";
        out += it->second;
      }
      pos = close + 1;
    }
    return out;
  }

  // Picks rule `step` (wrapping) among the rules that have all their variables.
  std::string PickFrom(const Json& list, size_t step, const Vars& vars) {
    std::vector<std::string> usable;
    for (const auto& rule : list) {
      std::string s = Expand(rule.get<std::string>(), vars);
      if (!s.empty()) usable.push_back(std::move(s));
    }
    return usable.empty() ? "" : usable[step % usable.size()];
  }

 private:
  const Json& lang_;
  const Chooser& chooser_;
  uint32_t variant_;
  uint64_t counter_ = 0;
};

Vars BaseVars(const ScriptRequest& r, const Json& lang) {
  const ProductFacts& p = r.product;
  const std::string currency =
      p.currency.empty() ? lang.at("currency").get<std::string>() : p.currency;
  Vars v;
  v["title"] = p.title;
  std::string category = p.category;
  if (r.lang == "en") std::transform(category.begin(), category.end(), category.begin(), ::tolower);
  if (category.empty()) category = r.lang == "zh" ? "好物" : "gear";
  v["category"] = category;
  v["price"] = FormatMoney(currency, p.price);
  v["final_price"] = FormatMoney(currency, p.final_price());
  v["coupon"] = p.coupon > 0 && p.coupon < p.price ? FormatMoney(currency, p.coupon) : "";
  v["was_price"] = v["coupon"].empty() ? "" : v["price"];  // only meaningful with a coupon
  v["scene"] = lang.at("scene_names").at(std::string(SceneName(r.scene))).get<std::string>();
  v["size"] = p.package_size;
  v["brand"] = p.brand;
  return v;
}

void CheckRequest(const ScriptRequest& r) {
  if (r.lang != "zh" && r.lang != "en") {
    throw std::invalid_argument("unknown language '" + r.lang + "'; use zh or en");
  }
  if (r.product.title.empty()) throw std::invalid_argument("the product has no title; give one");
  if (!(r.product.price > 0)) {
    throw std::invalid_argument(
        fmt::format("the product's price must be > 0 (got {})", r.product.price));
  }
}

}  // namespace

GrammarScriptWriter::GrammarScriptWriter(nlohmann::json grammar, std::string origin)
    : grammar_(std::move(grammar)) {
  Validate(grammar_, origin);
}

GrammarScriptWriter GrammarScriptWriter::Load(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) {
    throw std::runtime_error("cannot read script grammar " + file.string() +
                             " (set CHENGFANG_CREATIVE_DATA to the folder holding scripts/)");
  }
  Json j;
  try {
    j = Json::parse(in);
  } catch (const Json::parse_error& e) {
    throw std::runtime_error("script grammar " + file.string() + " is not valid JSON: " + e.what());
  }
  return GrammarScriptWriter(std::move(j), file.string());
}

GrammarScriptWriter GrammarScriptWriter::LoadDefault() {
  return Load(CreativeDataDir() / "scripts" / "grammar.json");
}

std::vector<SellingPoint> GrammarScriptWriter::SellingPoints(const ScriptRequest& r) const {
  CheckRequest(r);
  const Json& lang = grammar_.at("languages").at(r.lang);
  const Json& rules = lang.at("points");
  const Chooser chooser(r);
  Expander ex(lang, chooser, r.variant);
  Vars vars = BaseVars(r, lang);
  std::vector<SellingPoint> out;
  auto add = [&](const char* kind, uint64_t index) {
    const Json& list = rules.at(kind);
    std::string s = ex.PickFrom(list, chooser.Pick(kind, kAnyCount, r.variant + index), vars);
    if (!s.empty()) out.push_back({kind, std::move(s)});
  };
  for (size_t i = 0; i < r.product.facts.size(); ++i) {
    vars["fact"] = r.product.facts[i];
    add("fact", i);
  }
  for (size_t i = 0; i < r.product.needs.size(); ++i) {
    vars["need"] = r.product.needs[i];
    add("need", i);
  }
  if (r.product.national_brand || !r.product.brand.empty()) add("brand", 0);
  if (!r.product.package_size.empty()) add("size", 0);
  if (r.product.consumable) add("stock_up", 0);
  add("value", 0);
  if (r.scene != Scene::kNone) add("scene", 0);
  add("quality", 0);
  return out;
}

Script GrammarScriptWriter::Write(const ScriptRequest& r) const {
  std::vector<SellingPoint> candidates = SellingPoints(r);
  const Json& lang = grammar_.at("languages").at(r.lang);
  const Chooser chooser(r);
  Expander ex(lang, chooser, r.variant);
  Vars vars = BaseVars(r, lang);
  const uint32_t v = r.variant;

  Script s;
  s.lang = r.lang;
  s.hook = r.hook;
  s.source = "grammar";
  // Hook: usable rule (h + v%5 + v/5): variants that share a hook style (v%5 when the planner
  // cycles styles) still get different hooks.
  const Json& hooks = lang.at("hook").at(std::string(HookStyleName(r.hook)));
  s.lines.push_back(
      {ScriptPart::kHook,
       ex.PickFrom(hooks, chooser.Pick("hook", kAnyCount, v % kNumHookStyles + v / kNumHookStyles),
                   vars)});
  // Up to three selling points (at least two), rotated by the requested order.
  candidates.resize(std::min<size_t>(candidates.size(), 3));
  std::rotate(candidates.begin(), candidates.begin() + r.selling_point_order % candidates.size(),
              candidates.end());
  const Json& intro = lang.at("point_intro");
  for (size_t i = 0; i < candidates.size(); ++i) {
    vars["point"] = candidates[i].text;
    vars["n"] = std::to_string(i + 1);
    s.selling_points.push_back(candidates[i].text);
    s.lines.push_back({ScriptPart::kSellingPoint,
                       ex.PickFrom(intro, chooser.Pick("intro", kAnyCount, 3 * v + 2 * i), vars)});
  }
  const Json& proof = lang.at("proof");
  s.lines.push_back(
      {ScriptPart::kProof, ex.PickFrom(proof, chooser.Pick("proof", kAnyCount, 2 * v), vars)});
  const Json& promo = lang.at(vars["coupon"].empty() ? "promotion" : "promotion_coupon");
  s.lines.push_back(
      {ScriptPart::kPromotion, ex.PickFrom(promo, chooser.Pick("promotion", kAnyCount, v), vars)});
  const Json& cta = lang.at("cta");
  s.lines.push_back(
      {ScriptPart::kCallToAction, ex.PickFrom(cta, chooser.Pick("cta", kAnyCount, 3 * v), vars)});
  for (const auto& l : s.lines) {
    if (l.text.empty()) {
      throw std::runtime_error(fmt::format(
          "script grammar: no usable {} rule for this product (every rule needs a missing fact); "
          "add a rule without optional placeholders",
          ScriptPartName(l.part)));
    }
  }
  return s;
}

}  // namespace cf
