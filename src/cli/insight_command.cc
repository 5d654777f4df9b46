// The `insight` subcommand: one registration per command family (see insight_command.h).
#include "cli/insight_command.h"

#include "cli/insight_content_command.h"
#include "cli/insight_kg_command.h"
#include "cli/insight_ranking_command.h"
#include "cli/insight_train_command.h"

namespace cf {

void AddInsightCommand(CLI::App& app) {
  auto* insight = app.add_subcommand(
      "insight", "Insight: sequence models, query understanding, ranking models");
  insight->require_subcommand(1);
  // Command families register here, one call each.
  AddInsightKgCommands(*insight);
  AddInsightContentCommands(*insight);
  AddInsightTrainCommands(*insight);
  AddInsightRankingCommand(*insight);
}

}  // namespace cf
