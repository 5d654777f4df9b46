#include "serving/platform.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "common/random.h"
#include "creative/bandit_creative_selector.h"
#include "creative/default_creative_selector.h"
#include "insight/kg_query_expansion.h"
#include "insight/knowledge_graph_products.h"
#include "insight/learned_response_predictor.h"
#include "insight/popularity_affinity_retriever.h"
#include "insight/smoothed_count_predictor.h"
#include "strategy/conversion_value.h"
#include "strategy/plan_bidder.h"
#include "strategy/super_plan.h"

namespace cf {

Platform::Platform(const Catalogue& catalogue, EventLog& log, size_t users, PlatformConfig config)
    : catalogue_(catalogue),
      log_(log),
      config_(config),
      affinity_(catalogue, users, config.user_history_events, config.user_history_half_life),
      queries_(catalogue, users),
      inventory_(catalogue) {
  for (const Product& p : catalogue.products) prices_.push_back(p.shelf_price);
  observed_sales_.assign(catalogue.products.size(), 0);
  PopularityAffinityRetriever::Options retrieval;
  if (config_.search_expansion == "kg" || config_.search_expansion == "kg_only") {
    const std::filesystem::path graph_file = config_.knowledge_graph.empty()
                                                 ? kg::DefaultCuratedGraph()
                                                 : std::filesystem::path(config_.knowledge_graph);
    auto expansion = std::make_unique<kg::KgQueryExpansion>(
        kg::KnowledgeGraph::Load(graph_file), catalogue, kg::KgQueryExpansion::Options{});
    // A graph given by name must fit the catalogue; the shipped default is for Complete
    // Journey's categories, and on another catalogue it simply finds nothing.
    if (expansion->reachable_categories() == 0 && !config_.knowledge_graph.empty()) {
      throw std::invalid_argument(
          "platform.knowledge_graph " + graph_file.string() +
          ": no category of the graph reaches the catalogue (no `catalogue:` pattern names one "
          "of its product categories); give a graph written for this catalogue or set "
          "platform.search_expansion to \"none\"");
    }
    retrieval.expansion = expansion.get();
    retrieval.learned_queries = config_.search_expansion == "kg";
    expansion_ = std::move(expansion);
  } else if (config_.search_expansion != "none") {
    throw std::invalid_argument("unknown platform.search_expansion '" + config_.search_expansion +
                                "'; use kg, kg_only or none");
  }
  retriever_ =
      std::make_unique<PopularityAffinityRetriever>(inventory_, affinity_, queries_, retrieval);
  if (config_.predictor == "learned") {
    auto learned = std::make_unique<LearnedResponsePredictor>(catalogue, affinity_);
    if (!config_.predictor_load.empty()) learned->Load(config_.predictor_load);
    predictor_ = std::move(learned);
  } else if (config_.predictor == "smoothed") {
    predictor_ = std::make_unique<SmoothedCountPredictor>(catalogue, affinity_);
  } else {
    throw std::invalid_argument("unknown predictor '" + config_.predictor +
                                "'; use smoothed or learned");
  }
  if (!config_.predictor_load.empty() && config_.predictor != "learned") {
    throw std::invalid_argument("platform.predictor_load needs platform.predictor \"learned\"");
  }
  bidder_ = std::make_unique<PlanBidder>();
  if (config_.creatives == "single") {
    creatives_ = std::make_unique<DefaultCreativeSelector>(catalogue);
  } else {
    BanditOptions o;
    o.mode = ParseBanditMode(config_.creatives);
    o.pool_size = config_.creative_pool;
    o.max_variants = std::max(o.max_variants, 3 * o.pool_size);
    creatives_ = std::make_unique<BanditCreativeSelector>(catalogue, o);
  }
}

void Platform::WrapCreativeSelector(
    const std::function<std::unique_ptr<CreativeSelector>(std::unique_ptr<CreativeSelector>)>&
        wrap) {
  std::unique_ptr<CreativeSelector> wrapped = wrap(std::move(creatives_));
  if (!wrapped) throw std::invalid_argument("a creative selector wrapper returned nothing");
  creatives_ = std::move(wrapped);
}

void Platform::Warm(const EventLog& history) {
  affinity_.Warm(history);
  for (UserId u = 0; u < history.user_limit(); ++u) {
    history.History(u).ForEach([this](const Event& e) {
      queries_.Observe(e);
      retriever_->Observe(e);
      predictor_->Observe(e);
    });
  }
  inventory_.Rebuild(plans_);
  queries_.Rebuild();
  retriever_->Refresh();
}

bool Platform::SavePredictor(const std::filesystem::path& path) const {
  const auto* learned = dynamic_cast<const LearnedResponsePredictor*>(predictor_.get());
  if (learned == nullptr) return false;
  learned->Save(path);
  return true;
}

PlanId Platform::AddPlan(AdPlan plan) {
  plan.id = static_cast<PlanId>(plans_.size());
  if (std::string err = ValidatePlan(plan, catalogue_.products.size()); !err.empty()) {
    throw std::invalid_argument(err);
  }
  ledger_.AddPlan(plan.id, plan.total_budget, plan.daily_budget);
  auto made = creatives_->EnsureCreatives(plan.products, day_, plan.creative_pool);
  new_creatives_.insert(new_creatives_.end(), made.begin(), made.end());
  plans_.push_back(std::move(plan));
  stats_.emplace_back();
  auto_.emplace_back();
  plan_slot_.push_back(-1);
  RefreshAutoValues(plans_.back().id);
  inventory_dirty_ = true;
  return plans_.back().id;
}

void Platform::UpdatePlan(const AdPlan& plan) {
  AdPlan& cur = plans_.at(plan.id);
  if (std::string err = ValidatePlan(plan, catalogue_.products.size()); !err.empty()) {
    throw std::invalid_argument(err);
  }
  if (plan.total_budget != cur.total_budget || plan.daily_budget != cur.daily_budget) {
    ledger_.SetBudgets(plan.id, plan.total_budget, plan.daily_budget);
  }
  if (plan.products != cur.products || plan.creative_pool != cur.creative_pool) {
    auto made = creatives_->EnsureCreatives(plan.products, day_, plan.creative_pool);
    new_creatives_.insert(new_creatives_.end(), made.begin(), made.end());
  }
  inventory_dirty_ |= plan.status != cur.status || plan.products != cur.products;
  const bool refresh = plan.products != cur.products || plan.bid_type != cur.bid_type;
  cur = plan;
  if (refresh) RefreshAutoValues(plan.id);
}

void Platform::RefreshAutoValues(PlanId id) {
  const AdPlan& plan = plans_.at(id);
  AutoState& st = auto_.at(id);
  if (plan.bid_type != BidType::kAuto) return;
  const size_t n = plan.products.size();
  st.conversion_value.assign(n, 0);
  st.long_tail.assign(n, false);
  st.cells.resize(n * kNumChannels * kAudienceSegments);
  for (size_t i = 0; i < n; ++i) {
    const ProductId p = plan.products[i];
    // Long tail: fewer than 3 purchases observed so far (history and flight).
    st.long_tail[i] = observed_sales_[p] < 3;
    st.conversion_value[i] = ConversionValue(
        plan.autobid.weights, FactsFor(catalogue_.product(p), prices_[p].units(), st.long_tail[i]));
  }
}

std::vector<AuctionSample> Platform::TakeAutoSamples(PlanId id, double* auctions) {
  AutoState& st = auto_.at(id);
  if (auctions) *auctions = st.auctions;
  st.auctions = 0;
  return std::exchange(st.samples, {});
}

void Platform::ScoreAuto(const Opportunity& opp, const AdPlan& plan, ScoredAd& s) const {
  const AutoState& st = auto_[plan.id];
  size_t i = 0;
  while (i < plan.products.size() && plan.products[i] != s.ad.product) ++i;
  if (i == plan.products.size() || i >= st.conversion_value.size()) return;
  const int seg =
      AudienceSegment(affinity_.Share(opp.user, catalogue_.product(s.ad.product).category));
  s.cell = static_cast<uint32_t>(CellIndex(i, opp.channel, seg));
  const double mult = plan.autobid.multipliers.empty() ? 1.0 : plan.autobid.multipliers[s.cell];
  s.objective_value = s.p_ctr * s.p_cvr * st.conversion_value[i];
  s.bid_value = s.objective_value * mult;
}

std::vector<Creative> Platform::TakeNewCreatives() { return std::exchange(new_creatives_, {}); }

std::vector<CreativeView> Platform::creatives(ProductId p) const {
  std::vector<CreativeView> out;
  const std::vector<CreativeId> live = creatives_->Live(p);
  auto add = [&](const Creative& c, bool is_live) {
    CreativeView v{.creative = c, .live = is_live};
    if (c.id < creative_obs_.size()) {
      const CreativeObs& o = creative_obs_[c.id];
      v.impressions = o.impressions;
      v.clicks = o.clicks;
      v.wearout = o.wearout.Verdict();
    }
    out.push_back(std::move(v));
  };
  for (CreativeId id : live) add(creatives_->creatives().at(id), true);
  for (const Creative& c : creatives_->creatives()) {
    if (c.product == p && std::find(live.begin(), live.end(), c.id) == live.end()) add(c, false);
  }
  return out;
}

std::vector<Creative> Platform::RotateCreatives(ProductId p, const std::vector<CreativeId>& pause,
                                                const std::vector<Creative>& replacements) {
  if (p >= catalogue_.products.size()) {
    throw std::invalid_argument("unknown product " + std::to_string(p));
  }
  std::vector<Creative> made = creatives_->Rotate(p, pause, replacements, day_);
  new_creatives_.insert(new_creatives_.end(), made.begin(), made.end());
  return made;
}

void Platform::StartDay(uint32_t day) {
  day_ = day;
  // A plan's flight is over once its end day starts: it ends (and leaves the inventory).
  for (AdPlan& p : plans_) {
    if (p.end_day != 0 && day >= p.end_day && p.status != PlanStatus::kEnded) {
      p.status = PlanStatus::kEnded;
      inventory_dirty_ = true;
    }
  }
  ledger_.StartDay();
  pacer_.StartDay();
}

void Platform::Upkeep(SimMinute now) {
  if (inventory_dirty_) {
    inventory_.Rebuild(plans_);
    inventory_dirty_ = false;
  }
  // The creative pools' wear-out tests and refills, every hour (the first of a day included): a
  // creative that wears out fast is paused and replaced within the hour its decay shows.
  auto made = creatives_->Refresh(day_);
  new_creatives_.insert(new_creatives_.end(), made.begin(), made.end());
  queries_.Rebuild();
  retriever_->Refresh();
  for (const AdPlan& p : plans_) RefreshAutoValues(p.id);
  if (config_.even_delivery) {
    for (const AdPlan& p : plans_) {
      pacer_.Update(p.id, now, ledger_.spent_today(p.id), p.daily_budget);
    }
  }
}

void Platform::SetPrice(ProductId p, Money price) {
  prices_.at(p) = price;
  for (const AdPlan& plan : plans_) RefreshAutoValues(plan.id);
}

void Platform::Feed(const Event& e) {
  // Predictor and queries first: they read the affinity as it was before this event.
  predictor_->Observe(e);
  queries_.Observe(e);
  retriever_->Observe(e);
  bidder_->Observe(e);
  creatives_->Observe(e);
  if (e.plan != kNoId && e.ref != kNoId &&
      (e.type == EventType::kImpression || e.type == EventType::kClick)) {
    if (creative_obs_.size() <= e.ref) creative_obs_.resize(e.ref + 1);
    CreativeObs& o = creative_obs_[e.ref];
    if (e.type == EventType::kImpression) {
      ++o.impressions;
      o.wearout.OnImpression();
    } else {
      ++o.clicks;
      o.wearout.OnClick();
    }
  }
  affinity_.Observe(e);
  if (e.type == EventType::kPurchase && e.product < observed_sales_.size())
    ++observed_sales_[e.product];
}

void Platform::LogEvent(const Event& e) {
  log_.Append(e);
  Feed(e);
  if (observer_ && e.plan != kNoId && observer_->Watches(e.plan)) observer_->OnEvent(e);
  if (event_listener_) event_listener_(e);
}

Platform::PriceToBeat Platform::PriceToBeatOf(std::span<const ScoredAd> scored,
                                              double reserve_cpm) {
  PriceToBeat p{reserve_cpm, reserve_cpm, kNoId};
  for (const ScoredAd& s : scored) {
    if (s.ecpm > p.best) {
      p.second = p.best;
      p.best = s.ecpm;
      p.best_plan = s.ad.plan;
    } else {
      p.second = std::max(p.second, s.ecpm);
    }
  }
  return p;
}

void Platform::NotifyAuction(const Opportunity& opp, const PriceToBeat& beat, PlanId shown) const {
  for (const ScoredAd& s : scored_) {
    if (!observer_->Watches(s.ad.plan)) continue;
    observer_->OnAuction(s.ad.plan, opp, s.ecpm, beat.For(s.ad.plan), s.ad.plan == shown);
  }
}

AdDecision Platform::Decide(const Opportunity& opp) {
  if (inventory_dirty_) {
    inventory_.Rebuild(plans_);
    inventory_dirty_ = false;
  }
  ++opportunities_;
  pacer_.CountOpportunity(opp.minute);
  AdDecision d;
  d.opp = opp;
  candidates_.clear();
  if (expansion_ && opp.query != kNoId) expansion_->Prepare(opp.query, log_.Query(opp.query));
  retriever_->Retrieve(opp, candidates_);
  scored_.clear();
  for (const AdCandidate& c : candidates_) {
    const AdPlan& plan = plans_[c.plan];
    if (plan.status != PlanStatus::kActive || !plan.channels.Has(opp.channel)) continue;
    if (ledger_.headroom(c.plan).micros() <= 0) continue;
    const bool autobid = plan.bid_type == BidType::kAuto;
    // Super plans pace themselves (their pilot sets alpha); others are paced evenly.
    if (!autobid && config_.even_delivery &&
        CounterUniform(opp.key, c.plan, 0x9ace) >= pacer_.Rate(c.plan))
      continue;
    ScoredAd s;
    s.ad = c;
    predictor_->Predict(opp, s);
    if (autobid) ScoreAuto(opp, plan, s);
    bidder_->Bid(opp, plan, s);
    // A super plan reports a landscape sample even when alpha is too low to bid.
    if (s.ecpm <= 0 && !(autobid && s.bid_value > 0)) continue;
    if (s.ecpm > 0) {
      // A plan can only take part if it could pay its own bid.
      const Money max_charge = s.per_mille ? Money::Micros(s.bid.micros() / 1000 + 1) : s.bid;
      if (ledger_.headroom(c.plan) < max_charge) continue;
    }
    // One ad per plan: a plan never bids against itself (it would set its own GSP price).
    int32_t& slot = plan_slot_[c.plan];
    if (slot < 0) {
      slot = static_cast<int32_t>(scored_.size());
      scored_.push_back(s);
    } else if (ScoredAd& o = scored_[slot];
               s.ecpm > o.ecpm || (s.ecpm == o.ecpm && s.bid_value > o.bid_value)) {
      o = s;
    }
  }
  for (const ScoredAd& s : scored_) plan_slot_[s.ad.plan] = -1;
  // Landscape samples of super plans and the observer's auctions. Ads with eCPM <= 0 (landscape
  // samples only) never change the price to beat: it starts at the reserve.
  const PriceToBeat price_to_beat = PriceToBeatOf(scored_, config_.reserve_cpm);
  for (const ScoredAd& s : scored_) {
    if (plans_[s.ad.plan].bid_type != BidType::kAuto || !(s.bid_value > 0)) continue;
    const double beat = price_to_beat.For(s.ad.plan);
    AutoState& st = auto_[s.ad.plan];
    st.auctions += 1;
    AuctionSample a;
    a.bid_value = s.bid_value;
    a.price = beat / 1000.0;
    a.value = s.bid_value;  // the estimate as calibrated by the cell multiplier
    a.won = s.ecpm > 0 && s.ecpm >= beat;
    a.cost = a.won ? a.price : 0;
    st.samples.push_back(a);
  }
  // Ads that only reported a landscape sample do not enter the auction; the tap sees them after
  // the entered ones.
  if (tap_) {
    tap_sat_out_.clear();
    for (const ScoredAd& s : scored_) {
      if (s.ecpm <= 0) tap_sat_out_.push_back(s);
    }
  }
  std::erase_if(scored_, [](const ScoredAd& s) { return s.ecpm <= 0; });
  auto winners = RunGsp(scored_, 1, config_.reserve_cpm);
  if (tap_) {
    const size_t entered = scored_.size();
    scored_.insert(scored_.end(), tap_sat_out_.begin(), tap_sat_out_.end());
    tap_creatives_.clear();
    for (const ScoredAd& s : scored_) {
      tap_creatives_.push_back(tap_->WantsCreative(s) ? creatives_->Peek(opp, s.ad) : kNoId);
    }
    tap_->OnAuction(opp, scored_, tap_creatives_, winners, config_.reserve_cpm);
    scored_.resize(entered);
  }
  if (winners.empty()) {
    if (observer_) NotifyAuction(opp, price_to_beat, kNoId);
    return d;
  }
  const AuctionWinner& w = winners.front();
  const ScoredAd& ad = scored_[w.index];
  const Money reserve = ad.per_mille ? Money::Micros((w.price.micros() + 999) / 1000) : w.price;
  if (!ledger_.Reserve(ad.ad.plan, reserve)) {  // lost a race for the last of the budget
    if (observer_) NotifyAuction(opp, price_to_beat, kNoId);
    return d;
  }
  if (observer_) NotifyAuction(opp, price_to_beat, ad.ad.plan);
  d.shown = true;
  d.ad = ad;
  d.price = w.price;
  d.reserved = reserve;
  d.creative = creatives_->Select(opp, ad.ad);
  return d;
}

void Platform::Resolve(const AdDecision& d, const UserResponse& r) {
  if (!d.shown) return;
  const PlanId plan = d.ad.ad.plan;
  PlanCounts& st = stats_[plan].total;
  PlanCounts& sc = stats_[plan].by_channel[static_cast<int>(d.opp.channel)];
  PlanCounts* sp = nullptr;
  for (auto& [p, c] : stats_[plan].by_product) {
    if (p == d.ad.ad.product) sp = &c;
  }
  if (!sp) sp = &stats_[plan].by_product.emplace_back(d.ad.ad.product, PlanCounts{}).second;
  Money charge = Money::Zero();
  if (d.ad.per_mille)
    charge = d.reserved;  // CPM: pay for the impression
  else if (r.clicked)
    charge = d.reserved;  // CPC / target ROI: pay for the click
  ledger_.Commit(plan, d.reserved, charge);
  CellDelivery* cell = nullptr;
  if (plans_[plan].bid_type == BidType::kAuto && d.ad.cell < auto_[plan].cells.size()) {
    cell = &auto_[plan].cells[d.ad.cell];
    cell->spend += charge.units();
    ++cell->impressions;
  }
  st.spend += charge;
  sc.spend += charge;
  sp->spend += charge;
  Event e;
  e.minute = d.opp.minute;
  e.user = d.opp.user;
  e.product = d.ad.ad.product;
  e.plan = plan;
  e.ref = d.creative;
  e.channel = d.opp.channel;
  e.type = EventType::kImpression;
  e.quantity = d.opp.position;
  e.money = d.ad.per_mille ? charge.micros() : 0;
  LogEvent(e);
  ++st.impressions;
  ++sc.impressions;
  ++sp->impressions;
  if (!r.clicked) return;
  if (cell && d.ad.p_ctr > 0) cell->predicted_value += d.ad.objective_value / d.ad.p_ctr;
  e.quantity = 0;
  e.type = EventType::kClick;
  e.money = d.ad.per_mille ? 0 : charge.micros();
  LogEvent(e);
  ++st.clicks;
  ++sc.clicks;
  ++sp->clicks;
  e.money = 0;
  auto emit = [&](bool happened, EventType t) {
    if (!happened) return;
    e.type = t;
    LogEvent(e);
  };
  emit(r.liked, EventType::kLike);
  emit(r.commented, EventType::kComment);
  emit(r.shared, EventType::kShare);
  emit(r.followed, EventType::kFollow);
  emit(r.added_to_cart, EventType::kAddToCart);
  if (r.quantity > 0 && r.tracked) {
    e.type = EventType::kPurchase;
    e.quantity = r.quantity;
    e.money = r.paid.micros();
    e.flags = r.coupon_used ? kFlagCouponUsed : 0;
    LogEvent(e);
    ++st.purchases;
    st.gmv += r.paid;
    ++sc.purchases;
    sc.gmv += r.paid;
    ++sp->purchases;
    sp->gmv += r.paid;
    if (cell) {
      const size_t i = d.ad.cell / (kNumChannels * kAudienceSegments);  // product index
      ConversionFacts f =
          FactsFor(catalogue_.product(d.ad.ad.product), r.paid.units(), auto_[plan].long_tail[i]);
      f.unit_cost *= r.quantity;
      const double v = ConversionValue(plans_[plan].autobid.weights, f);
      cell->realised_value += v;
      ++cell->conversions;
      auto_[plan].value += v;
    }
  }
}

}  // namespace cf
