// SasrecModel: a SASRec-style causal self-attention next-item model (item embeddings + learned
// positions, pre-LN transformer blocks with a causal mask, dropout, a final layer norm; next-item
// logits are dot products with the same item embeddings), trained with softmax cross-entropy and
// Adam, on CPU with LibTorch: either over all items ("full") or, by default, over the target and a
// shared uniform sample of negatives per batch with the logQ correction ("sampled"). Torch stays
// behind a pimpl: this header does not include it.
//
// Promises:
// - Deterministic given SasrecConfig::seed and ::threads: same log, same config -> same weights and
//   scores (initialisation from torch::manual_seed, a seeded batch order, seeded negative and
//   validation samples, a fixed thread count).
// - TrainSasrec early-stops on validation NDCG@10 (of a fixed seeded sample of at most
//   SasrecConfig::validation_users users; the chosen epoch is then validated on all users) and
//   leaves in model_dir only the best epoch's checkpoint, written atomically (temporary file in the
//   folder, fsync, rename): a half-written checkpoint never loads.
// - Checkpoint (docs/insight-sequence.md): magic, format version, a JSON header (config, the data
//   file's fingerprint, the item-id map, training time), the weights and a checksum. Loading a
//   truncated or corrupted file, another format version, or checking it against another data file
//   throws SasrecError with a message naming the file and what to do.
// - Not thread-safe: torch's global RNG and thread pool are set by training and scoring.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "insight/interaction_log.h"
#include "insight/ranking_metrics.h"

namespace cf {

class SasrecError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct SasrecConfig {
  int max_length = 50;   // most recent items the model reads
  int dim = 64;          // embedding width
  int blocks = 2;        // transformer blocks
  int heads = 1;         // attention heads (dim % heads == 0)
  double dropout = 0.5;  // on embeddings, attention weights and block outputs
  double learning_rate = 1e-3;
  int batch_size = 128;  // user sequences per step
  int max_epochs = 200;
  int patience = 10;        // epochs without a better validation NDCG@10 before stopping
  double max_minutes = 50;  // training time limit (an epoch that would not fit is not started)
  uint64_t seed = 42;
  int threads = 2;  // intra-op threads (torch and OpenBLAS)
  // "sampled": softmax over the target and `negatives` items drawn uniformly without replacement
  // per batch (shared by all positions of the batch; logits + log(M / negatives), accidental hits
  // of the target masked); with negatives >= M it is exactly the full softmax. "full": softmax
  // over all M items.
  std::string loss = "sampled";
  int negatives = 4096;
  // Users in the fixed, seeded validation sample scored after each epoch (0: all evaluated users).
  int validation_users = 10000;
  // Weight of a contrastive term (0: off): each training sequence is encoded a second time with
  // other dropout masks, and the two last-position states are pulled together against the
  // batch's other sequences (InfoNCE over 2B states, dot product / `temperature`), the
  // dropout-view regulariser of DuoRec (Qiu et al., WSDM 2022). Costs a second encoder pass.
  double contrastive = 0;
  double temperature = 1;
};

// What a checkpoint records besides the weights.
struct SasrecCheckpointInfo {
  SasrecConfig config;
  std::string data_source;
  uint64_t data_fingerprint = 0;
  int64_t data_users = 0;
  int64_t data_lines = 0;
  std::vector<int64_t> item_ids;  // the log's dense -> raw item map
  double train_seconds = 0;
  int epochs = 0;
  int best_epoch = 0;
  TopKMetrics validation;  // of the best epoch
};

class SasrecModel {
 public:
  // Freshly initialised weights (torch::manual_seed(config.seed)).
  SasrecModel(const SasrecConfig& config, int32_t num_items);
  ~SasrecModel();
  SasrecModel(SasrecModel&&) noexcept;
  SasrecModel& operator=(SasrecModel&&) noexcept;

  const SasrecConfig& config() const;
  int32_t num_items() const;
  // CPU threads used by Score (the config's value until changed).
  void set_threads(int threads);

  // Next-item scores after each history (the last max_length items are read), as a BatchScorer:
  // histories.size() rows of num_items + 1 floats; column 0 (padding) is -inf.
  void Score(std::span<const std::span<const int32_t>> histories, std::vector<float>* scores) const;

  // Mean next-item training loss (the config's `loss`, no dropout) over every position of the given
  // sequences (input: the items before each position, the last max_length; target: the item).
  // `sample_seed` seeds the negative sample of the "sampled" loss.
  double Loss(std::span<const std::span<const int32_t>> sequences, uint64_t sample_seed) const;

  // Writes the checkpoint file `path` atomically.
  void Save(const std::string& path, const SasrecCheckpointInfo& info) const;
  // Reads a checkpoint file; throws SasrecError.
  static SasrecModel Load(const std::string& path, SasrecCheckpointInfo* info);

  struct Impl;

 private:
  friend struct SasrecTrainer;
  std::unique_ptr<Impl> impl_;
};

// The checkpoint file inside a model folder (member 0 of an ensemble, the only one of a single
// model).
std::string SasrecCheckpointPath(const std::string& model_dir);
// The checkpoint file of ensemble member `member` (0-based) inside a model folder:
// sasrec.ckpt for member 0, sasrec.<member + 1>.ckpt for the others.
std::string SasrecMemberPath(const std::string& model_dir, int member);

// Throws SasrecError unless `info` was trained on `log` (same file fingerprint and item map).
void CheckCheckpointMatchesLog(const SasrecCheckpointInfo& info, const InteractionLog& log,
                               const std::string& checkpoint_path);

struct SasrecTrainReport {
  int epochs = 0;
  int best_epoch = 0;
  TopKMetrics best_validation;  // on the validation sample (chooses the epoch)
  TopKMetrics full_validation;  // the chosen epoch on every evaluated user
  double train_seconds = 0;
  double full_validation_seconds = 0;  // one validation pass over every evaluated user
  std::string stop_reason;             // "early stopping", "time limit", "max epochs"
};

// Trains on the training split of `log`, validates after every epoch on a fixed sample of users,
// validates the best epoch on all users at the end, and keeps the best epoch's checkpoint at
// SasrecMemberPath(model_dir, member) (the folder is created). Progress and ETA go to `progress`
// (one line per call) when set.
SasrecTrainReport TrainSasrec(const InteractionLog& log, const SasrecConfig& config,
                              const std::string& model_dir,
                              const std::function<void(const std::string&)>& progress = {},
                              int member = 0);

}  // namespace cf
