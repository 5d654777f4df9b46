// `chengfang bench bidding replay|auction|market [--quick] [--json] ...`: the bidding benchmark
// tiers (src/bidbench; the market tier in sim/bench_market.h). AddBenchBiddingCommand registers the
// `bidding` subcommand under the given `bench` command; it runs from a CLI11 callback, prints the
// table (or JSON with --json) on stdout and progress on stderr, and exits with status 2 on bad
// input.
#pragma once

#include <string>

namespace CLI {
class App;
}

namespace cf {

// `data_dir`: the global --data option (the market tier builds its world from it); read when the
// command runs, so it must outlive the parse.
void AddBenchBiddingCommand(CLI::App* bench, const std::string* data_dir);

}  // namespace cf
