// `chengfang insight content-eval [--data DIR] [--dim D] [--epochs E] [--negatives N]
// [--cold-every C] [--test-every T] [--seed S] [--quick] [--json]`: trains ID-only, content and
// hybrid item embeddings on Complete Journey's real transactions with 1 in C products held out as
// never-seen (cold) items, and reports how well each ranks the cold items for the households that
// bought them, beside an untrained content baseline (docs/insight-content.md).
//
// `chengfang insight content-embed --out FILE [--data DIR] [--dim D] [--epochs E] [--seed S]
// [--quick]`: trains the hybrid tower on every household's purchases (no hold-out) and writes one
// embedding per catalogue product, ID + content for the sold ones and content alone for the rest
// (a tab-separated file, docs/insight-content.md), atomically.
//
// `chengfang insight content-features --product ID [--data DIR]`: prints the content record of
// one catalogue product and the named features the content tower reads.
//
// Promises: progress on stderr, results on stdout; a missing data folder or bad option is a clear
// error with exit code 3 (CLI11's own codes for option errors). Not thread-safe (CLI parsing).
#pragma once

#include <CLI/CLI.hpp>

namespace cf {

// Adds `content-eval`, `content-embed` and `content-features` under `insight`.
void AddInsightContentCommands(CLI::App& insight);

}  // namespace cf
