#include "sim/live_market.h"

#include <fmt/format.h>

#include <chrono>
#include <stdexcept>
#include <unordered_map>

#include "common/event_log.h"
#include "common/json_config.h"
#include "market/completejourney.h"
#include "market/faults.h"
#include "market/history.h"
#include "market/world.h"
#include "sim/loop.h"
#include "sim/simulation.h"

namespace cf {

LiveMarket::LiveMarket(const SimConfig& config, LiveMarketOptions options)
    : config_(config), options_(std::move(options)), speed_(options_.speed) {
  if (!(options_.speed > 0) || options_.speed > 100000) {
    throw ConfigError(fmt::format(
        "a speed of {} simulated minutes per minute is out of range; use 1 to 100000 (60 = one "
        "simulated hour per real minute)",
        options_.speed));
  }
  // Open the state first: a wrong file must fail before minutes of world building.
  store_ = std::make_unique<action::StateStore>(options_.state_path);
  const std::string config_text = config_.ToJson().dump();
  if (auto saved = store_->GetMeta("config"); saved && *saved != config_text) {
    throw ConfigError(fmt::format(
        "the state file {} was made with another configuration (world size, seed or market); "
        "run with the same --config/--users/--days/--seed, or start afresh with another --state",
        options_.state_path));
  }
  const ScenarioConfig& sc = config_.scenario;
  FILE* out = options_.progress_out;
  auto stage = [out](const std::string& what, double f) {
    if (!out) return;
    fmt::print(out, "\r{:<40} {:5.1f}%", what, 100 * f);
    if (f >= 1.0) fmt::print(out, "\n");
    std::fflush(out);
  };
  LoadOptions lo;
  lo.max_products = sc.products;
  lo.merchants = sc.merchants;
  lo.seed = sc.seed;
  stage("loading Complete Journey data", 0);
  RealData data = LoadCompleteJourney(options_.data_dir / "completejourney", lo);
  stage("loading Complete Journey data", 1);
  spec_ = WorldSpec::Build(std::move(data), config_.market, sc.users, sc.days, sc.seed, stage);
  history_ = EventLog::InMemory();
  GenerateHistory(*spec_, *history_, &qids_, [&](const std::string&, double f) {
    stage("generating pre-campaign history", f);
  });
  // What the platform knows of each creator's videos: the category most of them are about.
  {
    std::vector<std::unordered_map<CategoryId, uint32_t>> counts(spec_->influencers().size());
    for (const ContentItem& c : spec_->contents()) {
      if (c.creator < counts.size()) ++counts[c.creator][c.category];
    }
    creator_category_.assign(counts.size(), kNoId);
    for (size_t i = 0; i < counts.size(); ++i) {
      uint32_t best = 0;
      for (const auto& [cat, n] : counts[i]) {
        if (n > best || (n == best && cat < creator_category_[i])) {
          best = n;
          creator_category_[i] = cat;
        }
      }
    }
  }
  OurSelection ours = ChooseOurMerchant(*spec_, sc.our_products);
  merchant_ = ours.merchant;
  // Every product of the account is the merchant's to market: the world sends no competitor
  // coupons or sponsored posts for them, and faults aimed at "ours" reach all of them.
  ours.products = spec_->catalogue().merchants.at(merchant_).products;
  RunSetup setup = MakeRunSetup("live", *spec_, *history_, qids_, ours, config_);
  setup.policy = "none";
  // The configuration's scripted events (faults and competitor moves) happen in the live market
  // too: they are what its diagnosis finds.
  setup.faults = ResolveFaults(*spec_, config_.market.faults, ours.products);
  // A live flight runs for weeks: its events are not kept (nothing reads them back), so memory
  // stays flat however long the server runs.
  setup.keep_events = false;
  loop_ = std::make_unique<Loop>(setup);
  api_ = std::make_unique<action::ActionApi>(*this, *store_, options_.guardrails);
  loop_->set_on_hour([this](SimMinute m) {
    api_->RecordHourLocked(m);
    if (!replaying_) store_->SetMeta("sim_minute", std::to_string(m));
  });
  // The autopilot acts through the action API: bids only, audited, never on an ended plan.
  loop_->set_plan_writer(
      [this](SimMinute m, const AdPlan& plan, const std::vector<std::string>& notes) {
        try {
          api_->AutopilotUpdateLocked(m, plan, notes, !replaying_);
        } catch (const action::ActionError& e) {
          if (options_.progress_out)
            fmt::print(options_.progress_out, "autopilot refused: {}\n", e.what());
        }
      });
  if (!store_->GetMeta("config")) store_->SetMeta("config", config_text);
  Replay();
}

LiveMarket::~LiveMarket() { Stop(); }

void LiveMarket::StepLocked() {
  if (!loop_->done()) loop_->Step();
}

// Re-applies the merchants' changes at their simulated minutes, then catches up with the last
// saved minute; the autopilot's own changes follow from the same world and are not replayed.
void LiveMarket::Replay() {
  std::vector<const action::AuditEntry*> journal;
  for (const action::AuditEntry& e : store_->entries()) {
    if (e.actor.rfind("merchant", 0) == 0) journal.push_back(&e);
  }
  const SimMinute saved =
      static_cast<SimMinute>(std::stoul(store_->GetMeta("sim_minute").value_or("0")));
  if (journal.empty() && saved <= loop_->now()) return;
  FILE* out = options_.progress_out;
  const SimMinute target = std::max<SimMinute>(saved, loop_->now());
  if (out) {
    fmt::print(out, "resuming {}: {} changes to replay up to simulated day {}\n",
               options_.state_path, journal.size(),
               (target - loop_->flight_start()) / kMinutesPerDay);
  }
  replaying_ = true;
  std::lock_guard<std::mutex> lock(api_->mutex());
  size_t next = 0;
  const SimMinute from = loop_->now();
  while (true) {
    while (next < journal.size() && journal[next]->sim_minute <= loop_->now()) {
      const action::AuditEntry& e = *journal[next++];
      action::CallContext ctx;
      ctx.actor = e.actor;
      ctx.replay = true;
      ctx.replay_minute = e.sim_minute;
      api_->CallLocked(e.action, e.args, ctx);
    }
    if (loop_->now() >= target && next >= journal.size()) break;
    if (loop_->done()) break;
    StepLocked();
    if (out && loop_->now() % 60 == 0) {
      fmt::print(out, "\rreplaying {:5.1f}%",
                 100.0 * (loop_->now() - from) / std::max<SimMinute>(1, target - from));
      std::fflush(out);
    }
  }
  replaying_ = false;
  if (out)
    fmt::print(out, "\rreplayed to simulated day {}, {:02d}:{:02d}\n",
               (loop_->now() - loop_->flight_start()) / kMinutesPerDay,
               (loop_->now() % kMinutesPerDay) / 60, loop_->now() % 60);
}

void LiveMarket::Advance(uint32_t minutes) {
  for (uint32_t i = 0; i < minutes; ++i) {
    std::lock_guard<std::mutex> lock(api_->mutex());
    if (loop_->done()) return;
    StepLocked();
  }
}

void LiveMarket::Start() {
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { Run(); });
}

void LiveMarket::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void LiveMarket::Run() {
  using Clock = std::chrono::steady_clock;
  auto last = Clock::now();
  double owed = 0;  // simulated minutes due but not yet simulated
  while (!stop_) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const auto t = Clock::now();
    owed += speed_.load() * std::chrono::duration<double>(t - last).count() / 60.0;
    last = t;
    // Never fall more than a simulated hour behind: a slow machine runs slower, not in bursts.
    owed = std::min(owed, 60.0);
    while (owed >= 1 && !stop_) {
      {
        std::lock_guard<std::mutex> lock(api_->mutex());
        if (loop_->done()) {
          owed = 0;
          break;
        }
        StepLocked();
      }
      owed -= 1;
    }
  }
}

nlohmann::json LiveMarket::Status() {
  std::lock_guard<std::mutex> lock(api_->mutex());
  const SimMinute now = loop_->now(), start = loop_->flight_start();
  return {{"sim_minute", now},
          {"day", (now - start) / kMinutesPerDay},
          {"clock", fmt::format("{:02d}:{:02d}", (now % kMinutesPerDay) / 60, now % 60)},
          {"flight_days", config_.scenario.days},
          {"flight_over", loop_->done()},
          {"speed", speed_.load()},
          {"running", thread_.joinable() && !stop_},
          {"state_file", options_.state_path}};
}

Platform& LiveMarket::platform() { return loop_->platform(); }
const Catalogue& LiveMarket::catalogue() const { return spec_->catalogue(); }
size_t LiveMarket::users() const { return spec_->users().size(); }

MerchantId LiveMarket::merchant() const { return merchant_; }
SimMinute LiveMarket::now() const { return loop_->now(); }
SimMinute LiveMarket::flight_start() const { return loop_->flight_start(); }
PlanId LiveMarket::AddSuperPlan(const SuperPlan& sp) { return loop_->AddSuperPlan(sp); }
void LiveMarket::RetargetSuperPlan(PlanId id, double total_budget, double target) {
  loop_->RetargetSuperPlan(id, total_budget, target);
}
double LiveMarket::PilotAlpha(PlanId id) const { return loop_->pilot_alpha(id); }

void LiveMarket::IssueCoupons(ProductId p, Money value, SimMinute expires,
                              const std::vector<UserId>& users) {
  loop_->IssueCoupons(p, value, expires, users);
}

std::vector<action::InfluencerProfile> LiveMarket::Influencers() const {
  const auto& creators = spec_->influencers();
  std::vector<action::InfluencerProfile> out(creators.size());
  for (const Influencer& c : creators) {
    action::InfluencerProfile& v = out[c.id];
    v.id = c.id;
    v.fee_per_post = c.fee_per_post;
    v.followers = c.followers;
    v.content_category = creator_category_.at(c.id);
    v.busy = loop_->post_running(c.id);
  }
  const auto& posts = loop_->sponsored_posts();
  for (size_t i = 0; i < posts.size(); ++i) {
    action::InfluencerProfile& v = out.at(posts[i].influencer);
    ++v.posts;
    v.post_views += loop_->post_delivery(i).views;
  }
  return out;
}

action::InfluencerOrder LiveMarket::OrderInfluencerPost(InfluencerId i, ProductId p, Money fee) {
  if (p >= spec_->catalogue().products.size() ||
      spec_->catalogue().product(p).merchant != merchant_) {
    throw std::invalid_argument(fmt::format("product {} is not one of this merchant's", p));
  }
  our_posts_.push_back(loop_->OrderSponsoredPost(i, p, fee));
  return InfluencerOrders().back();
}

std::vector<action::InfluencerOrder> LiveMarket::InfluencerOrders() const {
  std::vector<action::InfluencerOrder> out;
  for (size_t i : our_posts_) {
    const SponsoredPost& post = loop_->sponsored_posts().at(i);
    const Loop::PostDelivery d = loop_->post_delivery(i);
    out.push_back({post.influencer, post.product, post.fee, post.start, post.end, d.views, d.clicks,
                   d.purchases, d.gmv});
  }
  return out;
}

}  // namespace cf
