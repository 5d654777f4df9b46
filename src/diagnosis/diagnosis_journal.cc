#include "diagnosis/diagnosis_journal.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <set>

#include "common/event_log.h"

namespace cf::diagnosis {
namespace {

using Json = nlohmann::json;
constexpr const char* kMagic = "chengfang-diagnosis";
constexpr int kVersion = 2;  // 1: hourly "hour" lines; 2: "tick" lines and tick_minutes

Json PlanJson(const PlanState& s) {
  Json products = Json::array();
  for (const ProductState& p : s.products) {
    products.push_back({p.product, p.name, p.own_price, p.competitor_price});
  }
  return {{"plan", s.plan},
          {"name", s.name},
          {"daily_budget", s.daily_budget},
          {"spent_today", s.spent_today},
          {"budget_setting", s.budget_setting},
          {"roi_target", s.roi_target},
          {"products", std::move(products)}};
}

PlanState PlanFromJson(const Json& j) {
  PlanState s;
  s.plan = j.at("plan").get<PlanId>();
  s.name = j.at("name").get<std::string>();
  s.daily_budget = j.at("daily_budget").get<double>();
  s.spent_today = j.at("spent_today").get<double>();
  s.budget_setting = j.value("budget_setting", 0.0);  // absent in journals written before it
  s.roi_target = j.at("roi_target").get<double>();
  for (const Json& p : j.at("products")) {
    s.products.push_back({p.at(0).get<ProductId>(), p.at(1).get<std::string>(),
                          p.at(2).get<double>(), p.at(3).get<double>()});
  }
  return s;
}

}  // namespace

DiagnosisJournalWriter::DiagnosisJournalWriter(const std::filesystem::path& path,
                                               const std::string& events_file,
                                               SimMinute flight_start, SimMinute tick_minutes)
    : path_(path), out_(path, std::ios::trunc) {
  if (!out_) {
    throw JournalError(fmt::format("{}: cannot create the diagnosis journal: {}", path.string(),
                                   std::strerror(errno)));
  }
  Line(Json{{"journal", kMagic},
            {"version", kVersion},
            {"events", events_file},
            {"flight_start", flight_start},
            {"tick_minutes", tick_minutes}}
           .dump());
}

void DiagnosisJournalWriter::Line(const std::string& text) {
  out_ << text << '\n';
  out_.flush();
  if (!out_) {
    throw JournalError(fmt::format("{}: writing the diagnosis journal failed", path_.string()));
  }
}

void DiagnosisJournalWriter::Watch(PlanId plan) { Line(Json{{"watch", plan}}.dump()); }

void DiagnosisJournalWriter::Tick(SimMinute now, uint64_t events_logged,
                                  std::span<const JournalAuctions> auctions,
                                  std::span<const PlanState> plans) {
  Json a = Json::array();
  for (const JournalAuctions& x : auctions) {
    a.push_back({x.plan, static_cast<int>(x.channel), x.minute, x.tally.auctions, x.tally.wins,
                 x.tally.capped_losses, x.tally.beat_cpm_sum});
  }
  Json p = Json::array();
  for (const PlanState& s : plans) p.push_back(PlanJson(s));
  Line(Json{
      {"tick", now}, {"events", events_logged}, {"auctions", std::move(a)}, {"plans", std::move(p)}}
           .dump());
}

DiagnosisJournal DiagnosisJournal::Read(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) {
    throw JournalError(
        fmt::format("{}: cannot read the diagnosis journal ({}); a run writes it as "
                    "<out>/<run>/diagnosis.jsonl "
                    "when scenario.diagnosis and scenario.write_events are on",
                    path.string(), std::strerror(errno)));
  }
  DiagnosisJournal j;
  std::string line;
  size_t n = 0;
  std::set<PlanId> watched;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty()) continue;
    try {
      const Json x = Json::parse(line);
      if (n == 1) {
        const int version = x.value("journal", "") == kMagic ? x.value("version", 0) : 0;
        if (version < 1 || version > kVersion) {
          throw JournalError(fmt::format(
              "not a Chengfang diagnosis journal header of version 1 to {} (found version {}); "
              "a newer Chengfang wrote it, or it is not a journal",
              kVersion, x.value("version", 0)));
        }
        j.tick_minutes = version == 1 ? 60 : x.at("tick_minutes").get<SimMinute>();
        if (j.tick_minutes == 0 || 60 % j.tick_minutes != 0) {
          throw JournalError(
              fmt::format("tick_minutes {} does not divide an hour", j.tick_minutes));
        }
        const std::filesystem::path ev = x.at("events").get<std::string>();
        j.events_file = ev.is_absolute() ? ev : path.parent_path() / ev;
        j.flight_start = x.value("flight_start", SimMinute{0});
        continue;
      }
      if (x.contains("watch")) {
        const PlanId plan = x.at("watch").get<PlanId>();
        j.steps.push_back({plan, 0});
        if (watched.insert(plan).second) j.watched.push_back(plan);
        continue;
      }
      Tick h;
      h.now = x.contains("hour") ? x.at("hour").get<SimMinute>() : x.at("tick").get<SimMinute>();
      h.events = x.at("events").get<uint64_t>();
      for (const Json& a : x.at("auctions")) {
        JournalAuctions r;
        r.plan = a.at(0).get<PlanId>();
        const int c = a.at(1).get<int>();
        if (c < 0 || c >= kNumChannels) throw JournalError(fmt::format("bad channel {}", c));
        r.channel = static_cast<Channel>(c);
        r.minute = a.at(2).get<SimMinute>();
        r.tally.auctions = a.at(3).get<uint32_t>();
        r.tally.wins = a.at(4).get<uint32_t>();
        r.tally.capped_losses = a.at(5).get<uint32_t>();
        r.tally.beat_cpm_sum = a.at(6).get<double>();
        h.auctions.push_back(r);
      }
      for (const Json& p : x.at("plans")) h.plans.push_back(PlanFromJson(p));
      if (!j.ticks.empty() && (h.now <= j.ticks.back().now || h.events < j.ticks.back().events)) {
        throw JournalError("ticks out of order");
      }
      j.steps.push_back({kNoId, j.ticks.size()});
      j.ticks.push_back(std::move(h));
    } catch (const std::exception& e) {
      if (n == 1 && line.find(kMagic) == std::string::npos) {
        throw JournalError(fmt::format("{}: not a Chengfang diagnosis journal (line 1: {})",
                                       path.string(), e.what()));
      }
      throw JournalError(fmt::format("{}:{}: {}", path.string(), n, e.what()));
    }
  }
  if (n == 0) throw JournalError(fmt::format("{}: empty diagnosis journal", path.string()));
  return j;
}

std::vector<LiveFinding> ReplayJournal(const DiagnosisJournal& journal,
                                       LiveDiagnosisOptions options,
                                       const std::function<void(const std::string&)>& progress) {
  // The watched plans' events, with their index in the log.
  const std::set<PlanId> watched(journal.watched.begin(), journal.watched.end());
  std::vector<std::pair<uint64_t, Event>> events;
  uint64_t index = 0;
  if (progress) progress(fmt::format("reading {}", journal.events_file.string()));
  const EventLogScan scan = EventLog::Scan(journal.events_file, [&](const Event& e) {
    if (e.plan != kNoId && watched.count(e.plan)) events.emplace_back(index, e);
    ++index;
  });
  if (!journal.ticks.empty() && scan.events < journal.ticks.back().events) {
    throw JournalError(fmt::format(
        "{} holds {} events but the journal's last tick needs {}; the log is torn or belongs to "
        "another run",
        journal.events_file.string(), scan.events, journal.ticks.back().events));
  }
  if (progress) {
    progress(fmt::format(
        "{} events, {} of the {} watched plan(s); replaying {} ticks of {} minutes", scan.events,
        events.size(), watched.size(), journal.ticks.size(), journal.tick_minutes));
  }
  LiveDiagnosis d(options);
  std::vector<LiveFinding> out;
  size_t next = 0;
  for (const DiagnosisJournal::Step& step : journal.steps) {
    if (step.watch != kNoId) {
      d.Watch(step.watch);
      continue;
    }
    const DiagnosisJournal::Tick& h = journal.ticks[step.tick];
    for (; next < events.size() && events[next].first < h.events; ++next) {
      d.Observe(events[next].second);
    }
    for (const JournalAuctions& a : h.auctions)
      d.ObserveAuctions(a.plan, a.channel, a.minute, a.tally);
    for (LiveFinding& f : d.OnTick(h.now, h.plans)) out.push_back(std::move(f));
  }
  return out;
}

}  // namespace cf::diagnosis
