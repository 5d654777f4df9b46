#include "cli/insight_train_command.h"

#include <fmt/format.h>
#include <malloc.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "insight/interaction_log.h"
#include "insight/ranking_metrics.h"
#include "insight/sasrec_ensemble.h"
#include "insight/sasrec_model.h"

namespace cf {

namespace {

struct TrainOptions {
  std::string data;
  std::string model;
  SasrecConfig config;
  int ensemble = 2;  // members (consecutive seeds) sharing the time limit
};

struct EvalOptions {
  std::string data;
  std::string model;
  bool json = false;
  int threads = 2;
};

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// Full-softmax logits are one [positions x items] tensor per batch (about 175 MB on Beauty): glibc
// serves allocations that large with mmap and returns them with munmap, so every batch page-faults
// hundreds of megabytes afresh. Keeping freed memory in the heap halved the time per batch on
// Beauty (2.5 instead of 5.3 minutes per epoch on this 2-core machine). Process-wide, so only the
// commands call it; a no-op under the sanitizers' allocators.
void KeepLargeBuffersInTheHeap() {
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
}

void PrintLogSummary(const InteractionLog& log, double seconds) {
  int64_t evaluated = 0;
  for (const auto& s : log.sequences) evaluated += s.size() >= kMinEvaluatedLength ? 1 : 0;
  fmt::print(stderr,
             "insight: {}: {} lines, {} users ({} with >= {} items are evaluated), {} items "
             "(read in {:.1f} s)\n",
             log.source, log.lines, log.num_users(), evaluated, kMinEvaluatedLength,
             log.num_items(), seconds);
}

int RunTrain(const TrainOptions& o) {
  KeepLargeBuffersInTheHeap();
  const auto t0 = std::chrono::steady_clock::now();
  const InteractionLog log = LoadInteractionLog(o.data);
  PrintLogSummary(log, Seconds(t0));
  const SasrecConfig& c = o.config;
  fmt::print(stderr,
             "insight: training SASRec (max length {}, dim {}, {} blocks, {} heads, dropout {}, "
             "lr {}, batch {}, loss {}{}{}, validation users {}, patience {}, seed {}, {} threads, "
             "limit {} min) into {}\n",
             c.max_length, c.dim, c.blocks, c.heads, c.dropout, c.learning_rate, c.batch_size,
             c.loss, c.loss == "sampled" ? fmt::format(" with {} negatives", c.negatives) : "",
             c.contrastive > 0
                 ? fmt::format(" + {} x contrastive (temperature {})", c.contrastive, c.temperature)
                 : "",
             c.validation_users == 0 ? std::string("all") : std::to_string(c.validation_users),
             c.patience, c.seed, c.threads, c.max_minutes, o.model);
  if (o.ensemble > 1) {
    fmt::print(stderr,
               "insight: an ensemble of {} such models (seeds {}..{}) sharing the time limit\n",
               o.ensemble, c.seed, c.seed + static_cast<uint64_t>(o.ensemble) - 1);
  }
  const SasrecEnsembleReport r =
      TrainSasrecEnsemble(log, c, o.ensemble, o.model, [](const std::string& line) {
        fmt::print(stderr, "{}\n", line);
        std::fflush(stderr);
      });
  for (size_t i = 0; i < r.members.size(); ++i) {
    const SasrecTrainReport& m = r.members[i];
    fmt::print(
        "{}trained {} epochs in {:.1f} s ({}); best epoch {}: validation HR@10 {:.4f} NDCG@10 "
        "{:.4f} over {} users; checkpoint {}\n",
        r.members.size() > 1 ? fmt::format("member {}: ", i + 1) : "", m.epochs, m.train_seconds,
        m.stop_reason, m.best_epoch, m.full_validation.hit_rate, m.full_validation.ndcg,
        m.full_validation.users, SasrecMemberPath(o.model, static_cast<int>(i)));
  }
  fmt::print(
      "{} in {:.1f} s: validation HR@10 {:.4f} NDCG@10 {:.4f} over {} users; with the transition "
      "blend (weight {}) HR@10 {:.4f} NDCG@10 {:.4f}; manifest {}\n",
      r.members.size() > 1 ? fmt::format("ensemble of {}", r.members.size()) : "model",
      r.train_seconds, r.validation.hit_rate, r.validation.ndcg, r.validation.users, r.blend.weight,
      r.blend.chosen.hit_rate, r.blend.chosen.ndcg, SasrecEnsembleManifestPath(o.model));
  return 0;
}

nlohmann::ordered_json MetricsJson(const TopKMetrics& m) {
  return {{"hr@10", m.hit_rate}, {"ndcg@10", m.ndcg}};
}

int RunEval(const EvalOptions& o) {
  KeepLargeBuffersInTheHeap();
  const auto t0 = std::chrono::steady_clock::now();
  const InteractionLog log = LoadInteractionLog(o.data);
  PrintLogSummary(log, Seconds(t0));
  std::vector<SasrecCheckpointInfo> infos;
  SasrecEnsemble model = SasrecEnsemble::Load(o.model, &infos, &log);
  model.set_threads(o.threads);
  const TransitionBaseline cooc(log);
  model.AttachTransitions(&cooc);
  auto progress = [](const char* what) {
    return [what, last = int64_t{0}](int64_t done, int64_t total) mutable {
      if (done == total || done - last >= total / 5) {
        last = done;
        fmt::print(stderr, "eval: {} {}/{} users\n", what, done, total);
      }
    };
  };
  const auto te = std::chrono::steady_clock::now();
  const TopKMetrics m = EvaluateHeldOut(
      log, HeldOut::kTest,
      [&](std::span<const std::span<const int32_t>> h, std::vector<float>* s) {
        model.Score(h, s);
      },
      10, 256, progress("model"));
  // The sequence model alone (the same unless the folder chose a transition blend).
  const TopKMetrics alone = model.transition_weight() > 0
                                ? EvaluateHeldOut(
                                      log, HeldOut::kTest,
                                      [&](std::span<const std::span<const int32_t>> h,
                                          std::vector<float>* s) { model.ScoreEnsemble(h, s); },
                                      10, 256, progress("model without the transition blend"))
                                : m;
  const PopularityBaseline pop(log);
  const TopKMetrics p = EvaluateHeldOut(
      log, HeldOut::kTest,
      [&](std::span<const std::span<const int32_t>> h, std::vector<float>* s) { pop.Score(h, s); },
      10, 256, progress("popularity"));
  const TopKMetrics c = EvaluateHeldOut(
      log, HeldOut::kTest,
      [&](std::span<const std::span<const int32_t>> h, std::vector<float>* s) { cooc.Score(h, s); },
      10, 256, progress("co-occurrence"));
  fmt::print(stderr, "eval: scored {} test users in {:.1f} s\n", m.users, Seconds(te));
  if (o.json) {
    const nlohmann::ordered_json j = {{"users", log.num_users()},
                                      {"items", log.num_items()},
                                      {"model", MetricsJson(m)},
                                      {"popularity", MetricsJson(p)},
                                      {"cooccurrence", MetricsJson(c)},
                                      {"train_seconds", model.train_seconds()},
                                      {"members", model.size()},
                                      {"transition_weight", model.transition_weight()},
                                      {"sequence_model_alone", MetricsJson(alone)}};
    std::cout << j.dump() << "\n";
    return 0;
  }
  fmt::print("full-ranking leave-one-out test on {} ({} users, {} evaluated, {} items)\n",
             log.source, log.num_users(), m.users, log.num_items());
  fmt::print("{:<14} {:>8} {:>8}\n", "method", "HR@10", "NDCG@10");
  const std::string name =
      model.size() > 1 ? fmt::format("sasrec x{}", model.size()) : std::string("sasrec");
  if (model.transition_weight() > 0) {
    fmt::print("{:<14} {:>8.4f} {:>8.4f}  (with the transition blend, weight {})\n", name,
               m.hit_rate, m.ndcg, model.transition_weight());
    fmt::print("{:<14} {:>8.4f} {:>8.4f}  (the sequence model alone)\n", name, alone.hit_rate,
               alone.ndcg);
  } else {
    fmt::print("{:<14} {:>8.4f} {:>8.4f}\n", name, m.hit_rate, m.ndcg);
  }
  fmt::print("{:<14} {:>8.4f} {:>8.4f}\n", "popularity", p.hit_rate, p.ndcg);
  fmt::print("{:<14} {:>8.4f} {:>8.4f}\n", "co-occurrence", c.hit_rate, c.ndcg);
  for (size_t i = 0; i < infos.size(); ++i) {
    fmt::print(
        "{}best epoch {} of {}, validation NDCG@10 {:.4f}, trained in {:.1f} s\n",
        infos.size() > 1 ? fmt::format("member {}: ", i + 1) : "model: ", infos[i].best_epoch,
        infos[i].epochs, infos[i].validation.ndcg, infos[i].train_seconds);
  }
  if (infos.size() > 1) {
    fmt::print("ensemble of {}: validation NDCG@10 {:.4f}, trained in {:.1f} s\n", infos.size(),
               model.validation().ndcg, model.train_seconds());
  }
  return 0;
}

// Runs `body` and ends the CLI parse: Success, or RuntimeError(3) after printing the error.
template <typename F>
void Finish(F&& body) {
  int rc = 0;
  try {
    rc = body();
  } catch (const std::exception& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    rc = 3;
  }
  if (rc == 0) throw CLI::Success();
  throw CLI::RuntimeError(rc);
}

// --data, --model and --threads of the commands that read a trained model folder.
void AddTrainedModelOptions(CLI::App& app, EvalOptions& o) {
  app.add_option("--data", o.data, "The log the model was trained on")->required();
  app.add_option("--model", o.model, "Model folder written by `insight train`")->required();
  app.add_option("--threads", o.threads, "CPU threads")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
}

}  // namespace

void AddInsightTrainCommands(CLI::App& insight) {
  auto train_opts = std::make_shared<TrainOptions>();
  auto* train = insight.add_subcommand(
      "train",
      "Train the SASRec-style sequence model on a `user item` log (leave-one-out split; early "
      "stopping on the validation items); progress and ETA on stderr");
  train->add_option("--data", train_opts->data, "Interaction log: `user item` lines, time order")
      ->required();
  train->add_option("--model", train_opts->model, "Model folder (the checkpoint is written there)")
      ->required();
  train->add_option("--max-minutes", train_opts->config.max_minutes, "Training time limit")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  train->add_option("--seed", train_opts->config.seed, "Random seed")->capture_default_str();
  train->add_option("--threads", train_opts->config.threads, "CPU threads")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  train->add_option("--max-epochs", train_opts->config.max_epochs, "Most epochs")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  train
      ->add_option("--patience", train_opts->config.patience,
                   "Epochs without a better validation NDCG@10 before stopping")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  train
      ->add_option(
          "--loss", train_opts->config.loss,
          "sampled: softmax over the target and --negatives items drawn uniformly per "
          "batch (logQ-corrected); full: softmax over all items (slow on large catalogues)")
      ->check(CLI::IsMember({"sampled", "full"}))
      ->capture_default_str();
  train
      ->add_option("--negatives", train_opts->config.negatives,
                   "Shared negatives per batch for --loss sampled (>= the item count: exact full "
                   "softmax)")
      ->check(CLI::Range(1, 100000000))
      ->capture_default_str();
  train
      ->add_option("--validation-users", train_opts->config.validation_users,
                   "Validate each epoch on a fixed seeded sample of this many users (0: all); the "
                   "chosen epoch is validated on all users at the end")
      ->check(CLI::Range(0, 1000000000))
      ->capture_default_str();
  train
      ->add_option("--dropout", train_opts->config.dropout,
                   "Dropout on embeddings, attention weights and block outputs")
      ->check(CLI::Range(0.0, 0.95))
      ->capture_default_str();
  train
      ->add_option("--contrastive", train_opts->config.contrastive,
                   "Weight of the contrastive term (two dropout views of each sequence pulled "
                   "together, InfoNCE over the batch; 0: off; costs a second encoder pass)")
      ->check(CLI::Range(0.0, 100.0))
      ->capture_default_str();
  train
      ->add_option("--temperature", train_opts->config.temperature,
                   "Temperature of the contrastive term's dot-product similarity")
      ->check(CLI::Range(1e-3, 1e3))
      ->capture_default_str();
  train
      ->add_option("--ensemble", train_opts->ensemble,
                   "Train this many models (seeds --seed, --seed + 1, ...) sharing --max-minutes; "
                   "eval averages their log-probabilities (1: a single model)")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  train->callback([train_opts] { Finish([&] { return RunTrain(*train_opts); }); });

  auto blend_opts = std::make_shared<EvalOptions>();
  auto* blend = insight.add_subcommand(
      "blend",
      "Choose the transition blend's weight of a trained model on the validation items (what "
      "train does at its end) and rewrite its manifest; the checkpoints are not changed");
  AddTrainedModelOptions(*blend, *blend_opts);
  blend->callback([blend_opts] {
    Finish([&] {
      KeepLargeBuffersInTheHeap();
      const InteractionLog log = LoadInteractionLog(blend_opts->data);
      const TransitionBlendChoice b =
          BlendSasrecFolder(log, blend_opts->model, blend_opts->threads,
                            [](const std::string& line) { fmt::print(stderr, "{}\n", line); });
      for (const auto& [w, m] : b.grid) {
        fmt::print("weight {:<5} validation HR@10 {:.4f} NDCG@10 {:.4f}{}\n", w, m.hit_rate, m.ndcg,
                   w == b.weight ? "  <- chosen" : "");
      }
      fmt::print("wrote {}\n", SasrecEnsembleManifestPath(blend_opts->model));
      return 0;
    });
  });

  auto eval_opts = std::make_shared<EvalOptions>();
  auto* eval = insight.add_subcommand(
      "eval",
      "Full-ranking leave-one-out test (HR@10, NDCG@10) of a trained model and the popularity and "
      "co-occurrence baselines");
  AddTrainedModelOptions(*eval, *eval_opts);
  eval->add_flag("--json", eval_opts->json, "Print one JSON object only");
  eval->callback([eval_opts] { Finish([&] { return RunEval(*eval_opts); }); });
}

}  // namespace cf
