// Adtributor (Bhagwan et al., NSDI 2014): the classic one-dimension root-cause baseline.
//
// For each dimension, each value's surprise (Jensen-Shannon divergence between its forecast and
// actual shares) and explanatory power ((A_e - F_e) / (A - F)) are computed on the additive view
// (rca_case.h); values are taken by surprise while each explains more than `min_element_ep` until
// together they explain more than `min_total_ep`. The dimension whose set has the largest total
// surprise is the answer (Adtributor cannot combine dimensions).
//
// Promises: deterministic; thread-safe.
#pragma once

#include <cstddef>

#include "diagnosis/rca_case.h"
#include "diagnosis/rca_result.h"

namespace cf::diagnosis {

struct AdtributorParams {
  double min_element_ep = 0.1;  // T_EEP in the paper
  double min_total_ep = 0.67;   // T_EP in the paper
  size_t dimensions = 1;        // how many best dimensions' sets are returned
};

RcaResult Adtributor(const RcaCase& c, const AdtributorParams& params = {});

}  // namespace cf::diagnosis
