#include "action/state_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace cf::action {
namespace {

std::filesystem::path TempFile(const std::string& name) {
  auto p = std::filesystem::temp_directory_path() /
           ("cf_state_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove(p);
  std::filesystem::remove(p.string() + "-wal");
  std::filesystem::remove(p.string() + "-shm");
  return p;
}

TEST(StateStoreTest, EntriesAndMetaSurviveReopen) {
  const auto path = TempFile("reopen");
  {
    StateStore s(path.string());
    AuditEntry e;
    e.actor = "merchant:http";
    e.action = "update_ad_plan_budget";
    e.plan = 3;
    e.sim_minute = 1440;
    e.idempotency_key = "abc";
    e.args = {{"plan_id", 3}, {"total_budget", 120}};
    e.before = {{"total_budget", 100}};
    e.after = {{"total_budget", 120}};
    e.result = {{"applied", true}};
    EXPECT_EQ(s.Append(e).seq, 1);
    s.SetMeta("config", "{}");
  }
  StateStore s(path.string());
  ASSERT_EQ(s.entries().size(), 1u);
  const AuditEntry& e = s.entries()[0];
  EXPECT_EQ(e.actor, "merchant:http");
  EXPECT_EQ(e.plan, 3);
  EXPECT_EQ(e.sim_minute, 1440u);
  EXPECT_EQ(e.after["total_budget"], 120);
  ASSERT_NE(s.FindByKey("abc"), nullptr);
  EXPECT_EQ(s.GetMeta("config").value_or(""), "{}");
  EXPECT_EQ(s.GetMeta("schema_version").value_or(""), "1");
  std::filesystem::remove(path);
}

TEST(StateStoreTest, RefusesOtherFilesAndOtherVersionsWithoutTouchingThem) {
  const auto junk = TempFile("junk");
  { std::ofstream(junk) << "this is not a database, it is a grocery list\n"; }
  const auto size = std::filesystem::file_size(junk);
  try {
    StateStore s(junk.string());
    ADD_FAILURE() << "opened a text file";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(junk.string()), std::string::npos) << e.what();
  }
  EXPECT_EQ(std::filesystem::file_size(junk), size);
  std::filesystem::remove(junk);

  const auto future = TempFile("future");
  {
    StateStore s(future.string());
    s.SetMeta("schema_version", "99");
  }
  try {
    StateStore s(future.string());
    ADD_FAILURE() << "opened a version 99 file";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("schema version 99"), std::string::npos) << e.what();
  }
  std::filesystem::remove(future);
}

TEST(StateStoreTest, UnwritablePathIsAClearError) {
  try {
    StateStore s("/nonexistent-dir/state.sqlite");
    ADD_FAILURE() << "opened a file in a missing folder";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("--state"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace cf::action
