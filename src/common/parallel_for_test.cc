#include "common/parallel_for.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

namespace cf {
namespace {

TEST(ParallelFor, RunsEveryIndexExactlyOnce) {
  for (int threads : {1, 2, 4, 64}) {
    std::vector<int> hits(1000, 0);
    ParallelFor(hits.size(), threads, [&](size_t i) { ++hits[i]; });
    for (size_t i = 0; i < hits.size(); ++i) ASSERT_EQ(hits[i], 1) << i << " on " << threads;
  }
  int calls = 0;
  ParallelFor(0, 4, [&](size_t) { ++calls; });
  EXPECT_EQ(calls, 0);
}

TEST(ParallelFor, UsesTheThreadsItIsGiven) {
  std::mutex mu;
  std::set<std::thread::id> seen;
  ParallelFor(64, 2, [&](size_t) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    std::lock_guard lock(mu);
    seen.insert(std::this_thread::get_id());
  });
  EXPECT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen.count(std::this_thread::get_id()), 0u);  // workers, not the caller
}

TEST(ParallelFor, RethrowsTheFirstErrorAndStopsHandingOutWork) {
  // Each job takes a millisecond; job 3 fails at once. The 96 after it are not all run.
  std::atomic<int> ran{0};
  EXPECT_THROW(ParallelFor(100, 2,
                           [&](size_t i) {
                             ++ran;
                             if (i == 3) throw std::runtime_error("job 3 failed");
                             std::this_thread::sleep_for(std::chrono::milliseconds(1));
                           }),
               std::runtime_error);
  EXPECT_LT(ran.load(), 50);
}

}  // namespace
}  // namespace cf
