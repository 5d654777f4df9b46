// SasrecEnsemble: several SASRec models trained on the same log with consecutive seeds, scored
// together by averaging their log-softmax next-item distributions (a geometric mean of the
// members' probabilities). Members differ only in their seed (initialisation, batch order,
// negatives, dropout masks); their errors are partly independent, so the average ranks better
// than any member (docs/insight-sequence.md, "Ensembles").
//
// Promises:
// - TrainSasrecEnsemble trains member i with seed config.seed + i into SasrecMemberPath(dir, i),
//   sharing config.max_minutes among the members (each gets an equal share of what is left, less
//   a reserve for the ensemble's final validation); member 0 is exactly what TrainSasrec would
//   train alone when its share does not bind. With more than one member, the manifest
//   (`ensemble.json`) is written atomically last: a folder whose training was interrupted loads
//   as the single model of member 0 (a complete checkpoint), never as a partial ensemble. Stale
//   member files and manifests of an earlier training in the folder are removed first.
// - SasrecEnsemble::Load reads the manifest when there is one (every member it lists must load
//   and all must be trained on the same log), else the single checkpoint; errors throw
//   SasrecError naming the file and what to do.
// - The transition blend: training ends by choosing, on the validation items only, a weight w
//   from a fixed grid (0 included) for adding w x log(1 + count of "last item -> item" in the
//   training sequences) to the ensemble's scores: the first-order transitions the co-occurrence
//   baseline counts, which the attention model learns only approximately. The weight is stored
//   in the manifest (0 when the folder has none) and used by Score when a TransitionBaseline of
//   the same log is attached. `insight blend` chooses it again for a trained folder.
// - Deterministic given the config (as SasrecModel). Not thread-safe.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <vector>

#include "insight/interaction_log.h"
#include "insight/ranking_metrics.h"
#include "insight/sasrec_model.h"

namespace cf {

// The manifest file of an ensemble inside a model folder.
std::string SasrecEnsembleManifestPath(const std::string& model_dir);

class SasrecEnsemble {
 public:
  explicit SasrecEnsemble(std::vector<SasrecModel> members);

  // The model in `model_dir` (an ensemble or a single checkpoint). `infos` receives each
  // member's checkpoint info when not null; with `log`, every member must have been trained on it
  // (CheckCheckpointMatchesLog).
  static SasrecEnsemble Load(const std::string& model_dir,
                             std::vector<SasrecCheckpointInfo>* infos = nullptr,
                             const InteractionLog* log = nullptr);

  size_t size() const { return members_.size(); }
  int32_t num_items() const { return members_.front().num_items(); }
  void set_threads(int threads);
  // The whole training time and the validation of the ensemble as recorded by training (for a
  // single checkpoint: its own).
  double train_seconds() const { return train_seconds_; }
  const TopKMetrics& validation() const { return validation_; }

  // A BatchScorer: the mean over members of log softmax(logits) per item; column 0 is -inf. With
  // one member the ranking equals that member's.
  void ScoreEnsemble(std::span<const std::span<const int32_t>> histories,
                     std::vector<float>* scores) const;
  // ScoreEnsemble plus the transition blend (when a table is attached and the weight is > 0).
  void Score(std::span<const std::span<const int32_t>> histories, std::vector<float>* scores) const;
  // Borrowed; must be built from the log the members were trained on and outlive the ensemble.
  void AttachTransitions(const TransitionBaseline* transitions) { transitions_ = transitions; }
  double transition_weight() const { return transition_weight_; }
  void set_transition_weight(double w) { transition_weight_ = w; }

 private:
  std::vector<SasrecModel> members_;
  mutable std::vector<float> member_scores_;
  double train_seconds_ = 0;
  TopKMetrics validation_;
  const TransitionBaseline* transitions_ = nullptr;
  double transition_weight_ = 0;
};

// Adds w x log(1 + count(last item of each history -> item)) to each row of `scores`.
void AddTransitionScores(const TransitionBaseline& transitions, double w,
                         std::span<const std::span<const int32_t>> histories,
                         std::vector<float>* scores);

struct TransitionBlendChoice {
  double weight = 0;
  TopKMetrics without;  // the ensemble alone on the validation items
  TopKMetrics chosen;   // with the chosen weight
  std::vector<std::pair<double, TopKMetrics>> grid;
};
// The grid's weight with the best validation NDCG@10 (ties: the smaller weight).
TransitionBlendChoice ChooseTransitionWeight(const InteractionLog& log,
                                             const SasrecEnsemble& ensemble,
                                             const TransitionBaseline& transitions);

// Chooses the blend weight for the model in `model_dir` and rewrites its manifest (creating one
// for a single checkpoint) atomically; the members are not touched.
TransitionBlendChoice BlendSasrecFolder(const InteractionLog& log, const std::string& model_dir,
                                        int threads,
                                        const std::function<void(const std::string&)>& progress);

struct SasrecEnsembleReport {
  std::vector<SasrecTrainReport> members;
  TopKMetrics validation;  // the ensemble alone on every validation user (0 users: not measured)
  TransitionBlendChoice blend;  // weight 0 when not measured
  double train_seconds = 0;
};

// Trains `members` (>= 1) SASRec models as described above; progress lines go to `progress`.
SasrecEnsembleReport TrainSasrecEnsemble(
    const InteractionLog& log, const SasrecConfig& config, int members,
    const std::string& model_dir, const std::function<void(const std::string&)>& progress = {});

}  // namespace cf
