#include "mcp/request_state.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <random>

#include "common/base64.h"
#include "mcp/protocol.h"

namespace cf::mcp {
namespace {

const std::array<unsigned char, 32>& Key() {
  static const std::array<unsigned char, 32> key = [] {
    std::array<unsigned char, 32> k{};
    std::random_device rd;
    for (auto& b : k) b = static_cast<unsigned char>(rd());
    return k;
  }();
  return key;
}

std::string Mac(const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), Key().data(), static_cast<int>(Key().size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<const char*>(out), len);
}

[[noreturn]] void Tampered() {
  throw McpError(error_code::kInvalidParams, "requestState failed its integrity check");
}

}  // namespace

std::string SealRequestState(const nlohmann::json& payload) {
  const std::string data = payload.dump();
  return Base64Encode(data) + "." + Base64Encode(Mac(data));
}

nlohmann::json OpenRequestState(const std::string& sealed) {
  const size_t dot = sealed.find('.');
  if (dot == std::string::npos) Tampered();
  std::string data, mac;
  try {
    data = Base64Decode(sealed.substr(0, dot));
    mac = Base64Decode(sealed.substr(dot + 1));
  } catch (const std::invalid_argument&) {
    Tampered();
  }
  const std::string expected = Mac(data);
  if (mac.size() != expected.size() ||
      CRYPTO_memcmp(mac.data(), expected.data(), mac.size()) != 0) {
    Tampered();
  }
  auto payload = nlohmann::json::parse(data, nullptr, false);
  if (payload.is_discarded()) Tampered();
  return payload;
}

}  // namespace cf::mcp
