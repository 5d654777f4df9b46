#include "mcp/worker_pool.h"

namespace cf::mcp {

WorkerPool::~WorkerPool() { JoinAll(); }

void WorkerPool::Run(std::function<void()> task) {
  std::vector<std::thread> finished;
  {
    std::lock_guard lock(mu_);
    for (auto it = workers_.begin(); it != workers_.end();) {
      if (it->done->load()) {
        finished.push_back(std::move(it->thread));
        it = workers_.erase(it);
      } else {
        ++it;
      }
    }
    auto done = std::make_shared<std::atomic<bool>>(false);
    workers_.push_back({std::thread([task = std::move(task), done] {
                          task();
                          done->store(true);
                        }),
                        done});
  }
  for (auto& t : finished) t.join();
}

void WorkerPool::JoinAll() {
  for (;;) {
    std::vector<Worker> workers;
    {
      std::lock_guard lock(mu_);
      workers.swap(workers_);
    }
    if (workers.empty()) return;
    for (auto& w : workers) w.thread.join();
  }
}

size_t WorkerPool::Active() const {
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (const auto& w : workers_) n += w.done->load() ? 0 : 1;
  return n;
}

}  // namespace cf::mcp
