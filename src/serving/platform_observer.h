// Interface for what watches the engine's own plans live (monitoring and diagnosis): it sees every
// event logged for the plans it watches and every auction they entered, with the price they had
// to beat. Only what a real platform observes passes through it (no market truth), and the engine
// never reads anything back: attaching an observer does not change a run.
#pragma once

#include "common/event.h"
#include "common/ids.h"
#include "common/opportunity.h"

namespace cf {

class PlatformObserver {
 public:
  virtual ~PlatformObserver() = default;
  // Whether the observer wants this plan's auctions and events.
  virtual bool Watches(PlanId plan) const = 0;
  // An event logged for a watched plan (impression, click, purchase, engagement).
  virtual void OnEvent(const Event& e) = 0;
  // An auction a watched plan entered with its best ad: its eCPM, the eCPM it had to beat (the
  // best other plan's, or the reserve), and whether it was shown.
  virtual void OnAuction(PlanId plan, const Opportunity& opp, double ecpm, double beat_cpm,
                         bool won) = 0;
};

}  // namespace cf
