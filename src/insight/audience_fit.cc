#include "insight/audience_fit.h"

#include <algorithm>
#include <utility>

namespace cf {

double PopulationShare(const UserAffinity& affinity, size_t users, CategoryId c) {
  if (users == 0) return 0;
  double sum = 0;
  for (UserId u = 0; u < users; ++u) sum += affinity.Share(u, c);
  return sum / static_cast<double>(users);
}

AudienceFit ScoreAudienceFit(const UserAffinity& affinity, std::span<const UserId> group,
                             CategoryId c, double population_share) {
  AudienceFit f;
  f.members = group.size();
  f.population_share = population_share;
  double sum = 0;
  for (UserId u : group) {
    CategoryId top[3];
    const int n = affinity.Top(u, 3, top);
    if (n == 0) continue;
    ++f.observed;
    if (std::find(top, top + n, c) != top + n) ++f.interested;
    sum += affinity.Share(u, c);
  }
  if (!group.empty()) f.group_share = sum / static_cast<double>(group.size());
  f.fit = population_share > 0 ? f.group_share / population_share : 0;
  return f;
}

std::vector<UserId> TopAudience(const UserAffinity& affinity, size_t users, CategoryId c,
                                size_t k) {
  std::vector<std::pair<double, UserId>> scored;
  for (UserId u = 0; u < users; ++u) {
    const double s = affinity.Share(u, c);
    if (s > 0) scored.emplace_back(-s, u);
  }
  const size_t n = std::min(k, scored.size());
  std::partial_sort(scored.begin(), scored.begin() + static_cast<std::ptrdiff_t>(n), scored.end());
  std::vector<UserId> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) out.push_back(scored[i].second);
  return out;
}

}  // namespace cf
