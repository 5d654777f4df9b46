// Runs request handlers on their own threads so the transport keeps reading (cancellations,
// answers to server-to-client requests) while tools run.
//
// Promises: Run starts `task` on a new thread; finished threads are joined by later Run calls; the
// destructor (or JoinAll) waits for every task. Tasks must not call JoinAll.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace cf::mcp {

class WorkerPool {
 public:
  WorkerPool() = default;
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void Run(std::function<void()> task);
  void JoinAll();
  size_t Active() const;

 private:
  struct Worker {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  mutable std::mutex mu_;
  std::vector<Worker> workers_;
};

}  // namespace cf::mcp
