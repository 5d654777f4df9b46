#include "sim/sim_config.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "common/json_config.h"
#include "strategy/super_plan.h"

namespace cf {

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ScenarioConfig, days, users, seed, products,
                                                merchants, our_products, our_budget, our_goal_roi,
                                                objective, autopilot, tap, lp_limit, write_events,
                                                diagnosis, insight_lift)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(PlatformConfig, reserve_cpm, even_delivery,
                                                predictor, predictor_load, creatives, creative_pool,
                                                user_history_events, user_history_half_life,
                                                search_expansion, knowledge_graph)

nlohmann::json SimConfig::ToJson() const {
  return {{"scenario", scenario}, {"market", market.ToJson()}, {"platform", platform}};
}

SimConfig SimConfig::FromJson(const nlohmann::json& j) {
  const SimConfig defaults;
  CheckKnownKeys(defaults.ToJson(), j, "");
  SimConfig c;
  try {
    if (j.contains("scenario")) c.scenario = j.at("scenario").get<ScenarioConfig>();
    if (j.contains("platform")) c.platform = j.at("platform").get<PlatformConfig>();
  } catch (const nlohmann::json::exception& e) {
    throw ConfigError(fmt::format("config: {}", e.what()));
  }
  if (j.contains("market")) c.market = MarketConfig::FromJson(j.at("market"));
  const ScenarioConfig& s = c.scenario;
  if (s.days < 1) throw ConfigError("scenario.days must be at least 1");
  if (s.users < 100) throw ConfigError("scenario.users must be at least 100");
  if (s.products < 100) throw ConfigError("scenario.products must be at least 100");
  if (s.merchants < 2) throw ConfigError("scenario.merchants must be at least 2");
  if (s.our_products < 1) throw ConfigError("scenario.our_products must be at least 1");
  if (!(s.our_budget > 0)) throw ConfigError("scenario.our_budget must be positive");
  if (!(s.our_goal_roi > 0)) throw ConfigError("scenario.our_goal_roi must be positive");
  if (!ParseObjective(s.objective)) {
    throw ConfigError(
        fmt::format("scenario.objective '{}' is unknown; use gmv_roi, conversions_cpa, profit or "
                    "business_efficiency",
                    s.objective));
  }
  if (s.autopilot != "super_plan" && s.autopilot != "media_buyer" && s.autopilot != "uniform") {
    throw ConfigError(fmt::format(
        "scenario.autopilot '{}' is unknown; use super_plan, media_buyer or uniform", s.autopilot));
  }
  if (c.platform.reserve_cpm < 0) throw ConfigError("platform.reserve_cpm must not be negative");
  if (c.platform.creatives != "single" && c.platform.creatives != "uniform" &&
      c.platform.creatives != "thompson" && c.platform.creatives != "bandit" &&
      c.platform.creatives != "oracle") {
    throw ConfigError(fmt::format(
        "platform.creatives '{}' is unknown; use single, uniform, thompson, bandit or oracle (the "
        "evaluation-only oracle that knows the market's hidden creative qualities)",
        c.platform.creatives));
  }
  if (c.platform.creative_pool < 1 || c.platform.creative_pool > 16) {
    throw ConfigError("platform.creative_pool must be between 1 and 16");
  }
  if (c.platform.predictor != "smoothed" && c.platform.predictor != "learned") {
    throw ConfigError(fmt::format("platform.predictor '{}' is unknown; use smoothed or learned",
                                  c.platform.predictor));
  }
  if (c.platform.user_history_events > 256) {
    throw ConfigError(fmt::format(
        "platform.user_history_events {} is too large; use 0 for the whole history or 1-256 for "
        "only the last N behaviours",
        c.platform.user_history_events));
  }
  if (c.platform.user_history_half_life > 1000000) {
    throw ConfigError(fmt::format(
        "platform.user_history_half_life {} is too large; use 0 for no decay or 1-1000000 "
        "behaviours",
        c.platform.user_history_half_life));
  }
  if (c.platform.user_history_half_life > 0 && c.platform.user_history_events > 0) {
    throw ConfigError(
        "platform.user_history_half_life and platform.user_history_events are two different user "
        "states (a decayed whole history, or only the last N behaviours); set one of them");
  }
  const std::string& se = c.platform.search_expansion;
  if (se != "kg" && se != "kg_only" && se != "none") {
    throw ConfigError(fmt::format(
        "platform.search_expansion '{}' is unknown; use kg (the knowledge graph beside the "
        "categories learned from behaviour), kg_only or none",
        se));
  }
  if (!c.platform.knowledge_graph.empty()) {
    std::error_code ec;
    if (se == "none") {
      throw ConfigError(
          "platform.knowledge_graph is read only for search expansion; set "
          "platform.search_expansion to kg or kg_only, or leave knowledge_graph empty");
    }
    if (!std::filesystem::is_regular_file(c.platform.knowledge_graph, ec)) {
      throw ConfigError(fmt::format(
          "platform.knowledge_graph '{}' is not a file; give a graph in the chengfang-kg format "
          "(docs/knowledge-graph.md), e.g. data/kg/curated.kg, or leave it empty for that one",
          c.platform.knowledge_graph));
    }
  }
  if (!c.platform.predictor_load.empty()) {
    if (c.platform.predictor != "learned") {
      throw ConfigError(
          "platform.predictor_load is a saved learned ranking model; set platform.predictor to "
          "\"learned\" or leave predictor_load empty");
    }
    std::error_code ec;
    if (!std::filesystem::is_regular_file(c.platform.predictor_load, ec)) {
      throw ConfigError(fmt::format(
          "platform.predictor_load '{}' is not a file; give the ranking_model.bin a run with the "
          "learned predictor wrote (out/<run>/ranking_model.bin)",
          c.platform.predictor_load));
    }
  }
  return c;
}

SimConfig SimConfig::Load(const std::string& path) { return Load(path, SimConfig{}); }

SimConfig SimConfig::Load(const std::string& path, const SimConfig& base) {
  std::ifstream in(path);
  if (!in) throw ConfigError(fmt::format("cannot open config file {}", path));
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    throw ConfigError(fmt::format("config file {} is not valid JSON: {}", path, e.what()));
  }
  if (!j.is_object()) {
    throw ConfigError(
        fmt::format("config file {} must hold a JSON object (see docs/config.md)", path));
  }
  nlohmann::json merged = base.ToJson();
  merged.merge_patch(j);
  try {
    CheckKnownKeys(SimConfig{}.ToJson(), j, "");  // unknown keys are named as the file has them
    return FromJson(merged);
  } catch (const ConfigError& e) {
    throw ConfigError(fmt::format("config file {}: {}", path, e.what()));
  }
}

SimConfig SimConfig::Quick() {
  SimConfig c;
  c.scenario.days = 1;
  c.scenario.users = 5000;
  c.scenario.products = 3000;
  c.scenario.merchants = 60;
  c.scenario.our_budget = 300;
  c.market.traffic.sessions_per_user_per_day = 3.5;  // CI-sized traffic
  c.market.population.heavy_user_share = 0.004;
  c.market.population.heavy_min_events = 10000;
  c.market.population.heavy_max_events = 11000;
  c.market.content.organic_items = 4000;
  c.market.influencers.count = 40;
  c.market.influencers.posts_per_day = 5;  // the full world's rate per creator (40 a day for 300)
  return c;
}

}  // namespace cf
