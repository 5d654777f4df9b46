// The live market behind `chengfang serve`: the simulated marketplace running in real time (a
// speed factor of simulated minutes per real minute) with one merchant's account open to the
// action API. Merchants' changes go through the action API and its audit log in a SQLite state
// file; a restarted server rebuilds the same world from the same configuration and seed and
// replays the journal (merchants' changes at their simulated minutes) to resume where it stopped.
// Promises: the state file is never rewritten, only appended to; a state file made with another
// configuration is refused (with what to do) before anything runs; stepping and actions are
// serialised on the action API's mutex, so every call sees a consistent minute.
#pragma once

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "action/account.h"
#include "action/action_api.h"
#include "sim/sim_config.h"

namespace cf {

class Loop;
class World;
class WorldSpec;
class EventLog;

struct LiveMarketOptions {
  std::filesystem::path data_dir;
  std::string state_path = "chengfang-state.sqlite";  // ":memory:": nothing kept
  double speed = 60;  // simulated minutes per real minute (60: an hour a minute)
  FILE* progress_out = stderr;
  action::Guardrails guardrails;
};

class LiveMarket : public action::Account {
 public:
  // Builds the world (progress on options.progress_out), opens the state file and replays it.
  // Throws std::runtime_error / ConfigError with a message saying what to do.
  LiveMarket(const SimConfig& config, LiveMarketOptions options);
  ~LiveMarket() override;

  // Starts / stops the background clock. Stop is idempotent.
  void Start();
  void Stop();
  // Simulates `minutes` now (tests, fast-forward); stops early at the end of the flight.
  void Advance(uint32_t minutes);

  action::ActionApi& api() { return *api_; }
  // Simulated time, speed, flight bounds, whether the clock runs.
  nlohmann::json Status();
  void set_speed(double minutes_per_minute) { speed_ = minutes_per_minute; }

  // action::Account (called with the API's mutex held).
  Platform& platform() override;
  const Catalogue& catalogue() const override;
  MerchantId merchant() const override;
  size_t users() const override;
  SimMinute now() const override;
  SimMinute flight_start() const override;
  PlanId AddSuperPlan(const SuperPlan& sp) override;
  void RetargetSuperPlan(PlanId id, double total_budget, double target) override;
  double PilotAlpha(PlanId id) const override;
  void IssueCoupons(ProductId p, Money value, SimMinute expires,
                    const std::vector<UserId>& users) override;
  std::vector<action::InfluencerProfile> Influencers() const override;
  action::InfluencerOrder OrderInfluencerPost(InfluencerId i, ProductId p, Money fee) override;
  std::vector<action::InfluencerOrder> InfluencerOrders() const override;

 private:
  void StepLocked();
  void Replay();
  void Run();

  SimConfig config_;
  LiveMarketOptions options_;
  std::unique_ptr<WorldSpec> spec_;
  std::unique_ptr<EventLog> history_;
  std::vector<QueryId> qids_;
  MerchantId merchant_ = kNoId;
  std::unique_ptr<Loop> loop_;
  std::unique_ptr<action::StateStore> store_;
  std::unique_ptr<action::ActionApi> api_;
  std::vector<CategoryId> creator_category_;  // per creator: the category of most of its videos
  std::vector<size_t> our_posts_;             // our orders: indices of the world's posts
  bool replaying_ = false;
  std::atomic<double> speed_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace cf
