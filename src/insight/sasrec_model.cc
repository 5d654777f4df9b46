// The only translation unit that includes LibTorch (see sasrec_model.h).
#include "insight/sasrec_model.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <torch/torch.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <numeric>
#include <random>
#include <stdexcept>

#include "common/atomic_file.h"

namespace cf {

namespace {

constexpr char kMagic[8] = {'C', 'F', 'S', 'A', 'S', 'R', 'E', 'C'};
constexpr char kEndMagic[8] = {'C', 'F', 'S', 'A', 'S', 'E', 'N', 'D'};
constexpr uint32_t kFormatVersion = 1;
constexpr const char* kCheckpointFile = "sasrec.ckpt";

// One pre-LN transformer block: x + Dropout(CausalSelfAttention(LN(x))), then
// x + Dropout(FFN(LN(x))).
struct BlockImpl : torch::nn::Module {
  BlockImpl(int dim, int heads, double dropout)
      : heads(heads),
        ln1(register_module("ln1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim})))),
        ln2(register_module("ln2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim})))),
        qkv(register_module("qkv", torch::nn::Linear(dim, 3 * dim))),
        proj(register_module("proj", torch::nn::Linear(dim, dim))),
        ff1(register_module("ff1", torch::nn::Linear(dim, dim))),
        ff2(register_module("ff2", torch::nn::Linear(dim, dim))),
        drop(register_module("drop", torch::nn::Dropout(dropout))) {}

  // x: [B, L, D]; mask: [B, 1, L, L] true where attention is not allowed.
  torch::Tensor forward(torch::Tensor x, const torch::Tensor& mask) {
    const int64_t b = x.size(0), l = x.size(1), d = x.size(2), hd = d / heads;
    auto h = ln1->forward(x);
    auto parts = qkv->forward(h).view({b, l, 3, heads, hd}).permute({2, 0, 3, 1, 4});
    auto q = parts[0], k = parts[1], v = parts[2];  // [B, H, L, hd]
    auto att = torch::matmul(q, k.transpose(-2, -1)) / std::sqrt(static_cast<double>(hd));
    att = torch::softmax(att.masked_fill(mask, -std::numeric_limits<float>::infinity()), -1);
    att = drop->forward(att);
    auto y = torch::matmul(att, v).permute({0, 2, 1, 3}).reshape({b, l, d});
    x = x + drop->forward(proj->forward(y));
    auto f = ff2->forward(drop->forward(torch::relu(ff1->forward(ln2->forward(x)))));
    return x + drop->forward(f);
  }

  int heads;
  torch::nn::LayerNorm ln1, ln2;
  torch::nn::Linear qkv, proj, ff1, ff2;
  torch::nn::Dropout drop;
};
TORCH_MODULE(Block);

struct NetImpl : torch::nn::Module {
  NetImpl(const SasrecConfig& c, int32_t num_items)
      : dim(c.dim),
        item(register_module("item", torch::nn::Embedding(num_items + 1, c.dim))),
        pos(register_module("pos", torch::nn::Embedding(c.max_length, c.dim))),
        final_ln(register_module("final_ln",
                                 torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.dim})))),
        drop(register_module("drop", torch::nn::Dropout(c.dropout))) {
    for (int i = 0; i < c.blocks; ++i) {
      blocks.push_back(
          register_module(fmt::format("block{}", i), Block(c.dim, c.heads, c.dropout)));
    }
    torch::NoGradGuard no_grad;
    for (auto& p : parameters()) {
      if (p.dim() >= 2) torch::nn::init::xavier_normal_(p);
    }
    item->weight[0].zero_();
  }

  // input: [B, l] dense item ids, 0 = padding (left). Returns [B, l, D]. The columns are the last
  // l of max_length positions (position embeddings first_position..first_position + l - 1): as
  // padding never affects the outputs at items, a batch of short sequences may be encoded
  // narrower with first_position = max_length - l and the same result.
  torch::Tensor Encode(const torch::Tensor& input, int64_t first_position = 0) {
    const int64_t b = input.size(0), l = input.size(1);
    auto present = input.ne(0);  // [B, l]
    auto x = item->forward(input) * std::sqrt(static_cast<double>(dim));
    x = x +
        pos->forward(torch::arange(first_position, first_position + l, torch::kLong)).unsqueeze(0);
    x = drop->forward(x) * present.unsqueeze(-1).to(torch::kFloat);
    // Query t may see keys k <= t that are items; itself always (padded rows stay finite).
    auto causal = torch::ones({l, l}, torch::kBool).triu(1);  // k > t
    auto pad_key = present.logical_not().view({b, 1, 1, l});
    auto mask = causal.view({1, 1, l, l})
                    .logical_or(pad_key)
                    .logical_and(torch::eye(l, torch::kBool).logical_not().view({1, 1, l, l}));
    for (auto& blk : blocks) {
      x = blk->forward(x, mask) * present.unsqueeze(-1).to(torch::kFloat);
    }
    return final_ln->forward(x);
  }

  // Output item embeddings without the padding row: [num_items, D].
  torch::Tensor ItemTable() { return item->weight.narrow(0, 1, item->weight.size(0) - 1); }

  int dim;
  torch::nn::Embedding item, pos;
  torch::nn::LayerNorm final_ln;
  torch::nn::Dropout drop;
  std::vector<Block> blocks;
};
TORCH_MODULE(Net);

// torch sets its own intra-op pool; OpenBLAS (when it is the BLAS) has its own thread count.
void SetThreads(int threads) {
  threads = std::max(1, threads);
  torch::set_num_threads(threads);
  using SetFn = void (*)(int);
  if (auto fn = reinterpret_cast<SetFn>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) {
    fn(threads);
  }
}

uint64_t Fnv1a(const char* data, size_t n, uint64_t h = 0xcbf29ce484222325ULL) {
  for (size_t i = 0; i < n; ++i) {
    h ^= static_cast<unsigned char>(data[i]);
    h *= 0x100000001b3ULL;
  }
  return h;
}

nlohmann::json ConfigToJson(const SasrecConfig& c) {
  return {{"max_length", c.max_length},
          {"dim", c.dim},
          {"blocks", c.blocks},
          {"heads", c.heads},
          {"dropout", c.dropout},
          {"learning_rate", c.learning_rate},
          {"batch_size", c.batch_size},
          {"max_epochs", c.max_epochs},
          {"patience", c.patience},
          {"max_minutes", c.max_minutes},
          {"seed", c.seed},
          {"threads", c.threads},
          {"loss", c.loss},
          {"negatives", c.negatives},
          {"validation_users", c.validation_users},
          {"contrastive", c.contrastive},
          {"temperature", c.temperature}};
}

SasrecConfig ConfigFromJson(const nlohmann::json& j) {
  SasrecConfig c;
  c.max_length = j.at("max_length").get<int>();
  c.dim = j.at("dim").get<int>();
  c.blocks = j.at("blocks").get<int>();
  c.heads = j.at("heads").get<int>();
  c.dropout = j.at("dropout").get<double>();
  c.learning_rate = j.at("learning_rate").get<double>();
  c.batch_size = j.at("batch_size").get<int>();
  c.max_epochs = j.at("max_epochs").get<int>();
  c.patience = j.at("patience").get<int>();
  c.max_minutes = j.at("max_minutes").get<double>();
  c.seed = j.at("seed").get<uint64_t>();
  c.threads = j.at("threads").get<int>();
  // Checkpoints written before the sampled loss existed were trained with the full softmax and
  // validated on every user.
  c.loss = j.value("loss", std::string("full"));
  c.negatives = j.value("negatives", c.negatives);
  c.validation_users = j.value("validation_users", 0);
  c.contrastive = j.value("contrastive", 0.0);
  c.temperature = j.value("temperature", 1.0);
  return c;
}

void ValidateConfig(const SasrecConfig& c) {
  if (c.max_length < 2 || c.dim < 1 || c.blocks < 0 || c.heads < 1 || c.dim % c.heads != 0 ||
      c.dropout < 0 || c.dropout >= 1 || c.learning_rate <= 0 || c.batch_size < 1 ||
      c.max_epochs < 1 || c.patience < 1 || c.max_minutes <= 0 || c.threads < 1 ||
      (c.loss != "full" && c.loss != "sampled") || c.negatives < 1 || c.validation_users < 0 ||
      !(c.contrastive >= 0) || !(c.temperature > 0)) {
    throw SasrecError(fmt::format("invalid SASRec config {}", ConfigToJson(c).dump()));
  }
}

std::string HexFingerprint(uint64_t f) { return fmt::format("{:016x}", f); }

// Left-padded [rows, L] input of the last L items of each history.
torch::Tensor PackHistories(std::span<const std::span<const int32_t>> histories, int max_length) {
  auto t = torch::zeros({static_cast<int64_t>(histories.size()), max_length}, torch::kLong);
  auto acc = t.accessor<int64_t, 2>();
  for (size_t r = 0; r < histories.size(); ++r) {
    const auto h = histories[r];
    const size_t n = std::min(h.size(), static_cast<size_t>(max_length));
    const size_t off = static_cast<size_t>(max_length) - n;
    for (size_t i = 0; i < n; ++i) {
      acc[static_cast<int64_t>(r)][static_cast<int64_t>(off + i)] = h[h.size() - n + i];
    }
  }
  return t;
}

// Training input and targets of each sequence: at position t (the last max_length ones) the input
// is item t - 1 and the target item t; [rows, L] each, left-padded with 0.
struct Batch {
  torch::Tensor input, target;
};

Batch MakeBatch(std::span<const std::span<const int32_t>> sequences, int64_t max_length) {
  const int64_t rows = static_cast<int64_t>(sequences.size()), L = max_length;
  Batch b{torch::zeros({rows, L}, torch::kLong), torch::zeros({rows, L}, torch::kLong)};
  auto in_a = b.input.accessor<int64_t, 2>();
  auto tg_a = b.target.accessor<int64_t, 2>();
  for (int64_t r = 0; r < rows; ++r) {
    const auto seq = sequences[static_cast<size_t>(r)];
    const int64_t n = static_cast<int64_t>(seq.size());
    const int64_t steps = std::min<int64_t>(n - 1, L);
    for (int64_t i = 0; i < steps; ++i) {
      const int64_t t = n - steps + i;  // target index in seq
      in_a[r][L - steps + i] = seq[static_cast<size_t>(t - 1)];
      tg_a[r][L - steps + i] = seq[static_cast<size_t>(t)];
    }
  }
  return b;
}

// Hidden states and next-item targets at every training position of `sequences` (MakeBatch's
// positions): h [P, D], target [P]. Sequences are grouped by length (a few groups, chosen to
// minimise the padded area) and each group is encoded only as wide as its longest member, which is
// exact (see NetImpl::Encode) and on short-sequence logs several times cheaper than encoding
// every row max_length wide.
struct Positions {
  torch::Tensor h, target;
  torch::Tensor last;  // [sequences with a target, D]: each one's last position, in group order
};

Positions EncodePositions(Net& net, std::span<const std::span<const int32_t>> sequences,
                          int64_t max_length) {
  const size_t n = sequences.size();
  std::vector<int64_t> steps(n);
  for (size_t i = 0; i < n; ++i) {
    steps[i] = std::clamp<int64_t>(static_cast<int64_t>(sequences[i].size()) - 1, 0, max_length);
  }
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return steps[a] < steps[b]; });
  // cost[j]: least padded area (+ a per-group overhead) of the first j sorted rows in groups.
  constexpr int64_t kGroupOverhead = 256;  // positions' worth of per-call cost
  std::vector<int64_t> cost(n + 1, 0);
  std::vector<size_t> cut(n + 1, 0);
  for (size_t j = 1; j <= n; ++j) {
    cost[j] = std::numeric_limits<int64_t>::max();
    for (size_t i = 0; i < j; ++i) {
      const int64_t c =
          cost[i] + static_cast<int64_t>(j - i) * steps[order[j - 1]] + kGroupOverhead;
      if (c < cost[j]) cost[j] = c, cut[j] = i;
    }
  }
  std::vector<std::pair<size_t, size_t>> groups;
  for (size_t j = n; j > 0; j = cut[j]) groups.emplace_back(cut[j], j);
  std::vector<torch::Tensor> hs, targets, lasts;
  std::vector<std::span<const int32_t>> members;
  for (auto it = groups.rbegin(); it != groups.rend(); ++it) {
    const int64_t width = steps[order[it->second - 1]];
    if (width == 0) continue;
    members.clear();
    for (size_t k = it->first; k < it->second; ++k) members.push_back(sequences[order[k]]);
    const Batch b = MakeBatch(members, width);
    const auto flat_target = b.target.view({-1});
    const auto where = flat_target.nonzero().view({-1});
    const auto encoded = net->Encode(b.input, max_length - width);  // [g, width, D]
    hs.push_back(encoded.view({-1, net->dim}).index_select(0, where));
    targets.push_back(flat_target.index_select(0, where));
    lasts.push_back(encoded.select(1, width - 1));
  }
  if (hs.empty()) {
    return {torch::zeros({0, net->dim}), torch::zeros({0}, torch::kLong),
            torch::zeros({0, net->dim})};
  }
  return {torch::cat(hs, 0), torch::cat(targets, 0), torch::cat(lasts, 0)};
}

// Shared negatives for a batch: `negatives` distinct items drawn uniformly from 1..M (a partial
// Fisher-Yates shuffle of a persistent pool, seeded), or all M items when negatives >= M.
class NegativeSampler {
 public:
  NegativeSampler(int32_t num_items, int negatives, uint64_t seed)
      : pool_(static_cast<size_t>(num_items)),
        n_(std::min<int64_t>(negatives, num_items)),
        rng_(seed) {
    std::iota(pool_.begin(), pool_.end(), int64_t{1});
  }
  torch::Tensor Draw() {
    const size_t m = pool_.size(), n = static_cast<size_t>(n_);
    if (n < m) {
      for (size_t i = 0; i < n; ++i) {
        std::uniform_int_distribution<size_t> pick(i, m - 1);
        std::swap(pool_[i], pool_[pick(rng_)]);
      }
    }
    return torch::from_blob(pool_.data(), {n_}, torch::kLong).clone();
  }

 private:
  std::vector<int64_t> pool_;
  int64_t n_;
  std::mt19937_64 rng_;
};

// Mean cross-entropy of the next items `target` ([P], dense ids 1..M) given hidden states h
// ([P, D]). Full: softmax over all M items. Sampled: softmax over the target's own logit and the
// batch's shared negatives S (|S| = n), whose logits get the logQ correction -log(n / M) (each
// item is in S with probability n / M); a negative equal to the row's target is masked. With
// n = M the two are the same function.
torch::Tensor NextItemLoss(Net& net, const torch::Tensor& h, const torch::Tensor& target,
                           const SasrecConfig& c, int32_t num_items, NegativeSampler* sampler) {
  if (c.loss == "full") {
    return torch::nn::functional::cross_entropy(torch::matmul(h, net->ItemTable().t()), target - 1);
  }
  const auto cand = sampler->Draw();
  const int64_t n = cand.size(0);
  const auto& table = net->item->weight;
  auto pos = (h * table.index_select(0, target)).sum(-1, /*keepdim=*/true);  // [P, 1]
  auto neg = torch::matmul(h, table.index_select(0, cand).t()) +
             std::log(static_cast<double>(num_items) / static_cast<double>(n));  // [P, n]
  neg = neg.masked_fill(target.view({-1, 1}).eq(cand.view({1, -1})),
                        -std::numeric_limits<float>::infinity());
  return -torch::log_softmax(torch::cat({pos, neg}, 1), 1).select(1, 0).mean();
}

// InfoNCE between two views (a, b: [B, D]) of the same B sequences: row i of a must pick b_i
// among the other 2B - 1 states of both views (and b_i pick a_i), similarity = dot / temperature.
torch::Tensor ContrastiveLoss(const torch::Tensor& a, const torch::Tensor& b, double temperature) {
  const int64_t n = a.size(0);
  const auto z = torch::cat({a, b}, 0);              // [2B, D]
  auto sim = torch::matmul(z, z.t()) / temperature;  // [2B, 2B]
  sim = sim.masked_fill(torch::eye(2 * n, torch::kBool), -std::numeric_limits<float>::infinity());
  const auto target = torch::cat({torch::arange(n, 2 * n), torch::arange(0, n)});
  return torch::nn::functional::cross_entropy(sim, target);
}

std::string Duration(double seconds) {
  const int64_t s = static_cast<int64_t>(std::llround(std::max(0.0, seconds)));
  if (s >= 3600) return fmt::format("{}h{:02}m{:02}s", s / 3600, s / 60 % 60, s % 60);
  if (s >= 60) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}s", s);
}

}  // namespace

struct SasrecModel::Impl {
  Impl(const SasrecConfig& c, int32_t n) : config(c), num_items(n), net(nullptr) {
    ValidateConfig(c);
    if (n < 1) throw SasrecError("a SASRec model needs at least one item");
    torch::manual_seed(c.seed);
    net = Net(c, n);
  }
  SasrecConfig config;
  int32_t num_items;
  Net net;
};

SasrecModel::SasrecModel(const SasrecConfig& config, int32_t num_items)
    : impl_(std::make_unique<Impl>(config, num_items)) {}
SasrecModel::~SasrecModel() = default;
SasrecModel::SasrecModel(SasrecModel&&) noexcept = default;
SasrecModel& SasrecModel::operator=(SasrecModel&&) noexcept = default;

const SasrecConfig& SasrecModel::config() const { return impl_->config; }
int32_t SasrecModel::num_items() const { return impl_->num_items; }
void SasrecModel::set_threads(int threads) { impl_->config.threads = std::max(1, threads); }

void SasrecModel::Score(std::span<const std::span<const int32_t>> histories,
                        std::vector<float>* scores) const {
  SetThreads(impl_->config.threads);
  torch::NoGradGuard no_grad;
  const bool was_training = impl_->net->is_training();
  impl_->net->eval();
  const auto input = PackHistories(histories, impl_->config.max_length);
  auto h = impl_->net->Encode(input).select(1, impl_->config.max_length - 1);  // [B, D]
  auto s = torch::matmul(h, impl_->net->item->weight.t()).contiguous();        // [B, M + 1]
  s.select(1, 0).fill_(-std::numeric_limits<float>::infinity());
  if (was_training) impl_->net->train();
  scores->resize(static_cast<size_t>(s.numel()));
  std::memcpy(scores->data(), s.data_ptr<float>(), scores->size() * sizeof(float));
}

double SasrecModel::Loss(std::span<const std::span<const int32_t>> sequences,
                         uint64_t sample_seed) const {
  const SasrecConfig& c = impl_->config;
  SetThreads(c.threads);
  torch::NoGradGuard no_grad;
  Net& net = impl_->net;
  const bool was_training = net->is_training();
  net->eval();
  NegativeSampler sampler(impl_->num_items, c.negatives, sample_seed);
  double sum = 0;
  int64_t count = 0;
  for (size_t begin = 0; begin < sequences.size(); begin += static_cast<size_t>(c.batch_size)) {
    const size_t end = std::min(sequences.size(), begin + static_cast<size_t>(c.batch_size));
    const Positions p = EncodePositions(net, sequences.subspan(begin, end - begin), c.max_length);
    if (p.target.size(0) == 0) continue;
    const auto loss = NextItemLoss(net, p.h, p.target, c, impl_->num_items, &sampler);
    sum += loss.item<double>() * static_cast<double>(p.target.size(0));
    count += p.target.size(0);
  }
  if (was_training) net->train();
  return count ? sum / static_cast<double>(count) : 0.0;
}

std::string SasrecCheckpointPath(const std::string& model_dir) {
  return (std::filesystem::path(model_dir) / kCheckpointFile).string();
}

std::string SasrecMemberPath(const std::string& model_dir, int member) {
  if (member == 0) return SasrecCheckpointPath(model_dir);
  return (std::filesystem::path(model_dir) / fmt::format("sasrec.{}.ckpt", member + 1)).string();
}

void SasrecModel::Save(const std::string& path, const SasrecCheckpointInfo& info) const {
  nlohmann::json meta = {{"format", "chengfang-sasrec"},
                         {"version", kFormatVersion},
                         {"config", ConfigToJson(impl_->config)},
                         {"num_items", impl_->num_items},
                         {"data",
                          {{"source", info.data_source},
                           {"fingerprint", HexFingerprint(info.data_fingerprint)},
                           {"users", info.data_users},
                           {"lines", info.data_lines}}},
                         {"item_ids", info.item_ids},
                         {"train_seconds", info.train_seconds},
                         {"epochs", info.epochs},
                         {"best_epoch", info.best_epoch},
                         {"validation",
                          {{"hr@10", info.validation.hit_rate},
                           {"ndcg@10", info.validation.ndcg},
                           {"users", info.validation.users}}}};
  std::string buf(kMagic, sizeof kMagic);
  auto put = [&buf](const void* p, size_t n) { buf.append(static_cast<const char*>(p), n); };
  put(&kFormatVersion, 4);
  const std::string meta_text = meta.dump();
  const uint64_t meta_len = meta_text.size();
  put(&meta_len, 8);
  buf += meta_text;
  const auto params = impl_->net->named_parameters(/*recurse=*/true);
  const uint32_t count = static_cast<uint32_t>(params.size());
  put(&count, 4);
  for (const auto& p : params) {
    const uint32_t name_len = static_cast<uint32_t>(p.key().size());
    put(&name_len, 4);
    buf += p.key();
    const auto t = p.value().detach().contiguous();
    const uint32_t ndim = static_cast<uint32_t>(t.dim());
    put(&ndim, 4);
    for (int64_t d : t.sizes()) put(&d, 8);
    put(t.data_ptr<float>(), static_cast<size_t>(t.numel()) * sizeof(float));
  }
  const uint64_t sum = Fnv1a(buf.data(), buf.size());
  put(&sum, 8);
  put(kEndMagic, sizeof kEndMagic);

  try {
    WriteFileAtomic(path, buf);
  } catch (const std::runtime_error& e) {
    throw SasrecError(fmt::format("cannot save the checkpoint: {}", e.what()));
  }
}

SasrecModel SasrecModel::Load(const std::string& path, SasrecCheckpointInfo* info) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw SasrecError(
        fmt::format("{}: cannot open checkpoint ({}); train one with `chengfang insight train`",
                    path, std::strerror(errno)));
  }
  const std::string buf((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string retrain = "retrain with `chengfang insight train --data FILE --model DIR`";
  if (buf.size() < 8 + 4 || std::memcmp(buf.data(), kMagic, 8) != 0) {
    throw SasrecError(
        fmt::format("{}: not a Chengfang SASRec checkpoint (bad magic); {}", path, retrain));
  }
  uint32_t version = 0;
  std::memcpy(&version, buf.data() + 8, 4);
  if (version != kFormatVersion) {
    throw SasrecError(
        fmt::format("{}: checkpoint format version {}, but this build reads version {}; {}", path,
                    version, kFormatVersion, retrain));
  }
  const size_t trailer = 8 + sizeof kEndMagic;
  uint64_t stored = 0;
  if (buf.size() < 12 + trailer ||
      std::memcmp(buf.data() + buf.size() - sizeof kEndMagic, kEndMagic, sizeof kEndMagic) != 0 ||
      (std::memcpy(&stored, buf.data() + buf.size() - trailer, 8),
       stored != Fnv1a(buf.data(), buf.size() - trailer))) {
    throw SasrecError(fmt::format(
        "{}: checkpoint is truncated or corrupted (end marker or checksum mismatch); {}", path,
        retrain));
  }
  const size_t body_end = buf.size() - trailer;
  size_t at = 12;
  auto get = [&](void* p, size_t n) {
    if (at + n > body_end) throw SasrecError(fmt::format("{}: checkpoint body too short", path));
    std::memcpy(p, buf.data() + at, n);
    at += n;
  };
  uint64_t meta_len = 0;
  get(&meta_len, 8);
  if (meta_len > body_end - at) throw SasrecError(fmt::format("{}: bad header length", path));
  SasrecCheckpointInfo meta_info;
  int32_t num_items = 0;
  try {
    const auto meta = nlohmann::json::parse(buf.substr(at, meta_len));
    at += meta_len;
    if (meta.at("format") != "chengfang-sasrec") throw SasrecError("wrong format name");
    meta_info.config = ConfigFromJson(meta.at("config"));
    num_items = meta.at("num_items").get<int32_t>();
    const auto& data = meta.at("data");
    meta_info.data_source = data.at("source").get<std::string>();
    meta_info.data_fingerprint =
        std::stoull(data.at("fingerprint").get<std::string>(), nullptr, 16);
    meta_info.data_users = data.at("users").get<int64_t>();
    meta_info.data_lines = data.at("lines").get<int64_t>();
    meta_info.item_ids = meta.at("item_ids").get<std::vector<int64_t>>();
    meta_info.train_seconds = meta.at("train_seconds").get<double>();
    meta_info.epochs = meta.at("epochs").get<int>();
    meta_info.best_epoch = meta.at("best_epoch").get<int>();
    meta_info.validation.hit_rate = meta.at("validation").at("hr@10").get<double>();
    meta_info.validation.ndcg = meta.at("validation").at("ndcg@10").get<double>();
    meta_info.validation.users = meta.at("validation").at("users").get<int64_t>();
  } catch (const std::exception& e) {
    throw SasrecError(fmt::format("{}: bad checkpoint header ({}); {}", path, e.what(), retrain));
  }
  if (static_cast<int64_t>(meta_info.item_ids.size()) != num_items) {
    throw SasrecError(fmt::format("{}: item map has {} ids for {} items; {}", path,
                                  meta_info.item_ids.size(), num_items, retrain));
  }
  SasrecModel model(meta_info.config, num_items);
  auto params = model.impl_->net->named_parameters(/*recurse=*/true);
  uint32_t count = 0;
  get(&count, 4);
  if (count != params.size()) {
    throw SasrecError(
        fmt::format("{}: {} tensors, the model has {}; {}", path, count, params.size(), retrain));
  }
  torch::NoGradGuard no_grad;
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t name_len = 0;
    get(&name_len, 4);
    std::string name(name_len, '\0');
    get(name.data(), name_len);
    uint32_t ndim = 0;
    get(&ndim, 4);
    std::vector<int64_t> dims(ndim);
    for (auto& d : dims) get(&d, 8);
    auto* p = params.find(name);
    if (p == nullptr || p->sizes().vec() != dims) {
      throw SasrecError(
          fmt::format("{}: tensor '{}' does not fit the model; {}", path, name, retrain));
    }
    get(p->data_ptr<float>(), static_cast<size_t>(p->numel()) * sizeof(float));
  }
  if (at != body_end) throw SasrecError(fmt::format("{}: trailing bytes; {}", path, retrain));
  if (info != nullptr) *info = std::move(meta_info);
  return model;
}

void CheckCheckpointMatchesLog(const SasrecCheckpointInfo& info, const InteractionLog& log,
                               const std::string& checkpoint_path) {
  if (info.data_fingerprint != log.fingerprint || info.item_ids != log.item_ids) {
    throw SasrecError(fmt::format(
        "{}: trained on {} (fingerprint {}, {} users, {} items, {} lines), but --data {} is a "
        "different log (fingerprint {}, {} users, {} items, {} lines); evaluate with the same "
        "file or train a model for this one with `chengfang insight train --data {} --model DIR`",
        checkpoint_path, info.data_source, HexFingerprint(info.data_fingerprint), info.data_users,
        info.item_ids.size(), info.data_lines, log.source, HexFingerprint(log.fingerprint),
        log.num_users(), log.num_items(), log.lines, log.source));
  }
}

struct SasrecTrainer {
  static Net& NetOf(SasrecModel& m) { return m.impl_->net; }
};

SasrecTrainReport TrainSasrec(const InteractionLog& log, const SasrecConfig& config,
                              const std::string& model_dir,
                              const std::function<void(const std::string&)>& progress, int member) {
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - t0).count(); };
  auto say = [&](const std::string& line) {
    if (progress) progress(line);
  };
  SetThreads(config.threads);
  std::error_code ec;
  std::filesystem::create_directories(model_dir, ec);
  if (ec || !std::filesystem::is_directory(model_dir)) {
    throw SasrecError(fmt::format("{}: cannot create the model folder ({})", model_dir,
                                  ec ? ec.message() : "not a directory"));
  }
  SasrecModel model(config, log.num_items());
  Net& net = SasrecTrainer::NetOf(model);
  torch::optim::Adam opt(net->parameters(),
                         torch::optim::AdamOptions(config.learning_rate).betas({0.9, 0.98}));

  // Training examples: every user's training prefix with at least two items (input = all but the
  // last, target = the next item at each position; the last max_length positions).
  std::vector<int32_t> users;
  for (size_t u = 0; u < log.sequences.size(); ++u) {
    if (TrainingLength(log.sequences[u].size()) >= 2) users.push_back(static_cast<int32_t>(u));
  }
  if (users.empty())
    throw SasrecError(fmt::format("{}: no user has two training items", log.source));
  const int64_t batches =
      (static_cast<int64_t>(users.size()) + config.batch_size - 1) / config.batch_size;
  std::mt19937_64 rng(config.seed ^ 0x5A5ECULL);
  NegativeSampler sampler(log.num_items(), config.negatives, config.seed ^ 0x4E4547ULL);

  // Validation after each epoch: a fixed seeded sample of the evaluated users (all of them when
  // there are at most validation_users, or when it is 0); the chosen epoch is validated on all
  // users at the end.
  std::vector<size_t> evaluated;
  for (size_t u = 0; u < log.sequences.size(); ++u) {
    if (log.sequences[u].size() >= kMinEvaluatedLength) evaluated.push_back(u);
  }
  const double evaluated_users = static_cast<double>(evaluated.size());
  const bool sample_validation = config.validation_users > 0 &&
                                 evaluated.size() > static_cast<size_t>(config.validation_users);
  InteractionLog validation_log;
  if (sample_validation) {
    std::mt19937_64 vrng(config.seed ^ 0x7A11DA7EULL);
    std::shuffle(evaluated.begin(), evaluated.end(), vrng);
    evaluated.resize(static_cast<size_t>(config.validation_users));
    std::sort(evaluated.begin(), evaluated.end());
    validation_log.source = log.source;
    validation_log.item_ids = log.item_ids;
    for (size_t u : evaluated) validation_log.sequences.push_back(log.sequences[u]);
  }
  const InteractionLog& val_log = sample_validation ? validation_log : log;
  // Full validation time / sample validation time, to reserve time for the final full validation.
  const double full_validation_ratio =
      sample_validation ? evaluated_users / static_cast<double>(validation_log.num_users()) : 0.0;
  auto validate = [&](const InteractionLog& which) {
    return EvaluateHeldOut(which, HeldOut::kValidation,
                           [&](std::span<const std::span<const int32_t>> hs,
                               std::vector<float>* s) { model.Score(hs, s); });
  };
  say(
      fmt::format("train: {} training users in {} batches of {}; loss {}{}; validation on {}{} "
                  "users after each epoch",
                  users.size(), batches, config.batch_size, config.loss,
                  config.loss == "sampled"
                      ? fmt::format(" ({} shared uniform negatives per batch of {} items)",
                                    std::min(config.negatives, log.num_items()), log.num_items())
                      : std::string(),
                  sample_validation ? "a fixed sample of " : "all ", val_log.num_users()));

  SasrecTrainReport report;
  SasrecCheckpointInfo info;
  info.config = config;
  info.data_source = log.source;
  info.data_fingerprint = log.fingerprint;
  info.data_users = log.num_users();
  info.data_lines = log.lines;
  info.item_ids = log.item_ids;
  std::vector<torch::Tensor> best_weights;
  const std::string path = SasrecMemberPath(model_dir, member);
  const double limit_s = config.max_minutes * 60.0;
  double last_epoch_s = 0;
  double last_train_s = 0;       // the last epoch's training part
  double last_validation_s = 0;  // and its validation
  int since_best = 0;
  std::vector<std::span<const int32_t>> batch_seqs;
  report.stop_reason = "max epochs";
  for (int epoch = 1; epoch <= config.max_epochs; ++epoch) {
    // The limit covers training, validation and the final full validation: start an epoch only if
    // a tenth of one, its validation and the final one still fit; cut it short so that they fit
    // (the cut epoch is validated and kept if better; training then stops).
    const double final_validation_s = last_validation_s * full_validation_ratio;
    if (epoch > 1 &&
        elapsed() + last_validation_s + final_validation_s + 0.1 * last_train_s > limit_s) {
      report.stop_reason = "time limit";
      break;
    }
    const double epoch_t0 = elapsed();
    std::shuffle(users.begin(), users.end(), rng);
    net->train();
    double loss_sum = 0;
    int64_t loss_n = 0;
    double last_print = elapsed();
    bool out_of_time = false;
    for (int64_t bi = 0; bi < batches; ++bi) {
      const int64_t begin = bi * config.batch_size;
      const int64_t end =
          std::min<int64_t>(static_cast<int64_t>(users.size()), begin + config.batch_size);
      batch_seqs.clear();
      for (int64_t r = begin; r < end; ++r) {
        const auto& seq = log.sequences[static_cast<size_t>(users[static_cast<size_t>(r)])];
        batch_seqs.emplace_back(seq.data(), TrainingLength(seq.size()));
      }
      const Positions p = EncodePositions(net, batch_seqs, config.max_length);
      const auto next_item = NextItemLoss(net, p.h, p.target, config, log.num_items(), &sampler);
      auto loss = next_item;
      if (config.contrastive > 0 && p.last.size(0) > 1) {
        // The same sequences again, other dropout masks (the same grouping: same row order).
        const Positions q = EncodePositions(net, batch_seqs, config.max_length);
        loss = loss + config.contrastive * ContrastiveLoss(p.last, q.last, config.temperature);
      }
      opt.zero_grad();
      loss.backward();
      opt.step();
      loss_sum += next_item.item<double>() * static_cast<double>(p.target.size(0));
      loss_n += p.target.size(0);
      if (elapsed() - last_print >= 15.0) {
        last_print = elapsed();
        const double frac = static_cast<double>(bi + 1) / static_cast<double>(batches);
        say(fmt::format("train: epoch {} batch {}/{} loss {:.4f} elapsed {} epoch ETA {}", epoch,
                        bi + 1, batches, loss_sum / static_cast<double>(loss_n),
                        Duration(elapsed()),
                        Duration((elapsed() - epoch_t0) * (1.0 - frac) / frac)));
      }
      if (bi + 1 < batches && elapsed() + last_validation_s + final_validation_s > limit_s) {
        out_of_time = true;
        say(fmt::format("train: time limit: epoch {} cut after {}/{} batches (elapsed {})", epoch,
                        bi + 1, batches, Duration(elapsed())));
        break;
      }
    }
    report.epochs = epoch;
    last_train_s = elapsed() - epoch_t0;
    const double validation_t0 = elapsed();
    const TopKMetrics val = validate(val_log);
    last_validation_s = elapsed() - validation_t0;
    last_epoch_s = elapsed() - epoch_t0;
    const bool better = report.best_epoch == 0 || val.ndcg > report.best_validation.ndcg;
    if (better) {
      report.best_epoch = epoch;
      report.best_validation = val;
      since_best = 0;
      best_weights.clear();
      for (const auto& p : net->parameters()) best_weights.push_back(p.detach().clone());
      info.epochs = epoch;
      info.best_epoch = epoch;
      info.validation = val;
      info.train_seconds = elapsed();
      model.Save(path, info);
    } else {
      ++since_best;
    }
    const int left_epochs = std::min(config.max_epochs - epoch, config.patience - since_best);
    const double eta = std::min(limit_s - elapsed(), last_epoch_s * left_epochs +
                                                         last_validation_s * full_validation_ratio);
    say(fmt::format(
        "train: epoch {}/{} loss {:.4f} val hr@10 {:.4f} ndcg@10 {:.4f}{} (best {:.4f} at epoch "
        "{}; {} users) epoch {} (train {}) elapsed {} ETA <= {} (limit {:.1f} min; early stopping "
        "after {} epochs without gain)",
        epoch, config.max_epochs, loss_n ? loss_sum / static_cast<double>(loss_n) : 0.0,
        val.hit_rate, val.ndcg, better ? " *" : "", report.best_validation.ndcg, report.best_epoch,
        val.users, Duration(last_epoch_s), Duration(last_train_s), Duration(elapsed()),
        Duration(eta), config.max_minutes, config.patience));
    if (since_best >= config.patience) {
      report.stop_reason = "early stopping";
      break;
    }
    if (out_of_time) {
      report.stop_reason = "time limit";
      break;
    }
  }
  if (report.best_epoch == 0) {
    throw SasrecError(
        fmt::format("no epoch finished within --max-minutes {} ({} elapsed); allow more time",
                    config.max_minutes, Duration(elapsed())));
  }
  // The best epoch's weights, validated on every user when epochs saw a sample, with the whole
  // training time, replace the checkpoint.
  {
    torch::NoGradGuard no_grad;
    auto params = net->parameters();
    for (size_t i = 0; i < params.size(); ++i) params[i].copy_(best_weights[i]);
  }
  report.full_validation = report.best_validation;
  report.full_validation_seconds = last_validation_s;
  if (sample_validation) {
    const double t = elapsed();
    report.full_validation = validate(log);
    report.full_validation_seconds = elapsed() - t;
    say(fmt::format(
        "train: best epoch {} on all {} validation users: hr@10 {:.4f} ndcg@10 {:.4f} "
        "({}; sample: hr@10 {:.4f} ndcg@10 {:.4f})",
        report.best_epoch, report.full_validation.users, report.full_validation.hit_rate,
        report.full_validation.ndcg, Duration(elapsed() - t), report.best_validation.hit_rate,
        report.best_validation.ndcg));
  }
  report.train_seconds = elapsed();
  info.epochs = report.epochs;
  info.best_epoch = report.best_epoch;
  info.validation = report.full_validation;
  info.train_seconds = report.train_seconds;
  model.Save(path, info);
  return report;
}

}  // namespace cf
