// Test helper: a Channel that records what the server sends and waits for Finish.
//
// Promises: thread-safe; Wait() blocks until Finish (or 10 s, then fails the test via
// `timed_out`).
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "mcp/channel.h"

namespace cf::mcp {

class TestChannel : public Channel {
 public:
  void Send(const nlohmann::json& message) override {
    {
      std::lock_guard lock(mu_);
      sent_.push_back(message);
    }
    cv_.notify_all();
  }
  void Finish(const nlohmann::json& response, int http_status) override {
    {
      std::lock_guard lock(mu_);
      response_ = response;
      status_ = http_status;
      finished_ = true;
    }
    cv_.notify_all();
  }
  void SetSessionId(const std::string& id) override {
    std::lock_guard lock(mu_);
    session_id_ = id;
  }

  // The response (null when none); waits for Finish.
  nlohmann::json Wait() {
    std::unique_lock lock(mu_);
    timed_out_ = !cv_.wait_for(lock, std::chrono::seconds(10), [&] { return finished_; });
    return response_;
  }
  // Waits until at least `n` messages were sent; returns them.
  std::vector<nlohmann::json> WaitSent(size_t n) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(10), [&] { return sent_.size() >= n; });
    return sent_;
  }
  std::vector<nlohmann::json> sent() {
    std::lock_guard lock(mu_);
    return sent_;
  }
  int status() {
    std::lock_guard lock(mu_);
    return status_;
  }
  bool finished() {
    std::lock_guard lock(mu_);
    return finished_;
  }
  bool timed_out() {
    std::lock_guard lock(mu_);
    return timed_out_;
  }
  std::string session_id() {
    std::lock_guard lock(mu_);
    return session_id_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<nlohmann::json> sent_;
  nlohmann::json response_;
  int status_ = 0;
  bool finished_ = false;
  bool timed_out_ = false;
  std::string session_id_;
};

}  // namespace cf::mcp
