#include "insight/knowledge_graph_taxonomy.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>

#include "insight/knowledge_graph.h"
#include "insight/knowledge_graph_text.h"

namespace cf::kg {

Taxonomy Taxonomy::Load(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw KgError(
        fmt::format("{}: cannot open: {}; the Google product taxonomy ships in "
                    "../shared/data/taxonomy/ (pass --data DIR)",
                    path.string(), std::strerror(errno)));
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return Parse(ss.str(), path.string());
}

Taxonomy Taxonomy::Parse(const std::string& text, const std::string& file) {
  Taxonomy t;
  std::istringstream in(text);
  std::string line;
  int no = 0;
  while (std::getline(in, line)) {
    ++no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#')
      continue;  // the first line is "# Google_Product_Taxonomy..."
    const size_t dash = line.find(" - ");
    TaxonomyNode n;
    const auto r =
        std::from_chars(line.data(), line.data() + (dash == std::string::npos ? 0 : dash), n.id);
    if (dash == std::string::npos || r.ec != std::errc() || r.ptr != line.data() + dash ||
        n.id <= 0) {
      throw KgError(fmt::format("{}:{}: expected `<id> - <Level1> > <Level2> ...`, found '{}'",
                                file, no, line));
    }
    n.path = line.substr(dash + 3);
    const size_t gt = n.path.rfind(" > ");
    const std::string leaf = gt == std::string::npos ? n.path : n.path.substr(gt + 3);
    n.leaf_words = Tokenize(leaf).words;
    if (gt != std::string::npos) n.path_words = Tokenize(n.path.substr(0, gt)).words;
    n.depth = static_cast<int>(std::count(n.path.begin(), n.path.end(), '>')) + 1;
    if (t.by_id_.count(n.id)) {
      throw KgError(fmt::format("{}:{}: duplicate taxonomy id {}", file, no, n.id));
    }
    t.by_id_.emplace(n.id, t.nodes_.size());
    for (const auto& w : n.leaf_words) t.by_leaf_word_[w].push_back(t.nodes_.size());
    t.nodes_.push_back(std::move(n));
  }
  return t;
}

const TaxonomyNode* Taxonomy::Find(int64_t id) const {
  const auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &nodes_[it->second];
}

TaxonomyMatch Taxonomy::BestMatch(const std::vector<std::string>& words, double min_score) const {
  std::vector<size_t> cand;
  for (const auto& w : words) {
    const auto it = by_leaf_word_.find(w);
    if (it != by_leaf_word_.end()) cand.insert(cand.end(), it->second.begin(), it->second.end());
  }
  std::sort(cand.begin(), cand.end());
  cand.erase(std::unique(cand.begin(), cand.end()), cand.end());
  TaxonomyMatch best;
  const TaxonomyNode* best_node = nullptr;
  for (size_t i : cand) {
    const TaxonomyNode& n = nodes_[i];
    int leaf_hit = 0, path_hit = 0;
    for (const auto& w : words) {
      if (std::find(n.leaf_words.begin(), n.leaf_words.end(), w) != n.leaf_words.end()) {
        ++leaf_hit;
      } else if (std::find(n.path_words.begin(), n.path_words.end(), w) != n.path_words.end()) {
        ++path_hit;
      }
    }
    if (leaf_hit == 0) continue;
    const double score =
        0.7 * leaf_hit / static_cast<double>(n.leaf_words.size()) +
        0.3 * std::min(1.0, (leaf_hit + 0.5 * path_hit) / static_cast<double>(words.size()));
    const bool better =
        score > best.score + 1e-12 ||
        (std::abs(score - best.score) <= 1e-12 && best_node != nullptr &&
         (n.depth < best_node->depth || (n.depth == best_node->depth && n.id < best_node->id)));
    if (better) {
      best = {n.id, score};
      best_node = &n;
    }
  }
  if (best.score < min_score) return {};
  return best;
}

}  // namespace cf::kg
