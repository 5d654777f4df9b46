// Tests of the sequence model stack: the `user item` loader and split, full-ranking metrics, the
// popularity and co-occurrence baselines, and the SASRec-style model (learning a sequential rule,
// determinism, checkpoints), with the full and the sampled softmax loss, and ensembles of it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "insight/interaction_log.h"
#include "insight/ranking_metrics.h"
#include "insight/sasrec_ensemble.h"
#include "insight/sasrec_model.h"

namespace cf {
namespace {

namespace fs = std::filesystem;

InteractionLog Parse(const std::string& text, const std::string& name = "mem.txt") {
  std::istringstream in(text);
  return ParseInteractionLog(in, name);
}

std::string ErrorOf(const std::string& text, const std::string& name = "log.txt") {
  try {
    Parse(text, name);
  } catch (const InteractionLogError& e) {
    return e.what();
  }
  return "";
}

fs::path TempDir(const std::string& name) {
  const fs::path p =
      fs::temp_directory_path() / ("cf_seq_test_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(p);
  fs::create_directories(p);
  return p;
}

// ---- loader and split ----------------------------------------------------------------------

TEST(InteractionLog, RemapsIdsAndGroupsUsersInTimeOrder) {
  const InteractionLog log = Parse("10 500\n20 7\n\n10 7\n  20\t900 \n10 500\n");
  EXPECT_EQ(log.lines, 5);
  ASSERT_EQ(log.num_users(), 2);
  EXPECT_EQ(log.user_ids, (std::vector<int64_t>{10, 20}));
  EXPECT_EQ(log.item_ids, (std::vector<int64_t>{500, 7, 900}));  // dense 1, 2, 3
  EXPECT_EQ(log.sequences[0], (std::vector<int32_t>{1, 2, 1}));
  EXPECT_EQ(log.sequences[1], (std::vector<int32_t>{2, 3}));
  EXPECT_NE(log.fingerprint, Parse("10 500\n20 7\n").fingerprint);
  EXPECT_EQ(log.fingerprint, Parse("10 500\n20 7\n\n10 7\n  20\t900 \n10 500\n").fingerprint);
}

TEST(InteractionLog, MalformedLinesNameFileAndLine) {
  std::string e = ErrorOf("1 2\n1 3\n1 2 3\n", "beauty.txt");
  EXPECT_NE(e.find("beauty.txt:3:"), std::string::npos) << e;
  EXPECT_NE(e.find("3 fields"), std::string::npos) << e;
  e = ErrorOf("1 2\nonly\n");
  EXPECT_NE(e.find("log.txt:2:"), std::string::npos) << e;
  e = ErrorOf("1 2\n1 x7\n");
  EXPECT_NE(e.find("log.txt:2:"), std::string::npos) << e;
  EXPECT_NE(e.find("item id 'x7' is not an integer"), std::string::npos) << e;
  e = ErrorOf("1.5 2\n");
  EXPECT_NE(e.find("log.txt:1: user id '1.5'"), std::string::npos) << e;
  e = ErrorOf("");
  EXPECT_NE(e.find("log.txt: no interactions"), std::string::npos) << e;
  e = ErrorOf("\n \n");
  EXPECT_NE(e.find("no interactions"), std::string::npos) << e;
}

TEST(InteractionLog, MissingFileIsNamed) {
  try {
    LoadInteractionLog("/nonexistent/dir/log.txt");
    FAIL() << "no error";
  } catch (const InteractionLogError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/dir/log.txt: cannot open"),
              std::string::npos)
        << e.what();
  }
}

TEST(InteractionLog, LeaveOneOutSplit) {
  const std::vector<int32_t> seq = {4, 5, 6, 7, 8};
  EXPECT_EQ(TrainingLength(5), 3u);
  const auto val = HeldOutFor(seq, HeldOut::kValidation);
  const auto test = HeldOutFor(seq, HeldOut::kTest);
  ASSERT_TRUE(val && test);
  EXPECT_EQ(val->target, 7);
  EXPECT_EQ(std::vector<int32_t>(val->history.begin(), val->history.end()),
            (std::vector<int32_t>{4, 5, 6}));
  EXPECT_EQ(test->target, 8);
  EXPECT_EQ(std::vector<int32_t>(test->history.begin(), test->history.end()),
            (std::vector<int32_t>{4, 5, 6, 7}));  // the validation item is part of the input
  // Fewer than 3 items: never evaluated, everything is training.
  const std::vector<int32_t> short_seq = {1, 2};
  EXPECT_FALSE(HeldOutFor(short_seq, HeldOut::kTest));
  EXPECT_EQ(TrainingLength(2), 2u);
  EXPECT_EQ(TrainingLength(3), 1u);
}

// ---- metrics ---------------------------------------------------------------------------------

TEST(RankingMetrics, RankSkipsSeenItemsButNotTheTarget) {
  //                        pad  1    2    3    4    5    6
  const std::vector<float> s = {0, 0.9f, 0.8f, 0.7f, 0.6f, 0.5f, 0.1f};
  EXPECT_EQ(RankOfTarget(s, 1, {}), 0);
  EXPECT_EQ(RankOfTarget(s, 4, {}), 3);
  const std::vector<int32_t> seen = {1, 2, 2, 6};  // duplicates count once; 6 scores below
  EXPECT_EQ(RankOfTarget(s, 4, seen), 1);
  const std::vector<int32_t> seen_with_target = {4, 1};
  EXPECT_EQ(RankOfTarget(s, 4, seen_with_target), 2);  // the target itself is never skipped
  // Ties count against the target.
  const std::vector<float> flat = {0, 1, 1, 1, 1};
  EXPECT_EQ(RankOfTarget(flat, 2, {}), 3);
}

TEST(RankingMetrics, HitRateAndNdcgArithmetic) {
  TopKAccumulator acc(10);
  acc.AddRank(0);   // dcg 1
  acc.AddRank(1);   // dcg 1/log2(3)
  acc.AddRank(9);   // dcg 1/log2(11)
  acc.AddRank(10);  // outside the top 10
  const TopKMetrics m = acc.Result();
  EXPECT_EQ(m.users, 4);
  EXPECT_DOUBLE_EQ(m.hit_rate, 0.75);
  EXPECT_NEAR(m.ndcg, (1.0 + 1.0 / std::log2(3.0) + 1.0 / std::log2(11.0)) / 4.0, 1e-12);
}

// ---- baselines ---------------------------------------------------------------------------------

TEST(Baselines, CountOnlyTrainingItems) {
  // u1: 1 2 3 | val 4 | test 5 ; u2: 1 2 | val 3 | test 4 ; u3 (2 items): 2 3, all training.
  const InteractionLog log = Parse("1 1\n1 2\n1 3\n1 4\n1 5\n2 1\n2 2\n2 3\n2 4\n3 2\n3 3\n");
  const PopularityBaseline pop(log);
  // dense ids equal raw ids here (first appearance order 1..5).
  EXPECT_EQ(pop.counts(), (std::vector<int64_t>{0, 2, 3, 2, 0, 0}));
  const TransitionBaseline cooc(log);
  EXPECT_EQ(cooc.Count(1, 2), 2);
  EXPECT_EQ(cooc.Count(2, 3), 2);  // u1 and u3; 3 -> 4 is validation, not training
  EXPECT_EQ(cooc.Count(3, 4), 0);
  EXPECT_EQ(cooc.Count(4, 5), 0);

  const std::vector<int32_t> hist = {1};
  std::vector<std::span<const int32_t>> hs = {hist};
  std::vector<float> s;
  cooc.Score(hs, &s);
  ASSERT_EQ(s.size(), 6u);
  EXPECT_GT(s[2], s[3]);  // followed 1 twice
  EXPECT_GT(s[3], s[4]);  // popularity breaks ties below one count
  EXPECT_LT(s[3], 1.0f);

  // Test evaluation with popularity. u1: target 5, history 1 2 3 4 is excluded, so 5 is the only
  // candidate left (rank 0). u2: target 4, history 1 2 3 excluded; 4 and 5 both have count 0 and
  // the tie counts against the target (rank 1).
  const BatchScorer by_pop = [&](std::span<const std::span<const int32_t>> h,
                                 std::vector<float>* out) { pop.Score(h, out); };
  const TopKMetrics top1 = EvaluateHeldOut(log, HeldOut::kTest, by_pop, 1);
  EXPECT_EQ(top1.users, 2);
  EXPECT_DOUBLE_EQ(top1.hit_rate, 0.5);
  EXPECT_DOUBLE_EQ(top1.ndcg, 0.5);
  const TopKMetrics top2 = EvaluateHeldOut(log, HeldOut::kTest, by_pop, 2);
  EXPECT_DOUBLE_EQ(top2.hit_rate, 1.0);
  EXPECT_NEAR(top2.ndcg, (1.0 + 1.0 / std::log2(3.0)) / 2.0, 1e-12);
  // Validation with co-occurrence from the last training item: u1 (history 1 2 3, target 4): 3 was
  // never followed in training, so popularity decides among 4, 5 (both 0): rank 1. u2 (history
  // 1 2, target 3): 2 -> 3 was seen twice, rank 0.
  const BatchScorer by_cooc = [&](std::span<const std::span<const int32_t>> h,
                                  std::vector<float>* out) { cooc.Score(h, out); };
  const TopKMetrics v = EvaluateHeldOut(log, HeldOut::kValidation, by_cooc, 1);
  EXPECT_DOUBLE_EQ(v.hit_rate, 0.5);
}

// ---- the model -------------------------------------------------------------------------------

// M items; most users follow i -> i+1 (mod M), with 10% random noise; starts are uniform.
InteractionLog SequentialRuleLog(int users, int items, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> item(1, items);
  std::uniform_int_distribution<int> len(6, 14);
  std::bernoulli_distribution noise(0.1);
  std::ostringstream out;
  for (int u = 1; u <= users; ++u) {
    int cur = item(rng);
    const int n = len(rng);
    for (int t = 0; t < n; ++t) {
      out << u << ' ' << cur << '\n';
      cur = noise(rng) ? item(rng) : cur % items + 1;
    }
  }
  return Parse(out.str(), "synthetic.txt");
}

SasrecConfig TinyConfig() {
  SasrecConfig c;
  c.max_length = 12;
  c.dim = 32;
  c.blocks = 1;
  c.heads = 1;
  c.dropout = 0.1;
  c.learning_rate = 5e-3;
  c.batch_size = 64;
  c.max_epochs = 12;
  c.patience = 3;
  c.max_minutes = 1;
  c.threads = 1;
  c.seed = 7;
  c.loss = "full";
  return c;
}

std::vector<float> ScoresOf(const SasrecModel& m, const InteractionLog& log) {
  std::vector<std::span<const int32_t>> hs;
  for (int u = 0; u < 20; ++u) hs.push_back(log.sequences[static_cast<size_t>(u)]);
  std::vector<float> s;
  m.Score(hs, &s);
  return s;
}

TopKMetrics TestMetrics(const InteractionLog& log, const BatchScorer& scorer) {
  return EvaluateHeldOut(log, HeldOut::kTest, scorer);
}

class SasrecTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    log_ = new InteractionLog(SequentialRuleLog(300, 60, 11));
    dir_ = new fs::path(TempDir("model"));
    report_ = new SasrecTrainReport(TrainSasrec(*log_, TinyConfig(), dir_->string()));
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete report_;
    delete dir_;
    delete log_;
  }
  static InteractionLog* log_;
  static fs::path* dir_;
  static SasrecTrainReport* report_;
};
InteractionLog* SasrecTest::log_ = nullptr;
fs::path* SasrecTest::dir_ = nullptr;
SasrecTrainReport* SasrecTest::report_ = nullptr;

TEST_F(SasrecTest, LearnsASequentialRuleThatPopularityCannot) {
  SasrecCheckpointInfo info;
  const SasrecModel model = SasrecModel::Load(SasrecCheckpointPath(dir_->string()), &info);
  const TopKMetrics m = TestMetrics(*log_, [&](auto h, auto* s) { model.Score(h, s); });
  const PopularityBaseline pop(*log_);
  const TopKMetrics p = TestMetrics(*log_, [&](auto h, auto* s) { pop.Score(h, s); });
  EXPECT_EQ(m.users, 300);
  EXPECT_GT(m.hit_rate, 0.7) << "popularity " << p.hit_rate;
  EXPECT_GT(m.hit_rate, p.hit_rate + 0.4);
  EXPECT_GT(m.ndcg, p.ndcg + 0.3);
  EXPECT_GE(report_->best_epoch, 1);
  EXPECT_EQ(info.best_epoch, report_->best_epoch);
  EXPECT_DOUBLE_EQ(info.validation.ndcg, report_->best_validation.ndcg);
  EXPECT_GT(info.train_seconds, 0.0);
}

TEST_F(SasrecTest, CheckpointRoundTripGivesIdenticalScores) {
  SasrecCheckpointInfo info;
  const SasrecModel a = SasrecModel::Load(SasrecCheckpointPath(dir_->string()), &info);
  EXPECT_EQ(info.item_ids, log_->item_ids);
  EXPECT_EQ(info.data_fingerprint, log_->fingerprint);
  CheckCheckpointMatchesLog(info, *log_, "ckpt");  // does not throw
  const fs::path copy_dir = TempDir("copy");
  const std::string copy = SasrecCheckpointPath(copy_dir.string());
  a.Save(copy, info);
  const SasrecModel b = SasrecModel::Load(copy, nullptr);
  EXPECT_EQ(ScoresOf(a, *log_), ScoresOf(b, *log_));
  // No temporary file is left behind.
  int files = 0;
  for (const auto& e : fs::directory_iterator(copy_dir)) files += e.is_regular_file() ? 1 : 0;
  EXPECT_EQ(files, 1);
  fs::remove_all(copy_dir);
}

std::string LoadError(const std::string& path) {
  try {
    SasrecModel::Load(path, nullptr);
  } catch (const SasrecError& e) {
    return e.what();
  }
  return "";
}

TEST_F(SasrecTest, DamagedOrForeignCheckpointsAreRefused) {
  const std::string good = SasrecCheckpointPath(dir_->string());
  std::ifstream in(good, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const fs::path d = TempDir("damaged");
  auto write = [&](const std::string& name, const std::string& content) {
    const std::string p = (d / name).string();
    std::ofstream(p, std::ios::binary) << content;
    return p;
  };
  std::string e = LoadError(write("truncated", bytes.substr(0, bytes.size() / 2)));
  EXPECT_NE(e.find("truncated or corrupted"), std::string::npos) << e;
  EXPECT_NE(e.find("truncated"), std::string::npos);
  std::string flipped = bytes;
  flipped[flipped.size() / 2] ^= 0x40;
  e = LoadError(write("flipped", flipped));
  EXPECT_NE(e.find("checksum"), std::string::npos) << e;
  std::string other_version = bytes;
  other_version[8] = 99;
  e = LoadError(write("version", other_version));
  EXPECT_NE(e.find("format version 99"), std::string::npos) << e;
  e = LoadError(write("text", "user item\n1 2\n"));
  EXPECT_NE(e.find("not a Chengfang SASRec checkpoint"), std::string::npos) << e;
  e = LoadError((d / "absent").string());
  EXPECT_NE(e.find("cannot open checkpoint"), std::string::npos) << e;
  fs::remove_all(d);

  SasrecCheckpointInfo info;
  SasrecModel::Load(good, &info);
  const InteractionLog other = SequentialRuleLog(300, 60, 12);
  try {
    CheckCheckpointMatchesLog(info, other, good);
    FAIL() << "a checkpoint for another log was accepted";
  } catch (const SasrecError& err) {
    EXPECT_NE(std::string(err.what()).find("different log"), std::string::npos) << err.what();
  }
}

TEST(Sasrec, SampledLossIsTheFullLossWhenEveryItemIsANegative) {
  const InteractionLog log = SequentialRuleLog(80, 30, 4);
  std::vector<std::span<const int32_t>> seqs(log.sequences.begin(), log.sequences.end());
  SasrecConfig c = TinyConfig();
  c.batch_size = 32;  // several batches, each with its own negative sample
  const SasrecModel full(c, log.num_items());
  const double full_loss = full.Loss(seqs, 1);
  EXPECT_GT(full_loss, 0.5 * std::log(30.0));  // untrained: near log(M)
  c.loss = "sampled";
  for (int negatives : {30, 31, 1000}) {  // every item is a negative (the target's own is masked)
    c.negatives = negatives;
    const SasrecModel sampled(c, log.num_items());  // same seed: the same weights
    EXPECT_NEAR(sampled.Loss(seqs, 1), full_loss, 1e-5 * full_loss) << negatives;
  }
  // Fewer negatives: an estimate that depends on the sample, deterministic given its seed.
  c.negatives = 5;
  const SasrecModel sampled(c, log.num_items());
  const double a = sampled.Loss(seqs, 1);
  EXPECT_TRUE(std::isfinite(a));
  EXPECT_NE(a, full_loss);
  EXPECT_EQ(a, sampled.Loss(seqs, 1));
  EXPECT_NE(a, sampled.Loss(seqs, 2));
}

// Training encodes each group of similar-length sequences only as wide as its longest member
// (position embeddings counted from the right, padding on the left). Padding must not change the
// loss: a batch of mixed lengths (one group, padded to the longest) gives the loss of each sequence
// encoded alone, and a two-item sequence gives the cross-entropy of the full-width scores.
TEST(Sasrec, NarrowTrainingEncodingIsExact) {
  const InteractionLog log = SequentialRuleLog(20, 30, 4);
  SasrecConfig c = TinyConfig();  // max_length 12
  const SasrecModel together(c, log.num_items());
  c.batch_size = 1;
  const SasrecModel alone(c, log.num_items());  // same seed: the same weights
  std::vector<std::vector<int32_t>> seqs;
  for (size_t u = 0; u < 8; ++u) {
    const auto& s = log.sequences[u];
    seqs.emplace_back(
        s.begin(), s.begin() + static_cast<std::ptrdiff_t>(std::min<size_t>(s.size(), 2 + u * 2)));
  }
  const std::vector<std::span<const int32_t>> spans(seqs.begin(), seqs.end());
  EXPECT_NEAR(together.Loss(spans, 1), alone.Loss(spans, 1), 1e-5);

  std::vector<std::vector<int32_t>> pairs;
  double sum = 0;
  for (const auto& s : seqs) {
    pairs.push_back({s[0], s[1]});
    const std::vector<std::span<const int32_t>> hs = {std::span<const int32_t>(s.data(), 1)};
    std::vector<float> scores;
    together.Score(hs, &scores);
    double z = 0;
    for (size_t i = 1; i < scores.size(); ++i) z += std::exp(static_cast<double>(scores[i]));
    sum += std::log(z) - scores[static_cast<size_t>(s[1])];
  }
  const std::vector<std::span<const int32_t>> pair_spans(pairs.begin(), pairs.end());
  EXPECT_NEAR(together.Loss(pair_spans, 1), sum / static_cast<double>(pairs.size()), 1e-5);
}

TEST(Sasrec, SampledLossLearnsTheRuleWithAValidationSample) {
  const InteractionLog log = SequentialRuleLog(300, 60, 11);
  SasrecConfig c = TinyConfig();
  c.loss = "sampled";
  c.negatives = 10;          // of 60 items
  c.validation_users = 100;  // of 300: epochs are chosen on a sample, then validated on all
  const fs::path d = TempDir("sampled");
  const SasrecTrainReport r = TrainSasrec(log, c, d.string());
  EXPECT_EQ(r.best_validation.users, 100);
  EXPECT_EQ(r.full_validation.users, 300);
  SasrecCheckpointInfo info;
  const SasrecModel model = SasrecModel::Load(SasrecCheckpointPath(d.string()), &info);
  EXPECT_EQ(info.config.loss, "sampled");
  EXPECT_EQ(info.config.negatives, 10);
  EXPECT_EQ(info.validation.users, 300);
  EXPECT_DOUBLE_EQ(info.validation.ndcg, r.full_validation.ndcg);
  const TopKMetrics m = TestMetrics(log, [&](auto h, auto* s) { model.Score(h, s); });
  const PopularityBaseline pop(log);
  const TopKMetrics p = TestMetrics(log, [&](auto h, auto* s) { pop.Score(h, s); });
  EXPECT_GT(m.hit_rate, 0.7) << "popularity " << p.hit_rate;
  EXPECT_GT(m.hit_rate, p.hit_rate + 0.4);
  EXPECT_GT(m.ndcg, p.ndcg + 0.3);
  fs::remove_all(d);
}

// The contrastive regulariser (two dropout views of each sequence): still learns the rule, is
// recorded in the checkpoint, and changes what is learnt (same seed, other weights).
TEST(Sasrec, ContrastiveTermTrainsAndIsRecorded) {
  const InteractionLog log = SequentialRuleLog(300, 60, 11);
  SasrecConfig c = TinyConfig();
  c.loss = "sampled";
  c.negatives = 10;
  c.max_epochs = 6;
  c.contrastive = 0.5;
  c.temperature = 2;
  const fs::path d = TempDir("contrastive"), plain = TempDir("plain");
  TrainSasrec(log, c, d.string());
  SasrecCheckpointInfo info;
  const SasrecModel model = SasrecModel::Load(SasrecCheckpointPath(d.string()), &info);
  EXPECT_DOUBLE_EQ(info.config.contrastive, 0.5);
  EXPECT_DOUBLE_EQ(info.config.temperature, 2);
  const TopKMetrics m = TestMetrics(log, [&](auto h, auto* s) { model.Score(h, s); });
  const PopularityBaseline pop(log);
  const TopKMetrics p = TestMetrics(log, [&](auto h, auto* s) { pop.Score(h, s); });
  EXPECT_GT(m.hit_rate, p.hit_rate + 0.4) << "model " << m.hit_rate << " popularity " << p.hit_rate;
  c.contrastive = 0;
  TrainSasrec(log, c, plain.string());
  const SasrecModel without = SasrecModel::Load(SasrecCheckpointPath(plain.string()), nullptr);
  EXPECT_NE(ScoresOf(model, log), ScoresOf(without, log));
  c.temperature = 0;
  EXPECT_THROW(TrainSasrec(log, c, plain.string()), SasrecError);
  c.temperature = 1;
  c.contrastive = -1;
  EXPECT_THROW(TrainSasrec(log, c, plain.string()), SasrecError);
  fs::remove_all(d);
  fs::remove_all(plain);
}

uint64_t Fnv1a(const std::string& s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char ch : s) {
    h ^= ch;
    h *= 0x100000001b3ULL;
  }
  return h;
}

TEST_F(SasrecTest, CheckpointsFromBeforeTheSampledLossLoadAsFullSoftmax) {
  // Rewrite the header without the fields added with the sampled loss (as version 1 files written
  // before it have it), with a fresh checksum.
  const std::string good = SasrecCheckpointPath(dir_->string());
  std::ifstream in(good, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  uint64_t meta_len = 0;
  std::memcpy(&meta_len, bytes.data() + 12, 8);
  auto meta = nlohmann::json::parse(bytes.substr(20, meta_len));
  for (const char* key : {"loss", "negatives", "validation_users", "contrastive", "temperature"}) {
    ASSERT_EQ(meta["config"].erase(key), 1u) << key;
  }
  const std::string text = meta.dump();
  const uint64_t new_len = text.size();
  std::string old = bytes.substr(0, 12) + std::string(reinterpret_cast<const char*>(&new_len), 8) +
                    text + bytes.substr(20 + meta_len, bytes.size() - 16 - 20 - meta_len);
  const uint64_t sum = Fnv1a(old);
  old += std::string(reinterpret_cast<const char*>(&sum), 8) + bytes.substr(bytes.size() - 8);
  const fs::path d = TempDir("old");
  const std::string p = (d / "sasrec.ckpt").string();
  std::ofstream(p, std::ios::binary) << old;
  SasrecCheckpointInfo info;
  const SasrecModel a = SasrecModel::Load(p, &info);
  EXPECT_EQ(info.config.loss, "full");
  EXPECT_EQ(info.config.validation_users, 0);
  EXPECT_EQ(info.config.contrastive, 0);
  const SasrecModel b = SasrecModel::Load(good, nullptr);
  EXPECT_EQ(ScoresOf(a, *log_), ScoresOf(b, *log_));
  fs::remove_all(d);
}

TEST(Sasrec, SameSeedSameScores) {
  const InteractionLog log = SequentialRuleLog(120, 40, 3);
  SasrecConfig c = TinyConfig();
  c.max_epochs = 2;
  c.loss = "sampled";  // the negative samples are seeded too
  c.negatives = 8;
  c.validation_users = 50;
  const fs::path d1 = TempDir("det1"), d2 = TempDir("det2"), d3 = TempDir("det3");
  TrainSasrec(log, c, d1.string());
  TrainSasrec(log, c, d2.string());
  c.seed = 8;
  TrainSasrec(log, c, d3.string());
  const SasrecModel a = SasrecModel::Load(SasrecCheckpointPath(d1.string()), nullptr);
  const SasrecModel b = SasrecModel::Load(SasrecCheckpointPath(d2.string()), nullptr);
  const SasrecModel other = SasrecModel::Load(SasrecCheckpointPath(d3.string()), nullptr);
  EXPECT_EQ(ScoresOf(a, log), ScoresOf(b, log));
  EXPECT_NE(ScoresOf(a, log), ScoresOf(other, log));
  for (const auto& d : {d1, d2, d3}) fs::remove_all(d);
}

TEST(Sasrec, TimeLimitCutsTheEpochAndKeepsAValidatedCheckpoint) {
  const InteractionLog log = SequentialRuleLog(400, 40, 5);
  SasrecConfig c = TinyConfig();
  c.batch_size = 16;     // 25 batches per epoch
  c.max_minutes = 1e-6;  // spent after the first batch
  const fs::path d = TempDir("limit");
  const SasrecTrainReport r = TrainSasrec(log, c, d.string());
  EXPECT_EQ(r.stop_reason, "time limit");
  EXPECT_EQ(r.epochs, 1);
  EXPECT_EQ(r.best_epoch, 1);
  EXPECT_EQ(r.best_validation.users, 400);
  SasrecCheckpointInfo info;
  SasrecModel::Load(SasrecCheckpointPath(d.string()), &info);
  EXPECT_EQ(info.best_epoch, 1);
  EXPECT_DOUBLE_EQ(info.train_seconds, r.train_seconds);
  fs::remove_all(d);
}

// Mean over members of log softmax over items 1..M, by hand.
std::vector<double> MeanLogSoftmax(const std::vector<std::vector<float>>& rows) {
  std::vector<double> out(rows.front().size(), 0.0);
  for (const auto& r : rows) {
    double z = 0;
    for (size_t i = 1; i < r.size(); ++i) z += std::exp(static_cast<double>(r[i]));
    for (size_t i = 1; i < r.size(); ++i)
      out[i] += (r[i] - std::log(z)) / static_cast<double>(rows.size());
  }
  return out;
}

TEST(SasrecEnsemble, MembersAreSeededModelsAndScoresAverageTheirLogProbabilities) {
  const InteractionLog log = SequentialRuleLog(300, 60, 11);
  SasrecConfig c = TinyConfig();
  c.max_minutes = 30;  // the epoch limit and patience stop training, never the clock
  const fs::path d = TempDir("ensemble");
  const SasrecEnsembleReport r = TrainSasrecEnsemble(log, c, 2, d.string());
  ASSERT_EQ(r.members.size(), 2u);
  EXPECT_TRUE(fs::exists(SasrecEnsembleManifestPath(d.string())));
  EXPECT_TRUE(fs::exists(d / "sasrec.2.ckpt"));
  EXPECT_EQ(r.validation.users, 300);

  std::vector<SasrecCheckpointInfo> infos;
  const SasrecEnsemble e = SasrecEnsemble::Load(d.string(), &infos);
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(infos[0].config.seed, 7u);
  EXPECT_EQ(infos[1].config.seed, 8u);
  EXPECT_DOUBLE_EQ(e.validation().ndcg, r.validation.ndcg);
  EXPECT_DOUBLE_EQ(e.train_seconds(), r.train_seconds);

  // Member 0 is the model a single training with the same config gives.
  const fs::path single = TempDir("ensemble-single");
  TrainSasrec(log, c, single.string());
  const SasrecModel alone = SasrecModel::Load(SasrecCheckpointPath(single.string()), nullptr);
  const SasrecModel m0 = SasrecModel::Load(SasrecMemberPath(d.string(), 0), nullptr);
  const SasrecModel m1 = SasrecModel::Load(SasrecMemberPath(d.string(), 1), nullptr);
  EXPECT_EQ(ScoresOf(m0, log), ScoresOf(alone, log));
  EXPECT_NE(ScoresOf(m0, log), ScoresOf(m1, log));

  // The ensemble's scores are the mean of the members' log softmax.
  const std::vector<int32_t> history = {3, 4, 5, 6};
  const std::vector<std::span<const int32_t>> hs = {history};
  std::vector<float> s0, s1, se;
  m0.Score(hs, &s0);
  m1.Score(hs, &s1);
  e.Score(hs, &se);
  const std::vector<double> want = MeanLogSoftmax({s0, s1});
  ASSERT_EQ(se.size(), want.size());
  EXPECT_TRUE(std::isinf(se[0]) && se[0] < 0);
  for (size_t i = 1; i < se.size(); ++i) EXPECT_NEAR(se[i], want[i], 1e-4) << "item " << i;

  // The transition blend adds w x log(1 + count) to the items that followed the last item.
  const TransitionBaseline transitions(log);
  SasrecEnsemble blended = SasrecEnsemble::Load(d.string());
  blended.AttachTransitions(&transitions);
  blended.set_transition_weight(0.5);
  std::vector<float> sb;
  blended.Score(hs, &sb);
  int changed = 0;
  for (size_t i = 1; i < sb.size(); ++i) {
    const double add = 0.5 * std::log1p(static_cast<double>(transitions.Count(6, int32_t(i))));
    EXPECT_NEAR(sb[i], se[i] + add, 1e-4) << "item " << i;
    changed += add > 0 ? 1 : 0;
  }
  EXPECT_GT(changed, 0);
  // Choosing the weight on the validation items: the grid starts at 0 (the ensemble alone), the
  // choice is the grid's best NDCG@10, and the manifest carries it to the next load.
  const TransitionBlendChoice choice = BlendSasrecFolder(log, d.string(), 1, {});
  ASSERT_EQ(choice.grid.size(), 7u);
  EXPECT_EQ(choice.grid[0].first, 0.0);
  EXPECT_DOUBLE_EQ(choice.without.ndcg, r.validation.ndcg);
  for (const auto& [w, m] : choice.grid) EXPECT_LE(m.ndcg, choice.chosen.ndcg) << w;
  EXPECT_EQ(SasrecEnsemble::Load(d.string()).transition_weight(), choice.weight);
  EXPECT_EQ(SasrecEnsemble::Load(d.string()).size(), 2u);

  // It ranks the held-out items at least about as well as its members.
  const TopKMetrics em = TestMetrics(log, [&](auto h, auto* s) { e.Score(h, s); });
  const TopKMetrics a = TestMetrics(log, [&](auto h, auto* s) { m0.Score(h, s); });
  const TopKMetrics b = TestMetrics(log, [&](auto h, auto* s) { m1.Score(h, s); });
  EXPECT_GT(em.hit_rate, 0.7);
  EXPECT_GE(em.ndcg, std::min(a.ndcg, b.ndcg));
  fs::remove_all(d);
  fs::remove_all(single);
}

std::string EnsembleLoadError(const std::string& dir) {
  try {
    SasrecEnsemble::Load(dir);
  } catch (const SasrecError& e) {
    return e.what();
  }
  return "";
}

TEST(SasrecEnsemble, AFolderLoadsAsWhatWasCompletelyTrained) {
  const InteractionLog log = SequentialRuleLog(120, 30, 3);
  SasrecConfig c = TinyConfig();
  c.max_epochs = 2;
  c.max_minutes = 30;
  const fs::path d = TempDir("ensemble-states");
  TrainSasrecEnsemble(log, c, 3, d.string());
  const std::string manifest = SasrecEnsembleManifestPath(d.string());
  std::ifstream in(manifest);
  const std::string good((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(SasrecEnsemble::Load(d.string()).size(), 3u);

  // Training stopped before the manifest: member 0 alone, a complete model.
  fs::remove(manifest);
  EXPECT_EQ(SasrecEnsemble::Load(d.string()).size(), 1u);

  // A damaged manifest, or one listing a member that is gone, is refused with the file's name.
  std::ofstream(manifest) << "{\"format\": \"chengfang-sasrec-ensemble\", ";
  EXPECT_NE(EnsembleLoadError(d.string()).find("ensemble.json: not valid JSON"), std::string::npos)
      << EnsembleLoadError(d.string());
  std::ofstream(manifest) << good;
  fs::remove(d / "sasrec.3.ckpt");
  EXPECT_NE(EnsembleLoadError(d.string()).find("sasrec.3.ckpt"), std::string::npos)
      << EnsembleLoadError(d.string());
  std::ofstream(manifest) << R"({"format": "chengfang-sasrec-ensemble", "version": 1,
                                 "members": ["../elsewhere.ckpt"]})";
  EXPECT_NE(EnsembleLoadError(d.string()).find("not a file name in the model folder"),
            std::string::npos)
      << EnsembleLoadError(d.string());

  // Retraining a single model in the folder removes the old ensemble's files.
  std::ofstream(manifest) << good;
  TrainSasrecEnsemble(log, c, 1, d.string());
  EXPECT_TRUE(fs::exists(manifest));  // one member and its blend weight
  EXPECT_FALSE(fs::exists(d / "sasrec.2.ckpt"));
  EXPECT_EQ(SasrecEnsemble::Load(d.string()).size(), 1u);
  EXPECT_NE(EnsembleLoadError(d.string() + "/missing").find("missing"), std::string::npos);
  fs::remove_all(d);
}

TEST(Sasrec, BeautyLogLoadsWhenPresent) {
  const fs::path p = fs::path(CF_TEST_DATA_DIR) / "amazon-beauty" / "beauty.txt";
  if (!fs::exists(p)) GTEST_SKIP() << "no " << p << " (shared data absent)";
  const InteractionLog log = LoadInteractionLog(p.string());
  EXPECT_EQ(log.num_users(), 40226);
  EXPECT_EQ(log.num_items(), 54542);
  EXPECT_EQ(log.lines, 353962);
}

}  // namespace
}  // namespace cf
