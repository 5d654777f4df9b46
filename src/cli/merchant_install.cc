#include "cli/merchant_install.h"

#include <fmt/format.h>

#include <filesystem>
#include <memory>

#include "cli/serve_command.h"
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
};

SimConfig MarketConfig(const MarketOptions& o) {
  SimConfig c = o.quick ? SimConfig::Quick() : SimConfig{};
  if (!o.config.empty()) c = SimConfig::Load(o.config);
  // A live flight is longer than a report run: four weeks unless told otherwise.
  if (!o.days && o.config.empty()) c.scenario.days = o.quick ? 7 : 28;
  if (o.days) c.scenario.days = o.days;
  if (o.users) c.scenario.users = o.users;
  if (o.seed_set) c.scenario.seed = o.seed;
  c.scenario.write_events = false;
  return c;
}

// Tools of the simulated market itself (not of the account): moving its clock.
void InstallMarketTools(mcp::Registry& registry, const std::shared_ptr<LiveMarket>& market) {
  using Json = nlohmann::json;
  mcp::Tool t;
  t.name = "advance_market";
  t.title = "Advance the simulated market";
  t.description =
      "Runs the simulated market forward by some hours at full speed (the clock otherwise runs "
      "at --speed). Reports progress hour by hour and stops early when cancelled; returns the "
      "simulated time before and after.";
  t.input_schema = {{"type", "object"},
                    {"properties",
                     {{"hours",
                       {{"type", "integer"},
                        {"minimum", 1},
                        {"maximum", 168},
                        {"description", "Simulated hours to run (at most a week)"}}}}},
                    {"required", {"hours"}},
                    {"additionalProperties", false}};
  t.output_schema = {{"type", "object"},
                     {"properties",
                      {{"from", {{"type", "object"}}},
                       {"to", {{"type", "object"}}},
                       {"hours_advanced", {{"type", "integer"}}},
                       {"cancelled", {{"type", "boolean"}}},
                       {"flight_over", {{"type", "boolean"}}}}},
                     {"required", {"from", "to", "hours_advanced", "cancelled", "flight_over"}}};
  t.idempotent = false;
  t.handler = [market](const Json& args, mcp::ToolContext& ctx) {
    const int hours = args.at("hours").get<int>();
    const Json from = market->Status();
    int done = 0;
    bool cancelled = false;
    for (; done < hours; ++done) {
      if (ctx.cancelled()) {
        cancelled = true;
        break;
      }
      if (market->Status()["flight_over"].get<bool>()) break;
      market->Advance(60);
      const Json now = market->Status();
      ctx.progress(done + 1, hours,
                   fmt::format("simulated day {} {}", now["day"].get<int>(),
                               now["clock"].get<std::string>()));
    }
    const Json to = market->Status();
    mcp::ToolResult r;
    r.structured = {{"from", from},
                    {"to", to},
                    {"hours_advanced", done},
                    {"cancelled", cancelled},
                    {"flight_over", to["flight_over"]}};
    r.text =
        fmt::format("Advanced {} of {} simulated hours: day {} {} -> day {} {}{}", done, hours,
                    from["day"].get<int>(), from["clock"].get<std::string>(), to["day"].get<int>(),
                    to["clock"].get<std::string>(), cancelled ? " (cancelled)" : "");
    return r;
  };
  registry.AddTool(std::move(t));
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
    const std::string actor = ctx.http ? "merchant:mcp" : "merchant:mcp-stdio";
    server::InstallActionTools(ctx.registry, market->api(), actor);
    if (ctx.http) {
      server::MountActionRoutes(*ctx.http, market->api(), [market] { return market->Status(); });
    }
    InstallMarketTools(ctx.registry, market);
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
    if (std::string(name) == "serve") {
      cmd->add_option("--web", opts->web, "Folder of the built dashboard (web/dist)")
          ->capture_default_str();
    }
  }
}

}  // namespace cf
