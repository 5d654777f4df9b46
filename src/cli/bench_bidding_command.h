// `chengfang bench bidding replay|auction [--quick] [--json] [--train F --test F] [--seed S]`:
// the bidding benchmark tiers (src/bidbench). AddBenchBiddingCommand registers the `bidding`
// subcommand under the given `bench` command; it runs from a CLI11 callback, prints the table (or
// JSON with --json) on stdout and progress on stderr, and exits with status 2 on bad input.
#pragma once

namespace CLI {
class App;
}

namespace cf {

void AddBenchBiddingCommand(CLI::App* bench);

}  // namespace cf
