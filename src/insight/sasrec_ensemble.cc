#include "insight/sasrec_ensemble.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include "common/atomic_file.h"

namespace cf {

namespace {

constexpr const char* kManifestFile = "ensemble.json";
constexpr const char* kManifestFormat = "chengfang-sasrec-ensemble";
constexpr int kManifestVersion = 1;

// Removes what an earlier training left in the folder besides member 0's checkpoint: the
// manifest first (so the folder never lists members that are gone), then sasrec.<n>.ckpt files.
void RemoveStaleEnsemble(const std::string& model_dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::remove(SasrecEnsembleManifestPath(model_dir), ec);
  if (ec) {
    throw SasrecError(fmt::format("{}: cannot remove the old ensemble manifest ({})",
                                  SasrecEnsembleManifestPath(model_dir), ec.message()));
  }
  for (const auto& entry : fs::directory_iterator(model_dir, ec)) {
    const std::string name = entry.path().filename().string();
    // sasrec.<digits>.ckpt
    if (name.size() > 12 && name.starts_with("sasrec.") && name.ends_with(".ckpt") &&
        std::all_of(name.begin() + 7, name.end() - 5,
                    [](char c) { return c >= '0' && c <= '9'; })) {
      fs::remove(entry.path(), ec);
    }
  }
}

std::string DescribeBlend(size_t members, const TransitionBlendChoice& b) {
  return fmt::format(
      "train: {} on all {} validation users: hr@10 {:.4f} ndcg@10 {:.4f}; with the transition "
      "blend (weight {} chosen on these items) hr@10 {:.4f} ndcg@10 {:.4f}",
      members > 1 ? fmt::format("ensemble of {}", members) : std::string("the model"),
      b.without.users, b.without.hit_rate, b.without.ndcg, b.weight, b.chosen.hit_rate,
      b.chosen.ndcg);
}

void WriteManifest(const std::string& model_dir, int members, double train_seconds,
                   const TransitionBlendChoice& blend) {
  nlohmann::ordered_json manifest = {{"format", kManifestFormat},
                                     {"version", kManifestVersion},
                                     {"members", nlohmann::json::array()},
                                     {"train_seconds", train_seconds},
                                     {"validation",
                                      {{"hr@10", blend.without.hit_rate},
                                       {"ndcg@10", blend.without.ndcg},
                                       {"users", blend.without.users}}},
                                     {"transition_weight", blend.weight},
                                     {"validation_with_transitions",
                                      {{"hr@10", blend.chosen.hit_rate},
                                       {"ndcg@10", blend.chosen.ndcg},
                                       {"users", blend.chosen.users}}}};
  for (int i = 0; i < members; ++i) {
    manifest["members"].push_back(
        std::filesystem::path(SasrecMemberPath(model_dir, i)).filename().string());
  }
  try {
    WriteFileAtomic(SasrecEnsembleManifestPath(model_dir), manifest.dump(2) + "\n");
  } catch (const std::runtime_error& e) {
    throw SasrecError(fmt::format("cannot save the ensemble manifest: {}", e.what()));
  }
}

}  // namespace

std::string SasrecEnsembleManifestPath(const std::string& model_dir) {
  return (std::filesystem::path(model_dir) / kManifestFile).string();
}

SasrecEnsemble::SasrecEnsemble(std::vector<SasrecModel> members) : members_(std::move(members)) {
  if (members_.empty()) throw SasrecError("an ensemble needs at least one model");
  for (const SasrecModel& m : members_) {
    if (m.num_items() != members_.front().num_items()) {
      throw SasrecError(fmt::format("ensemble members disagree on the number of items ({} and {})",
                                    members_.front().num_items(), m.num_items()));
    }
  }
}

SasrecEnsemble SasrecEnsemble::Load(const std::string& model_dir,
                                    std::vector<SasrecCheckpointInfo>* infos,
                                    const InteractionLog* log) {
  const std::string manifest_path = SasrecEnsembleManifestPath(model_dir);
  std::vector<std::string> paths;
  double train_seconds = -1, transition_weight = 0;
  TopKMetrics validation;
  if (std::filesystem::exists(manifest_path)) {
    std::ifstream in(manifest_path);
    std::stringstream text;
    text << in.rdbuf();
    const std::string retrain =
        fmt::format("retrain with `chengfang insight train --data FILE --model {}`", model_dir);
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(text.str());
    } catch (const nlohmann::json::exception& e) {
      throw SasrecError(
          fmt::format("{}: not valid JSON ({}); {}", manifest_path, e.what(), retrain));
    }
    if (!j.is_object() || j.value("format", "") != kManifestFormat) {
      throw SasrecError(
          fmt::format("{}: not a {} manifest; {}", manifest_path, kManifestFormat, retrain));
    }
    if (j.value("version", 0) != kManifestVersion) {
      throw SasrecError(fmt::format("{}: manifest version {} (this build reads {}); {}",
                                    manifest_path, j.value("version", 0), kManifestVersion,
                                    retrain));
    }
    const auto& files = j["members"];
    if (!files.is_array() || files.empty()) {
      throw SasrecError(fmt::format("{}: 'members' must list the member checkpoints; {}",
                                    manifest_path, retrain));
    }
    for (const auto& f : files) {
      const std::string name = f.is_string() ? f.get<std::string>() : std::string();
      if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..") {
        throw SasrecError(fmt::format("{}: member '{}' is not a file name in the model folder; {}",
                                      manifest_path, f.dump(), retrain));
      }
      paths.push_back((std::filesystem::path(model_dir) / name).string());
    }
    train_seconds = j.value("train_seconds", 0.0);
    transition_weight = j.value("transition_weight", 0.0);
    if (!(transition_weight >= 0) || !std::isfinite(transition_weight)) {
      throw SasrecError(
          fmt::format("{}: transition_weight must be a number >= 0; {}", manifest_path, retrain));
    }
    if (j.contains("validation") && j["validation"].is_object()) {
      validation.hit_rate = j["validation"].value("hr@10", 0.0);
      validation.ndcg = j["validation"].value("ndcg@10", 0.0);
      validation.users = j["validation"].value("users", int64_t{0});
    }
  } else {
    paths.push_back(SasrecCheckpointPath(model_dir));
  }
  std::vector<SasrecModel> members;
  std::vector<SasrecCheckpointInfo> loaded(paths.size());
  for (size_t i = 0; i < paths.size(); ++i) {
    members.push_back(SasrecModel::Load(paths[i], &loaded[i]));
    if (log != nullptr) CheckCheckpointMatchesLog(loaded[i], *log, paths[i]);
    if (loaded[i].data_fingerprint != loaded[0].data_fingerprint ||
        loaded[i].item_ids != loaded[0].item_ids) {
      throw SasrecError(fmt::format(
          "{}: trained on another log than {} (the ensemble's first member); retrain the "
          "ensemble with `chengfang insight train --data FILE --model {}`",
          paths[i], paths[0], model_dir));
    }
  }
  SasrecEnsemble ensemble(std::move(members));
  ensemble.train_seconds_ = train_seconds >= 0 ? train_seconds : loaded[0].train_seconds;
  ensemble.validation_ = train_seconds >= 0 ? validation : loaded[0].validation;
  ensemble.transition_weight_ = transition_weight;
  if (infos != nullptr) *infos = std::move(loaded);
  return ensemble;
}

void SasrecEnsemble::set_threads(int threads) {
  for (SasrecModel& m : members_) m.set_threads(threads);
}

void SasrecEnsemble::Score(std::span<const std::span<const int32_t>> histories,
                           std::vector<float>* scores) const {
  ScoreEnsemble(histories, scores);
  if (transitions_ != nullptr && transition_weight_ > 0) {
    AddTransitionScores(*transitions_, transition_weight_, histories, scores);
  }
}

void AddTransitionScores(const TransitionBaseline& transitions, double w,
                         std::span<const std::span<const int32_t>> histories,
                         std::vector<float>* scores) {
  const size_t width = scores->size() / std::max<size_t>(1, histories.size());
  for (size_t r = 0; r < histories.size(); ++r) {
    if (histories[r].empty()) continue;
    float* row = scores->data() + r * width;
    transitions.ForEachNext(histories[r].back(), [&](int32_t to, int32_t count) {
      row[static_cast<size_t>(to)] += static_cast<float>(w * std::log1p(count));
    });
  }
}

TransitionBlendChoice ChooseTransitionWeight(const InteractionLog& log,
                                             const SasrecEnsemble& ensemble,
                                             const TransitionBaseline& transitions) {
  static constexpr double kGrid[] = {0, 0.25, 0.5, 0.75, 1, 1.5, 2};
  constexpr size_t kWeights = std::size(kGrid);
  const std::vector<HeldOutCase> cases = HeldOutCases(log, HeldOut::kValidation);
  const size_t width = static_cast<size_t>(log.num_items()) + 1;
  std::vector<TopKAccumulator> acc(kWeights, TopKAccumulator(10));
  std::vector<std::span<const int32_t>> histories;
  std::vector<float> base, row(width);
  for (size_t begin = 0; begin < cases.size(); begin += 256) {
    const size_t end = std::min(cases.size(), begin + 256);
    histories.clear();
    for (size_t u = begin; u < end; ++u) histories.push_back(cases[u].history);
    ensemble.ScoreEnsemble(histories, &base);
    for (size_t u = begin; u < end; ++u) {
      const HeldOutCase& c = cases[u];
      const float* b = base.data() + (u - begin) * width;
      const std::span<const int32_t> one[] = {c.history};
      for (size_t k = 0; k < kWeights; ++k) {
        std::copy(b, b + width, row.begin());
        AddTransitionScores(transitions, kGrid[k], one, &row);
        acc[k].AddRank(RankOfTarget(row, c.target, c.history));
      }
    }
  }
  TransitionBlendChoice choice;
  size_t best = 0;
  for (size_t k = 0; k < kWeights; ++k) {
    choice.grid.emplace_back(kGrid[k], acc[k].Result());
    if (choice.grid[k].second.ndcg > choice.grid[best].second.ndcg) best = k;
  }
  choice.weight = kGrid[best];
  choice.without = choice.grid[0].second;
  choice.chosen = choice.grid[best].second;
  return choice;
}

void SasrecEnsemble::ScoreEnsemble(std::span<const std::span<const int32_t>> histories,
                                   std::vector<float>* scores) const {
  const size_t width = static_cast<size_t>(num_items()) + 1;
  const size_t rows = histories.size();
  scores->assign(rows * width, 0.0f);
  const float share = 1.0f / static_cast<float>(members_.size());
  for (const SasrecModel& m : members_) {
    member_scores_.clear();
    m.Score(histories, &member_scores_);
    for (size_t r = 0; r < rows; ++r) {
      const float* in = member_scores_.data() + r * width;
      float* out = scores->data() + r * width;
      // log softmax over items 1..M (column 0 is padding), in double for the normaliser.
      float top = -std::numeric_limits<float>::infinity();
      for (size_t i = 1; i < width; ++i) top = std::max(top, in[i]);
      double z = 0;
      for (size_t i = 1; i < width; ++i) z += std::exp(static_cast<double>(in[i] - top));
      const float log_z = top + static_cast<float>(std::log(z));
      for (size_t i = 1; i < width; ++i) out[i] += share * (in[i] - log_z);
    }
  }
  for (size_t r = 0; r < rows; ++r) (*scores)[r * width] = -std::numeric_limits<float>::infinity();
}

SasrecEnsembleReport TrainSasrecEnsemble(const InteractionLog& log, const SasrecConfig& config,
                                         int members, const std::string& model_dir,
                                         const std::function<void(const std::string&)>& progress) {
  if (members < 1) {
    throw SasrecError(fmt::format("--ensemble must be at least 1 (got {})", members));
  }
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - t0).count(); };
  auto say = [&](const std::string& line) {
    if (progress) progress(line);
  };
  std::error_code ec;
  std::filesystem::create_directories(model_dir, ec);
  if (ec || !std::filesystem::is_directory(model_dir)) {
    throw SasrecError(fmt::format("{}: cannot create the model folder ({})", model_dir,
                                  ec ? ec.message() : "not a directory"));
  }
  RemoveStaleEnsemble(model_dir);

  SasrecEnsembleReport report;
  const double limit_s = config.max_minutes * 60.0;
  // Reserve for the ensemble's final validation (every member scores every user once): a guess
  // of 2% of the limit per member until the first member's own full validation was timed.
  double validation_per_member_s = 0.02 * limit_s;
  for (int i = 0; i < members; ++i) {
    const double reserve = members > 1 ? validation_per_member_s * members : 0.0;
    const double share_s = (limit_s - elapsed() - reserve) / static_cast<double>(members - i);
    if (i > 0 && share_s < 0.05 * limit_s) {
      say(fmt::format(
          "train: ensemble: {:.1f} min left is too little for member {} of {}; keeping {} members",
          share_s * (members - i) / 60.0, i + 1, members, i));
      break;
    }
    SasrecConfig c = config;
    c.seed = config.seed + static_cast<uint64_t>(i);
    c.max_minutes = std::max(share_s, 1.0) / 60.0;
    if (members > 1) {
      say(fmt::format("train: ensemble member {} of {} (seed {}, {:.1f} of {:.1f} min left)", i + 1,
                      members, c.seed, c.max_minutes, (limit_s - elapsed()) / 60.0));
    }
    report.members.push_back(TrainSasrec(log, c, model_dir, progress, i));
    validation_per_member_s = report.members.back().full_validation_seconds;
  }
  const int trained = static_cast<int>(report.members.size());
  std::vector<SasrecModel> loaded;
  for (int i = 0; i < trained; ++i) {
    loaded.push_back(SasrecModel::Load(SasrecMemberPath(model_dir, i), nullptr));
  }
  SasrecEnsemble ensemble(std::move(loaded));
  ensemble.set_threads(config.threads);
  // The blend's choice scores every validation user once with every member.
  if (elapsed() + 1.5 * validation_per_member_s * trained <= limit_s) {
    const TransitionBaseline transitions(log);
    report.blend = ChooseTransitionWeight(log, ensemble, transitions);
    report.validation = report.blend.without;
    say(DescribeBlend(trained, report.blend));
  } else {
    say("train: no time left to validate the ensemble as a whole or choose the transition blend "
        "(weight 0; `chengfang insight blend` chooses it later)");
  }
  report.train_seconds = elapsed();
  WriteManifest(model_dir, trained, report.train_seconds, report.blend);
  return report;
}

TransitionBlendChoice BlendSasrecFolder(const InteractionLog& log, const std::string& model_dir,
                                        int threads,
                                        const std::function<void(const std::string&)>& progress) {
  SasrecEnsemble ensemble = SasrecEnsemble::Load(model_dir, nullptr, &log);
  ensemble.set_threads(threads);
  const TransitionBaseline transitions(log);
  const TransitionBlendChoice b = ChooseTransitionWeight(log, ensemble, transitions);
  if (progress) progress(DescribeBlend(ensemble.size(), b));
  WriteManifest(model_dir, static_cast<int>(ensemble.size()), ensemble.train_seconds(), b);
  return b;
}

}  // namespace cf
