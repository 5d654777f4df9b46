// Audiences from observed interests (insight/user_affinity.h): how well a group of users (a
// creator's followers) fits a product category, and the users who fit a category best (coupon
// targeting). Promises: uses only what the platform observed (no hidden interests); a user with
// no observed engagement counts as fitting nothing; deterministic (ties go to the lower user id).
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "common/ids.h"
#include "insight/user_affinity.h"

namespace cf {

struct AudienceFit {
  // Lift: the group's mean engagement share in the category over the population's (1: like the
  // average user; 0: no observed interest). The audience-fit score.
  double fit = 0;
  double group_share = 0;       // mean share of the group's engagement in the category
  double population_share = 0;  // the same over every user
  size_t members = 0;
  size_t observed = 0;    // members with any observed engagement
  size_t interested = 0;  // members with the category among their 3 strongest
};

// The population's mean share of engagement in category c over users 0..users-1 (O(users)).
double PopulationShare(const UserAffinity& affinity, size_t users, CategoryId c);

// How well `group` fits category c, against `population_share` (from PopulationShare).
AudienceFit ScoreAudienceFit(const UserAffinity& affinity, std::span<const UserId> group,
                             CategoryId c, double population_share);

// Up to k users (of 0..users-1) with the highest observed share in category c, best first; users
// with no observed interest in c are never chosen.
std::vector<UserId> TopAudience(const UserAffinity& affinity, size_t users, CategoryId c, size_t k);

}  // namespace cf
