#include "sim/loop_runner.h"

#include "sim/loop.h"

namespace cf {

RunResult RunLoop(const RunSetup& setup) {
  Loop loop(setup);
  while (!loop.done()) loop.Step();
  return loop.Finish();
}

}  // namespace cf
