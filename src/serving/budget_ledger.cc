#include "serving/budget_ledger.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace cf {

void BudgetLedger::AddPlan(PlanId id, Money total, Money daily) {
  if (id != plans_.size()) {
    throw std::invalid_argument(
        fmt::format("ledger: plan {} added out of order (next id {})", id, plans_.size()));
  }
  if (total.micros() <= 0 || daily.micros() < 0) {
    throw std::invalid_argument(fmt::format("ledger: plan {} needs a positive total budget", id));
  }
  Account& a = plans_.emplace_back();
  a.total = total;
  a.daily = daily;
  Recompute(a);
}

void BudgetLedger::Recompute(Account& a) {
  int64_t room = a.total.micros() - a.spent_total.load();
  if (a.daily.micros() > 0) room = std::min(room, a.daily.micros() - a.spent_today.load());
  room -= a.reserved.load();
  // May be negative (a budget lowered below spend + reservations): the deficit must survive
  // later releases, so it is not clamped here.
  a.headroom.store(room);
}

void BudgetLedger::SetBudgets(PlanId id, Money total, Money daily) {
  if (total.micros() <= 0 || daily.micros() < 0) {
    throw std::invalid_argument(fmt::format("ledger: plan {} needs a positive total budget", id));
  }
  Account& a = plans_.at(id);
  a.total = total;
  a.daily = daily;
  Recompute(a);
}

void BudgetLedger::CapToday(PlanId id, Money cap) {
  Account& a = plans_.at(id);
  a.headroom.store(std::min(a.headroom.load(), std::max<int64_t>(0, cap.micros())));
}

void BudgetLedger::StartDay() {
  for (Account& a : plans_) {
    a.spent_today.store(0);
    Recompute(a);
  }
}

bool BudgetLedger::Reserve(PlanId id, Money amount) {
  if (amount.micros() < 0) return false;
  Account& a = plans_.at(id);
  int64_t room = a.headroom.load(std::memory_order_relaxed);
  do {
    if (room < amount.micros()) return false;
  } while (!a.headroom.compare_exchange_weak(room, room - amount.micros()));
  a.reserved.fetch_add(amount.micros());
  return true;
}

void BudgetLedger::Commit(PlanId id, Money reserved, Money actual) {
  if (actual.micros() < 0 || actual > reserved) {
    throw std::logic_error(fmt::format("ledger: plan {} commits {} against a reservation of {}", id,
                                       actual.ToString(), reserved.ToString()));
  }
  Account& a = plans_.at(id);
  a.spent_total.fetch_add(actual.micros());
  a.spent_today.fetch_add(actual.micros());
  a.reserved.fetch_sub(reserved.micros());
  a.headroom.fetch_add(reserved.micros() - actual.micros());
}

}  // namespace cf
