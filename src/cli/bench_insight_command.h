// `chengfang bench insight [--json] [--quick]`: latency of scoring one request (one user, 500
// candidates) against the user's whole behaviour history with target-aware search and attention
// (src/insight/target_attention.h), at history lengths 100, 1,000, 10,000 and 100,000, single
// thread (docs/insight-long-history.md). AddBenchInsightCommand registers the `insight`
// subcommand under the given `bench` command; it runs from a CLI11 callback, prints a table (or
// JSON with --json) on stdout and progress on stderr, and exits with status 2 on bad input.
#pragma once

namespace CLI {
class App;
}

namespace cf {

void AddBenchInsightCommand(CLI::App* bench);

}  // namespace cf
