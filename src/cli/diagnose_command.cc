#include "cli/diagnose_command.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/csv.h"
#include "common/sim_clock.h"
#include "diagnosis/case_loaders.h"
#include "diagnosis/diagnosis_journal.h"
#include "diagnosis/rca_evaluation.h"
#include "diagnosis/report.h"
#include "diagnosis/squeeze_generator.h"

namespace cf {

namespace {

struct RcaOptions {
  std::string data;
  std::string format = "auto";
  bool json = false;
  bool verbose = false;
};

// Prints "<what> k/n" to stderr about every 10% (and at the end).
std::function<void(size_t, size_t)> Progress(const std::string& what) {
  return [what, last = size_t{0}](size_t done, size_t total) mutable {
    const size_t step = std::max<size_t>(1, total / 10);
    if (done == total || done >= last + step) {
      last = done;
      fmt::print(stderr, "diagnose rca: {} {}/{}\n", what, done, total);
    }
  };
}

int RunRca(const RcaOptions& o) {
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  const std::vector<diagnosis::RcaCase> cases =
      diagnosis::LoadCases(o.data, o.format, Progress("loaded"));
  const double load_s = std::chrono::duration<double>(Clock::now() - t0).count();
  if (cases.empty()) {
    fmt::print(stderr, "error: {}: no labelled cases found\n", o.data);
    return 3;
  }
  const diagnosis::RcaEvaluation ev = diagnosis::EvaluateRca(cases, {}, {}, Progress("cases"));
  if (o.verbose) {
    for (const auto& oc : ev.outcomes) {
      fmt::print(stderr, "{}: truth {} | search {} | adtributor {}\n", oc.name,
                 diagnosis::FormatElementSet(oc.truth), diagnosis::FormatElementSet(oc.predicted),
                 diagnosis::FormatElementSet(oc.baseline));
    }
  }
  if (o.json) {
    std::cout << ev.ToJson().dump() << "\n";
    return 0;
  }
  fmt::print("root-cause localisation over {} cases from {} (loaded in {:.2f} s)\n", ev.cases,
             o.data, load_s);
  fmt::print("{:<12} {:>9} {:>9} {:>9} {:>12}\n", "method", "F1", "precision", "recall", "s/case");
  fmt::print("{:<12} {:>9.3f} {:>9.3f} {:>9.3f} {:>12.5f}\n", "risk-search", ev.search.F1(),
             ev.search.Precision(), ev.search.Recall(), ev.SecondsPerCase());
  fmt::print("{:<12} {:>9.3f} {:>9.3f} {:>9.3f} {:>12.5f}\n", "adtributor", ev.adtributor.F1(),
             ev.adtributor.Precision(), ev.adtributor.Recall(),
             ev.adtributor_seconds / static_cast<double>(ev.cases));
  fmt::print("F1 ratio risk-search / adtributor: {:.2f}\n",
             ev.adtributor.F1() > 0 ? ev.search.F1() / ev.adtributor.F1() : 0.0);
  return 0;
}

struct RunDiagnosisOptions {
  std::string run;
  int64_t plan = -1;
  std::string lang = "en";
  bool json = false;
};

// The run folders under `dir` that hold a diagnosis journal ("manual" first), or `dir` itself.
std::vector<std::filesystem::path> JournalFolders(const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  if (!fs::is_directory(dir)) {
    throw std::runtime_error(fmt::format(
        "{}: no such folder; pass the --out folder of a finished `chengfang run` (or one of its "
        "run folders, e.g. out/manual)",
        dir.string()));
  }
  if (fs::exists(dir / "diagnosis.jsonl")) return {dir};
  std::vector<fs::path> found;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_directory() && fs::exists(e.path() / "diagnosis.jsonl")) found.push_back(e.path());
  }
  std::sort(found.begin(), found.end(), [](const fs::path& a, const fs::path& b) {
    const bool am = a.filename() == "manual", bm = b.filename() == "manual";
    return am != bm ? am : a < b;
  });
  if (found.empty()) {
    throw std::runtime_error(fmt::format(
        "{}: no diagnosis journal (diagnosis.jsonl) here or in its run folders; `chengfang run` "
        "writes one per run when scenario.diagnosis and scenario.write_events are on (runs made "
        "before the journal existed have none: run again)",
        dir.string()));
  }
  return found;
}

int RunDiagnosisOfRun(const RunDiagnosisOptions& o) {
  const diagnosis::Lang lang = o.lang == "zh" ? diagnosis::Lang::kZh : diagnosis::Lang::kEn;
  nlohmann::json runs = nlohmann::json::object();
  for (const std::filesystem::path& folder : JournalFolders(o.run)) {
    const std::string name = folder.filename().string();
    const auto journal = diagnosis::DiagnosisJournal::Read(folder / "diagnosis.jsonl");
    if (o.plan >= 0 && std::find(journal.watched.begin(), journal.watched.end(),
                                 static_cast<PlanId>(o.plan)) == journal.watched.end()) {
      throw std::runtime_error(fmt::format("{}: plan {} was not watched in this run; watched: {}",
                                           folder.string(), o.plan,
                                           fmt::join(journal.watched, ", ")));
    }
    const auto findings = diagnosis::ReplayJournal(journal, {}, [&](const std::string& s) {
      fmt::print(stderr, "diagnose {}: {}\n", name, s);
    });
    nlohmann::json list = nlohmann::json::array();
    if (!o.json) fmt::print("== {} ({})\n", name, folder.string());
    size_t shown = 0;
    for (const diagnosis::LiveFinding& f : findings) {
      if (o.plan >= 0 && f.plan != static_cast<PlanId>(o.plan)) continue;
      ++shown;
      const std::string when = SimTime{f.minute - journal.flight_start}.ToString();
      const bool has = !f.diagnosis.hypotheses.empty();
      const std::string cause =
          has ? std::string(diagnosis::CauseName(f.diagnosis.hypotheses.front().cause))
              : "unexplained";
      const double conf = has ? f.diagnosis.hypotheses.front().confidence : 0.0;
      const std::string& report = lang == diagnosis::Lang::kZh ? f.report_zh : f.report_en;
      nlohmann::json actions = nlohmann::json::array();
      if (has) {
        for (const diagnosis::Action& a : f.diagnosis.hypotheses.front().actions) {
          actions.push_back(diagnosis::DescribeAction(a, f.input, lang));
        }
      }
      if (o.json) {
        list.push_back({{"time", when},
                        {"minute", f.minute - journal.flight_start},
                        {"plan", f.plan},
                        {"trigger", f.TriggerText()},
                        {"kind", f.notice ? "notice" : "alarm"},
                        {"cause", cause},
                        {"confidence", std::round(conf * 1000) / 1000},
                        {"actions", std::move(actions)},
                        {"report", report}});
        continue;
      }
      fmt::print("\n[{}] plan {}{}: {}\ncause: {} (confidence {:.2f})\n{}\n", when, f.plan,
                 f.notice ? " (notice)" : "", f.TriggerText(), cause, conf, report);
    }
    if (o.json) {
      runs[name] = {{"findings", std::move(list)}};
    } else {
      fmt::print("\n{} finding{} in {}\n\n", shown, shown == 1 ? "" : "s", name);
    }
  }
  if (o.json) std::cout << nlohmann::json{{"runs", std::move(runs)}}.dump(2) << "\n";
  return 0;
}

}  // namespace

void AddDiagnoseCommand(CLI::App& app) {
  auto* diagnose = app.add_subcommand(
      "diagnose",
      "Diagnosis: a finished run's findings (--run DIR), root-cause localisation (rca), test "
      "cases (generate-cases)");
  diagnose->require_subcommand(0, 1);
  auto run_opts = std::make_shared<RunDiagnosisOptions>();
  diagnose->add_option("--run", run_opts->run,
                       "Diagnose a finished run again from its files: the --out folder of "
                       "`chengfang run` (all its runs) or one run's folder (out/manual)");
  diagnose->add_option("--plan", run_opts->plan, "Only this plan's findings");
  diagnose->add_option("--lang", run_opts->lang, "Report language")
      ->check(CLI::IsMember({"en", "zh"}))
      ->capture_default_str();
  diagnose->add_flag("--json", run_opts->json, "Print one JSON object only (with --run)");
  diagnose->callback([diagnose, run_opts] {
    if (!diagnose->get_subcommands().empty()) return;
    if (run_opts->run.empty()) {
      fmt::print(stderr,
                 "error: pass --run DIR (a finished run's folder) or a subcommand: rca, "
                 "generate-cases\n");
      throw CLI::RuntimeError(2);
    }
    int rc = 0;
    try {
      rc = RunDiagnosisOfRun(*run_opts);
    } catch (const std::exception& e) {
      fmt::print(stderr, "error: {}\n", e.what());
      rc = 3;
    }
    if (rc == 0) throw CLI::Success();
    throw CLI::RuntimeError(rc);
  });
  auto opts = std::make_shared<RcaOptions>();
  auto* rca = diagnose->add_subcommand(
      "rca",
      "Localise root causes over a folder of labelled cases; prints exact-match F1, precision, "
      "recall and seconds per case, with the Adtributor baseline");
  rca->add_option("--data", opts->data, "Folder of labelled cases")->required();
  rca->add_option("--format", opts->format, "robustspot, squeeze or auto (by the files present)")
      ->check(CLI::IsMember({"robustspot", "squeeze", "auto"}))
      ->capture_default_str();
  rca->add_flag("--json", opts->json, "Print one JSON object only");
  rca->add_flag("--verbose", opts->verbose, "Print each case's truth and predictions to stderr");
  auto gen = std::make_shared<std::pair<std::string, diagnosis::SqueezeGeneratorParams>>();
  auto* generate = diagnose->add_subcommand(
      "generate-cases",
      "Write synthetic squeeze-format cases with known injected root causes (for diagnose rca)");
  generate->add_option("--out", gen->first, "Folder to write")->required();
  generate->add_option("--cases", gen->second.cases, "Number of cases")->capture_default_str();
  generate->add_option("--dims", gen->second.dims, "Dimensions (1-8)")->capture_default_str();
  generate->add_option("--values", gen->second.values_per_dim, "Values per dimension")
      ->capture_default_str();
  generate->add_option("--max-depth", gen->second.max_depth, "Deepest cause")
      ->capture_default_str();
  generate->add_option("--max-causes", gen->second.max_causes, "Most causes per case")
      ->capture_default_str();
  generate->add_option("--noise", gen->second.noise, "Relative noise per leaf")
      ->capture_default_str();
  generate->add_option("--seed", gen->second.seed, "Random seed")->capture_default_str();
  generate->callback([gen] {
    try {
      const auto cases = diagnosis::WriteSqueezeCases(gen->first, gen->second);
      fmt::print("wrote {} cases to {}\n", cases.size(), gen->first);
    } catch (const std::exception& e) {
      fmt::print(stderr, "error: {}\n", e.what());
      throw CLI::RuntimeError(3);
    }
    throw CLI::Success();
  });
  rca->callback([opts] {
    int rc = 0;
    try {
      rc = RunRca(*opts);
    } catch (const std::exception& e) {
      fmt::print(stderr, "error: {}\n", e.what());
      rc = 3;
    }
    if (rc == 0) throw CLI::Success();
    throw CLI::RuntimeError(rc);
  });
}

}  // namespace cf
