#include "mcp/session.h"

#include <random>

namespace cf::mcp {

bool Session::Resolve(const nlohmann::json& response) {
  const auto id = response.find("id");
  if (id == response.end() || !id->is_number_integer()) return false;
  std::shared_ptr<PendingClientRequest> pending_request;
  {
    std::lock_guard lock(mu);
    auto it = pending.find(id->get<int64_t>());
    if (it == pending.end()) return false;
    pending_request = it->second;
    pending.erase(it);
  }
  {
    std::lock_guard lock(pending_request->mu);
    pending_request->response = response;
  }
  pending_request->cv.notify_all();
  return true;
}

void Session::FailAll(int code, const std::string& message) {
  std::map<int64_t, std::shared_ptr<PendingClientRequest>> all;
  {
    std::lock_guard lock(mu);
    all.swap(pending);
  }
  for (auto& [id, p] : all) {
    {
      std::lock_guard lock(p->mu);
      p->response = nlohmann::json{
          {"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", message}}}};
    }
    p->cv.notify_all();
  }
}

bool Session::SendStandalone(const nlohmann::json& message) {
  std::function<bool(const nlohmann::json&)> s;
  {
    std::lock_guard lock(mu);
    s = sink;
  }
  return s && s(message);
}

std::string NewSessionId() {
  static std::mutex mu;
  static std::random_device rd;  // the OS's random source: ids are not guessable
  std::lock_guard lock(mu);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  for (int i = 0; i < 4; ++i) {
    uint32_t bits = rd();
    for (int j = 0; j < 8; ++j, bits >>= 4) id += kHex[bits & 15];
  }
  return id;
}

}  // namespace cf::mcp
