#include "cli/merchant_install.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>

#include "cli/creative_factory.h"
#include "cli/insight_actions.h"
#include "cli/serve_command.h"
#include "creative/scene_template.h"
#include "insight/knowledge_graph_products.h"
#include "market/completejourney.h"
#include "server/action_routes.h"
#include "server/action_tools.h"
#include "server/http_server.h"
#include "sim/live_market.h"

namespace cf {
namespace {

struct MarketOptions {
  std::string state = "chengfang-state.sqlite";
  double speed = 60;
  std::string web = CF_WEB_DIST_DIR;
  std::string config;
  uint32_t users = 0, days = 0;
  uint64_t seed = 0;
  bool seed_set = false;
  bool quick = false;
  bool market = false;     // force the market with --conformance-fixtures
  bool no_market = false;  // MCP/HTTP only, no tools of the account
  std::string creatives;   // folder of generated videos ("": <state>.creatives)
};

SimConfig MarketConfig(const MarketOptions& o) {
  SimConfig c = o.quick ? SimConfig::Quick() : SimConfig{};
  if (!o.config.empty()) c = SimConfig::Load(o.config, c);  // the file's keys over --quick's
  // A live flight is longer than a report run: four weeks unless told otherwise.
  if (!o.days && o.config.empty()) c.scenario.days = o.quick ? 7 : 28;
  if (o.days) c.scenario.days = o.days;
  if (o.users) c.scenario.users = o.users;
  if (o.seed_set) c.scenario.seed = o.seed;
  c.scenario.write_events = false;
  return c;
}

using Json = nlohmann::json;

// The simulated market's own action: moving its clock.
void AddMarketActions(action::ActionApi& api, const std::shared_ptr<LiveMarket>& market) {
  action::ActionSpec spec;
  spec.name = "advance_market";
  spec.title = "Advance the simulated market";
  spec.description =
      "Runs the simulated market forward by some hours at full speed (the clock otherwise runs "
      "at --speed). Reports progress hour by hour and stops early when cancelled; returns the "
      "simulated time before and after.";
  spec.input_schema =
      action::ObjectSchema({{"hours",
                             {{"type", "integer"},
                              {"minimum", 1},
                              {"maximum", 168},
                              {"description", "Simulated hours to run (at most a week)"}}}},
                           {"hours"});
  spec.output_schema =
      action::ObjectSchema({{"from", {{"type", "object"}}},
                            {"to", {{"type", "object"}}},
                            {"hours_advanced", {{"type", "integer"}}},
                            {"cancelled", {{"type", "boolean"}}},
                            {"flight_over", {{"type", "boolean"}}},
                            {"message", {{"type", "string"}}}},
                           {"from", "to", "hours_advanced", "cancelled", "flight_over"});
  spec.read_only = false;
  spec.idempotent = false;
  api.AddAction(spec, [market](const Json& args, const action::CallContext& ctx) -> Json {
    if (!args.contains("hours") || !args["hours"].is_number_integer() ||
        args["hours"].get<int>() < 1 || args["hours"].get<int>() > 168) {
      throw action::ActionError::Invalid("'hours' must be an integer from 1 to 168");
    }
    const int hours = args["hours"].get<int>();
    const Json from = market->Status();
    int done = 0;
    bool cancelled = false;
    for (; done < hours; ++done) {
      if (ctx.cancelled && ctx.cancelled()) {
        cancelled = true;
        break;
      }
      if (market->Status()["flight_over"].get<bool>()) break;
      market->Advance(60);
      const Json now = market->Status();
      if (ctx.progress) {
        ctx.progress(done + 1, hours,
                     fmt::format("simulated day {} {}", now["day"].get<int>(),
                                 now["clock"].get<std::string>()));
      }
    }
    const Json to = market->Status();
    return {
        {"from", from},
        {"to", to},
        {"hours_advanced", done},
        {"cancelled", cancelled},
        {"flight_over", to["flight_over"]},
        {"message",
         fmt::format("Advanced {} of {} simulated hours: day {} {} -> day {} {}{}", done, hours,
                     from["day"].get<int>(), from["clock"].get<std::string>(), to["day"].get<int>(),
                     to["clock"].get<std::string>(), cancelled ? " (cancelled)" : "")}};
  });
}

// Adds URLs (under /creatives) to a manifest's entries made in `dir` below `root`.
Json WithUrls(Json manifest, const std::filesystem::path& root, const std::filesystem::path& dir) {
  const std::string base = "/creatives/" + std::filesystem::relative(dir, root).generic_string();
  for (Json& e : manifest) {
    if (!e.value("file", "").empty()) e["url"] = base + "/" + e["file"].get<std::string>();
    if (!e.value("thumbnail", "").empty()) {
      e["thumbnail_url"] = base + "/" + e["thumbnail"].get<std::string>();
    }
    e["in_market"] = false;
  }
  return manifest;
}

// The creative factory as actions: make videos for a product; list what was made.
void AddCreativeActions(action::ActionApi& api, const std::shared_ptr<LiveMarket>& market,
                        const std::filesystem::path& root) {
  namespace fs = std::filesystem;
  action::ActionSpec gen;
  gen.name = "generate_creatives";
  gen.title = "Generate video creatives";
  gen.description =
      "The creative factory for one of the merchant's products: live-commerce scripts and short "
      "videos (9:16, subtitles, product card, music, voice-over) in several variants across scene "
      "templates and hooks. Long: reports progress per variant and stops between variants when "
      "cancelled. The videos are served under /creatives.";
  gen.input_schema = action::ObjectSchema(
      {{"product_id", {{"type", "integer"}, {"minimum", 0}}},
       {"variants", {{"type", "integer"}, {"minimum", 1}, {"maximum", 6}, {"default", 3}}},
       {"language", {{"type", "string"}, {"enum", {"zh", "en"}}, {"default", "zh"}}},
       {"duration_s", {{"type", "integer"}, {"enum", {15, 30}}, {"default", 15}}}},
      {"product_id"});
  gen.output_schema = action::ObjectSchema({{"product_id", {{"type", "integer"}}},
                                            {"creatives", {{"type", "array"}}},
                                            {"cancelled", {{"type", "boolean"}}},
                                            {"message", {{"type", "string"}}}},
                                           {"product_id", "creatives", "cancelled"});
  gen.read_only = false;
  gen.idempotent = false;
  api.AddAction(gen, [market, root](const Json& args, const action::CallContext& ctx) -> Json {
    const Catalogue& cat = market->catalogue();
    if (!args["product_id"].is_number_integer() || args["product_id"].get<int64_t>() < 0) {
      throw action::ActionError::Invalid("'product_id' must be a product id");
    }
    const auto id = args["product_id"].get<int64_t>();
    if (static_cast<size_t>(id) >= cat.products.size() ||
        cat.product(static_cast<ProductId>(id)).merchant != market->merchant()) {
      throw action::ActionError::Invalid(fmt::format(
          "product {} is not one of this merchant's products; search_products lists them", id));
    }
    FactoryRun run;
    run.product = FactsFromCatalogue(cat, static_cast<ProductId>(id));
    run.lang = args.value("language", "zh");
    if (run.lang != "zh" && run.lang != "en") {
      throw action::ActionError::Invalid("'language' must be zh or en");
    }
    run.n = args.value("variants", 3);
    if (run.n < 1 || run.n > 6) throw action::ActionError::Invalid("'variants' must be 1 to 6");
    const int duration = args.value("duration_s", 15);
    if (duration != 15 && duration != 30) {
      throw action::ActionError::Invalid("'duration_s' must be 15 or 30");
    }
    const TemplateLibrary lib = TemplateLibrary::LoadDefault();
    for (const auto& t : lib.all()) run.axes.templates.push_back(t.name);
    run.axes.durations = {static_cast<uint16_t>(duration)};
    run.axes.voices = {run.lang + "-female", run.lang + "-male"};
    run.render.width = 540;  // small and quick; `chengfang creative make` renders full size
    run.render.height = 960;
    const fs::path product_dir = root / std::to_string(id);
    std::error_code ec;
    fs::create_directories(product_dir, ec);
    size_t k = 1;
    while (fs::exists(product_dir / fmt::format("run-{:03d}", k))) ++k;
    const fs::path dir = product_dir / fmt::format("run-{:03d}", k);
    run.out_dir = dir.string();
    FactoryHooks hooks;
    hooks.progress = [&ctx](double f, size_t finished, size_t n) {
      if (ctx.progress) {
        ctx.progress(f * static_cast<double>(n), static_cast<double>(n),
                     fmt::format("rendering variants: {} of {} done", finished, n));
      }
    };
    bool cancelled = false;
    hooks.cancelled = [&] { return cancelled = ctx.cancelled && ctx.cancelled(); };
    Json manifest;
    try {
      manifest = RunFactory(run, hooks);
    } catch (const std::invalid_argument& e) {
      throw action::ActionError::Invalid(e.what());
    } catch (const std::exception& e) {
      throw action::ActionError("internal", 500, fmt::format("rendering failed: {}", e.what()));
    }
    return {{"product_id", id},
            {"creatives", WithUrls(manifest, root, dir)},
            {"cancelled", cancelled},
            {"message",
             fmt::format("Made {} video creative{} for product {}{}.", manifest.size(),
                         manifest.size() == 1 ? "" : "s", id, cancelled ? " (cancelled)" : "")}};
  });

  action::ActionSpec list;
  list.name = "list_creatives";
  list.title = "List creatives";
  list.description =
      "The creatives of the merchant's products. creatives: the videos the creative factory "
      "made (newest first) with template, hook, language and video URL; in_market tells whether "
      "one is being served (rotate_creatives with new_creatives puts it there). in_market: the "
      "creatives the market serves "
      "for products in ad plans, live or paused, with impressions, CTR, age and the wear-out "
      "test's state (learning, healthy, worn_out); rotate_creatives replaces worn ones.";
  list.input_schema =
      action::ObjectSchema({{"product_id", {{"type", "integer"}, {"minimum", 0}}}}, {});
  list.output_schema = action::ObjectSchema(
      {{"creatives", {{"type", "array"}}}, {"in_market", {{"type", "array"}}}}, {"creatives"});
  api.AddAction(list, [root, market](const Json& args, const action::CallContext&) -> Json {
    Json out = Json::array();
    std::optional<ProductId> product;
    if (args.contains("product_id")) {
      if (!args["product_id"].is_number_integer() || args["product_id"].get<int64_t>() < 0) {
        throw action::ActionError::Invalid(
            fmt::format("'product_id' must be a product id, got {}", args["product_id"].dump()));
      }
      product = args["product_id"].get<ProductId>();
    }
    const Json in_market = market->api().MarketCreatives(product);
    std::error_code ec;
    if (!fs::is_directory(root, ec)) return {{"creatives", out}, {"in_market", in_market}};
    std::vector<fs::path> manifests;
    for (const auto& e : fs::recursive_directory_iterator(root, ec)) {
      if (e.path().filename() == "manifest.json") manifests.push_back(e.path());
    }
    std::sort(manifests.rbegin(), manifests.rend());
    for (const fs::path& m : manifests) {
      const Json j = Json::parse(std::ifstream(m), nullptr, false);
      if (!j.is_array()) continue;
      for (Json e : WithUrls(j, root, m.parent_path())) {
        if (args.contains("product_id") && e.value("product", -1) != args["product_id"]) continue;
        // Served when a live creative in the market is this video (rotate_creatives put it there).
        for (const Json& c : in_market) {
          if (c.value("live", false) && !e.value("url", "").empty() &&
              c.value("media", "") == e.value("url", "")) {
            e["in_market"] = true;
            e["creative_id"] = c["creative_id"];
          }
        }
        out.push_back(std::move(e));
      }
    }
    return {{"creatives", out}, {"in_market", in_market}};
  });
}

void Install(const MarketOptions& o, ServeContext& ctx) {
  const bool build = o.market || (!o.no_market && !ctx.options.conformance_fixtures);
  if (build) {
    LiveMarketOptions lo;
    lo.data_dir = ctx.options.data_dir.empty() ? DefaultDataDir()
                                               : std::filesystem::path(ctx.options.data_dir);
    lo.state_path = o.state;
    lo.speed = o.speed;
    auto market = std::make_shared<LiveMarket>(MarketConfig(o), lo);
    AddMarketActions(market->api(), market);
    const std::filesystem::path creatives = o.creatives.empty()
                                                ? std::filesystem::path(o.state + ".creatives")
                                                : std::filesystem::path(o.creatives);
    AddCreativeActions(market->api(), market, creatives);
    AddInsightActions(market->api(), market, {lo.data_dir, kg::DefaultCuratedGraph()});
    const std::string actor = ctx.http ? "merchant:mcp" : "merchant:mcp-stdio";
    server::InstallActionTools(ctx.registry, market->api(), actor);
    if (ctx.http) {
      server::MountActionRoutes(*ctx.http, market->api(), [market] { return market->Status(); });
      std::error_code ec;
      std::filesystem::create_directories(creatives, ec);
      if (!ctx.http->Mount("/creatives", creatives.string())) {
        throw std::runtime_error(
            fmt::format("cannot create the creatives folder {}; pass another with --creatives",
                        creatives.string()));
      }
    }
    market->Start();
    fmt::print(stderr,
               "chengfang: market running at {} simulated minutes per minute; state in {}\n",
               o.speed, o.state);
    // The market lives until shutdown: the stop hook stops its clock and releases it.
    ctx.OnStop([market]() mutable { market->Stop(); });
  }
  if (ctx.http && !o.web.empty()) {
    // The console's files are public (they hold no data); its API calls carry the token.
    ctx.http->AllowWithoutToken([](const httplib::Request& req) {
      return (req.method == "GET" || req.method == "HEAD") && req.path.rfind("/api/", 0) != 0 &&
             req.path.rfind("/mcp", 0) != 0 && req.path != "/openapi.json";
    });
    if (!ctx.http->Mount("/", o.web)) {
      fmt::print(stderr,
                 "chengfang serve: no dashboard at {} (build it with web/build.sh, or pass --web "
                 "DIR); the APIs are served\n",
                 o.web);
    }
  }
}

}  // namespace

void AddMerchantServeCommands(CLI::App& app) {
  auto opts = std::make_shared<MarketOptions>();
  AddServeCommands(app, [opts](ServeContext& ctx) { Install(*opts, ctx); });
  for (const char* name : {"serve", "mcp"}) {
    CLI::App* cmd = app.get_subcommand(name);
    cmd->add_option("--state", opts->state,
                    "SQLite state file: the audit log, replayed on restart to resume")
        ->capture_default_str();
    cmd->add_option("--speed", opts->speed,
                    "Simulated minutes per real minute (60: one simulated hour a minute)")
        ->capture_default_str()
        ->check(CLI::Range(1.0, 100000.0));
    cmd->add_option("--config", opts->config, "JSON config of the world (docs/config.md)");
    cmd->add_option("--users", opts->users, "Simulated users")->check(CLI::Range(100, 10000000));
    cmd->add_option("--days", opts->days, "Length of the live flight in simulated days (28)")
        ->check(CLI::Range(1, 365));
    cmd->add_option("--seed", opts->seed, "Random seed of the world")
        ->each([opts](const std::string&) { opts->seed_set = true; });
    cmd->add_flag("--quick", opts->quick, "A small world (5,000 users) that starts in seconds");
    cmd->add_flag("--market", opts->market, "Build the market even with --conformance-fixtures");
    cmd->add_flag("--no-market", opts->no_market,
                  "Serve MCP without the merchant's market and tools");
    cmd->add_option("--creatives", opts->creatives,
                    "Folder for generated video creatives (default: <state>.creatives)");
    if (std::string(name) == "serve") {
      cmd->add_option("--web", opts->web, "Folder of the built dashboard (web/dist)")
          ->capture_default_str();
    }
  }
}

}  // namespace cf
