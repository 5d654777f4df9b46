#include "cli/diagnose_command.h"

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "common/csv.h"
#include "diagnosis/case_loaders.h"
#include "diagnosis/rca_evaluation.h"
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

}  // namespace

void AddDiagnoseCommand(CLI::App& app) {
  auto* diagnose = app.add_subcommand("diagnose", "Diagnosis: root-cause localisation, ...");
  diagnose->require_subcommand(1);
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
