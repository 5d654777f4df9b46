// Interface: which creative to show for an ad, and the creatives a plan's products have.
#pragma once

#include <vector>

#include "common/creative.h"
#include "common/event.h"
#include "common/opportunity.h"
#include "creative/wearout_detector.h"

namespace cf {

// A change to a product's pool: a creative added, paused by the wear-out test, rotated out by the
// merchant, or a paused one resumed because its product had no other.
struct PoolEvent {
  uint32_t day = 0;
  CreativeId creative = kNoId;
  ProductId product = kNoId;
  std::string what;        // "added", "paused", "rotated" (by the merchant) or "resumed"
  WearoutVerdict verdict;  // for "paused": the evidence
};

class CreativeSelector {
 public:
  virtual ~CreativeSelector() = default;
  // Makes sure every product has at least one live creative; returns the ones it created.
  // `pooled`: the products are to be served from a pool of variants where the selector keeps
  // pools (a product first seen unpooled gets its pool when a pooled plan names it); otherwise
  // one plain creative each, never refreshed.
  virtual std::vector<Creative> EnsureCreatives(const std::vector<ProductId>& products,
                                                uint32_t day, bool pooled = true) = 0;
  virtual CreativeId Select(const Opportunity& opp, const AdCandidate& ad) const = 0;
  // The creative Select would return, asked by evaluation only (an evaluation tap asking about
  // ads that may never be shown): a selector that meters its selections does not count it.
  virtual CreativeId Peek(const Opportunity& opp, const AdCandidate& ad) const {
    return Select(opp, ad);
  }
  virtual void Observe(const Event& e) = 0;
  // Upkeep (e.g. pausing worn-out creatives); returns the creatives it made. The platform calls
  // it every simulated hour (Platform::Upkeep; `day` is the current day).
  virtual std::vector<Creative> Refresh(uint32_t /*day*/) { return {}; }

  // Every creative made so far; a creative's id is its index.
  virtual const std::vector<Creative>& creatives() const = 0;
  // The product's live creatives (those Select may return), oldest first.
  virtual std::vector<CreativeId> Live(ProductId p) const = 0;
  // A merchant's rotation: pauses `pause` (live creatives of product p) and puts one fresh
  // creative (made today, so without the paused one's age and the users' fatigue) in place of
  // each: the i-th of `replacements` when given (a creative made elsewhere, e.g. by the creative
  // factory: its observable attributes are kept, its id, product and day are set here), else a
  // variant of the selector's own. Returns the new ones. Throws std::invalid_argument, changing
  // nothing, when `pause` is empty, repeats a creative, names one that is not a live creative of
  // p, or `replacements` is neither empty nor as long as `pause`.
  virtual std::vector<Creative> Rotate(ProductId p, const std::vector<CreativeId>& pause,
                                       const std::vector<Creative>& replacements, uint32_t day) = 0;
  // Every change to the pools so far, in time order (what the report's creative timeline shows).
  virtual const std::vector<PoolEvent>& pool_events() const = 0;
};

// Checks a rotation request against the product's live creatives (shared by the selectors);
// throws std::invalid_argument with the reason.
void CheckRotation(ProductId p, const std::vector<CreativeId>& live,
                   const std::vector<CreativeId>& pause,
                   const std::vector<Creative>& replacements = {});

}  // namespace cf
