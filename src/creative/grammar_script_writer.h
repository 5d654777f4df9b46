// The built-in script writer: fills the live-commerce structure from a template grammar (a JSON
// data file, data/scripts/grammar.json; format in docs/creative.md).
// Promises: Write is deterministic — the same grammar and request give the same script — and
// different `variant` numbers, hook styles or selling-point orders give different phrasings (20
// variants of one product read differently). Load throws std::runtime_error naming the file and
// the bad key. Thread-safe after construction (Write is const and keeps no state).
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "creative/script_writer.h"

namespace cf {

// One candidate selling point of a product: its kind (fact, need, brand, size, stock_up, value,
// scene, quality) and its text in the script's language.
struct SellingPoint {
  std::string kind;
  std::string text;
};

class GrammarScriptWriter : public ScriptWriter {
 public:
  static GrammarScriptWriter Load(const std::filesystem::path& file);
  // The default grammar: CreativeDataDir()/scripts/grammar.json.
  static GrammarScriptWriter LoadDefault();
  explicit GrammarScriptWriter(nlohmann::json grammar, std::string origin = "grammar");

  Script Write(const ScriptRequest& request) const override;
  // The product's candidate selling points in priority order (before rotation), at least two.
  std::vector<SellingPoint> SellingPoints(const ScriptRequest& request) const;

 private:
  nlohmann::json grammar_;
};

}  // namespace cf
