// `chengfang bench search [--quick] [--json] [--seeds N] [--days D] [--users U] [--threads T]`:
// the knowledge graph's search expansion in the market against the categories learned from
// behaviour alone, same traffic (sim/bench_search.h; docs/knowledge-graph.md). Prints a table (or
// JSON with --json) on stdout and progress on stderr; bad input exits 3 with the reason.
#pragma once

#include <string>

namespace CLI {
class App;
}

namespace cf {

void AddBenchSearchCommand(CLI::App* bench, const std::string* data_dir);

}  // namespace cf
