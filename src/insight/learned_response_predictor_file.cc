// LearnedResponsePredictor::Save / Load: the saved-model file (docs/insight-ranking.md).
#include <fmt/format.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/atomic_file.h"
#include "common/random.h"
#include "insight/learned_response_predictor.h"

namespace cf {
namespace {

constexpr char kMagic[8] = {'C', 'F', 'R', 'A', 'N', 'K', 'M', 'D'};
constexpr char kEndMagic[8] = {'C', 'F', 'R', 'A', 'N', 'K', 'N', 'D'};
constexpr uint32_t kVersion = 2;
constexpr const char* kFormat = "chengfang-ranking-model";

void Put(std::string& buf, const void* p, size_t n) { buf.append(static_cast<const char*>(p), n); }

template <typename T>
void PutVector(std::string& buf, const std::vector<T>& v) {
  Put(buf, v.data(), v.size() * sizeof(T));
}

std::string Hex(uint64_t x) { return fmt::format("{:016x}", x); }

nlohmann::json HeadJson(const HashedLogisticModel& m, const ProbabilityCalibrator& c) {
  return {{"updates", m.updates()}, {"slope", c.slope()}, {"intercept", c.intercept()}};
}

}  // namespace

uint64_t LearnedResponsePredictor::CatalogueFingerprint(const Catalogue& catalogue) {
  std::string bytes;
  for (const Product& p : catalogue.products) {
    const uint64_t row[3] = {p.source_id, p.category,
                             static_cast<uint64_t>(p.shelf_price.micros())};
    Put(bytes, row, sizeof row);
  }
  return HashName(bytes);
}

void LearnedResponsePredictor::Save(const std::filesystem::path& path) const {
  const nlohmann::json header = {{"format", kFormat},
                                 {"version", kVersion},
                                 {"bits", options_.bits},
                                 {"products", catalogue_.products.size()},
                                 {"catalogue", Hex(CatalogueFingerprint(catalogue_))},
                                 {"ctr", HeadJson(ctr_, ctr_cal_)},
                                 {"cvr", HeadJson(cvr_, cvr_cal_)},
                                 {"examples", seen_},
                                 {"refits", refits_},
                                 {"residual", options_.residual}};
  const std::string text = header.dump();
  std::string buf(kMagic, sizeof kMagic);
  Put(buf, &kVersion, 4);
  const uint64_t len = text.size();
  Put(buf, &len, 8);
  buf += text;
  PutVector(buf, ctr_.weights());
  PutVector(buf, ctr_.squared_gradients());
  PutVector(buf, cvr_.weights());
  PutVector(buf, cvr_.squared_gradients());
  for (const OrderValue& v : order_value_) {
    const double row[2] = {v.orders, v.gmv};
    Put(buf, row, sizeof row);
  }
  if (options_.residual) PutVector(buf, base_.counts());
  const uint64_t sum = HashName(buf);
  Put(buf, &sum, 8);
  Put(buf, kEndMagic, sizeof kEndMagic);
  try {
    WriteFileAtomic(path, buf);
  } catch (const std::runtime_error& e) {
    throw RankingModelError(fmt::format("cannot save the ranking model: {}", e.what()));
  }
}

void LearnedResponsePredictor::Load(const std::filesystem::path& path) {
  const std::string name = path.string();
  const std::string what_to_do =
      "use a file written by a run with platform.predictor \"learned\" on the same world, or "
      "leave platform.predictor_load empty to start from the priors";
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw RankingModelError(fmt::format("{}: cannot open the ranking model ({}); {}", name,
                                        std::strerror(errno), what_to_do));
  }
  const std::string buf((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto bad = [&](const std::string& why) {
    return RankingModelError(fmt::format("{}: {}; {}", name, why, what_to_do));
  };
  constexpr size_t kFixed = sizeof kMagic + 4 + 8;
  constexpr size_t kTrailer = 8 + sizeof kEndMagic;
  if (buf.size() < kFixed + kTrailer || std::memcmp(buf.data(), kMagic, sizeof kMagic) != 0) {
    throw bad("not a chengfang ranking model (bad magic or too short)");
  }
  uint32_t version = 0;
  std::memcpy(&version, buf.data() + sizeof kMagic, 4);
  if (version != kVersion) {
    throw bad(fmt::format("format version {} (this build reads {})", version, kVersion));
  }
  if (std::memcmp(buf.data() + buf.size() - sizeof kEndMagic, kEndMagic, sizeof kEndMagic) != 0) {
    throw bad("truncated (no end marker)");
  }
  uint64_t stored = 0;
  std::memcpy(&stored, buf.data() + buf.size() - kTrailer, 8);
  if (stored != HashName(std::string_view(buf.data(), buf.size() - kTrailer))) {
    throw bad("checksum mismatch (the file is corrupted)");
  }
  uint64_t len = 0;
  std::memcpy(&len, buf.data() + sizeof kMagic + 4, 8);
  if (len > buf.size() - kFixed - kTrailer) throw bad("header length out of range");
  nlohmann::json h;
  try {
    h = nlohmann::json::parse(std::string_view(buf.data() + kFixed, len));
  } catch (const nlohmann::json::exception& e) {
    throw bad(fmt::format("header is not valid JSON ({})", e.what()));
  }
  if (!h.is_object() || !h.contains("format") || h["format"] != kFormat) {
    throw bad("header has another format");
  }
  int bits = 0;
  size_t products = 0, examples = 0;
  uint32_t refits = 0;
  bool residual = false;
  std::string catalogue;
  try {
    residual = h.at("residual").get<bool>();
    bits = h.at("bits").get<int>();
    products = h.at("products").get<size_t>();
    catalogue = h.at("catalogue").get<std::string>();
    examples = h.at("examples").get<size_t>();
    refits = h.at("refits").get<uint32_t>();
  } catch (const nlohmann::json::exception& e) {
    throw bad(fmt::format(
        "header lacks residual, bits, products, catalogue, examples or refits ({})", e.what()));
  }
  if (residual != options_.residual) {
    throw bad(residual ? "saved as a correction of the smoothed counts; this predictor has none"
                       : "saved without the smoothed counts; this predictor corrects them");
  }
  if (bits != options_.bits) {
    throw bad(fmt::format("saved with 2^{} weights per head; this predictor has 2^{}", bits,
                          options_.bits));
  }
  const uint64_t fp = CatalogueFingerprint(catalogue_);
  if (products != catalogue_.products.size() || catalogue != Hex(fp)) {
    throw bad(fmt::format(
        "saved for another catalogue ({} products, fingerprint {}; this world has {} products, "
        "fingerprint {})",
        products, catalogue, catalogue_.products.size(), Hex(fp)));
  }
  const size_t table = size_t{1} << bits;
  const size_t counts = residual ? base_.counts_size() : 0;
  const size_t body =
      4 * table * sizeof(float) + (catalogue_.products.size() * 2 + counts) * sizeof(double);
  if (kFixed + len + body + kTrailer != buf.size()) {
    throw bad(fmt::format("{} bytes of tables where {} were expected",
                          buf.size() - kFixed - len - kTrailer, body));
  }
  const char* at = buf.data() + kFixed + len;
  auto floats = [&] {
    std::vector<float> v(table);
    std::memcpy(v.data(), at, table * sizeof(float));
    at += table * sizeof(float);
    return v;
  };
  std::vector<float> ctr_w = floats(), ctr_g = floats(), cvr_w = floats(), cvr_g = floats();
  std::vector<OrderValue> orders(catalogue_.products.size());
  for (OrderValue& v : orders) {
    double row[2];
    std::memcpy(row, at, sizeof row);
    at += sizeof row;
    v.orders = row[0];
    v.gmv = row[1];
  }
  std::vector<double> base_counts(counts);
  if (counts > 0) std::memcpy(base_counts.data(), at, counts * sizeof(double));
  struct Head {
    uint64_t updates = 0;
    double slope = 1, intercept = 0;
  } heads[2];
  try {
    for (int i = 0; i < 2; ++i) {
      const nlohmann::json& j = h.at(i == 0 ? "ctr" : "cvr");
      heads[i] = {j.at("updates").get<uint64_t>(), j.at("slope").get<double>(),
                  j.at("intercept").get<double>()};
    }
  } catch (const nlohmann::json::exception& e) {
    throw bad(fmt::format("header lacks a head's updates, slope or intercept ({})", e.what()));
  }
  if (!(heads[0].slope > 0) || !(heads[1].slope > 0))
    throw bad("a calibrator slope is not positive");
  // Everything is read and checked: replace the learned state.
  ctr_.Restore(std::move(ctr_w), std::move(ctr_g), heads[0].updates);
  cvr_.Restore(std::move(cvr_w), std::move(cvr_g), heads[1].updates);
  ctr_cal_.Set(heads[0].slope, heads[0].intercept);
  cvr_cal_.Set(heads[1].slope, heads[1].intercept);
  order_value_ = std::move(orders);
  if (residual) base_.RestoreCounts(base_counts);
  cache_.valid = false;
  // The examples behind the model: the early-flight refits (each time the examples double) start
  // from them, so the loaded calibration is kept until the next scheduled refit.
  seen_ = fitted_at_ = examples;
  refits_ = refits;
}

}  // namespace cf
