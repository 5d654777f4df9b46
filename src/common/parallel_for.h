// ParallelFor runs job(i) for every i in [0, n) on `threads` worker threads (at least 1, at most
// n), each index exactly once and in no fixed order, and returns when all are done. Jobs must be
// safe to run concurrently (each writes only its own output; shared progress needs the caller's
// own lock). The first exception a job throws stops handing out indices; the jobs already running
// finish, and then it is rethrown to the caller (later ones are dropped).
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace cf {

template <class Job>
void ParallelFor(size_t n, int threads, Job&& job) {
  std::atomic<size_t> next{0};
  std::mutex mu;
  std::exception_ptr error;
  auto worker = [&] {
    for (size_t i = next++; i < n; i = next++) {
      try {
        job(i);
      } catch (...) {
        std::lock_guard lock(mu);
        if (!error) error = std::current_exception();
        next = n;  // stop handing out work
      }
    }
  };
  const size_t count =
      std::clamp<size_t>(static_cast<size_t>(std::max(1, threads)), 1, std::max<size_t>(1, n));
  std::vector<std::thread> pool;
  for (size_t t = 0; t < count; ++t) pool.emplace_back(worker);
  for (std::thread& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace cf
