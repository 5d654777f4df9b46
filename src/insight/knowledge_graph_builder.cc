#include "insight/knowledge_graph_builder.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <optional>
#include <set>

#include "insight/knowledge_graph_text.h"

namespace cf::kg {

namespace {

std::string TitleCase(std::string_view s) {
  std::string out(s);
  bool start = true;
  for (char& c : out) {
    const bool alpha = std::isalpha(static_cast<unsigned char>(c)) != 0;
    c = alpha ? static_cast<char>(start ? std::toupper(static_cast<unsigned char>(c))
                                        : std::tolower(static_cast<unsigned char>(c)))
              : c;
    start = !alpha;
  }
  return out;
}

// English stems of a node's name and keywords.
std::vector<std::string> NodeWords(const Node& n) {
  std::vector<std::string> w = Tokenize(n.en).words;
  for (const auto& k : n.keywords_en) {
    for (auto& x : Tokenize(k).words) w.push_back(std::move(x));
  }
  std::sort(w.begin(), w.end());
  w.erase(std::unique(w.begin(), w.end()), w.end());
  return w;
}

}  // namespace

std::string CatalogueCategoryId(std::string_view name) {
  std::string id = "cj.";
  bool sep = false;
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u)) {
      if (sep && id.size() > 3) id += '_';
      id += static_cast<char>(std::tolower(u));
      sep = false;
    } else {
      sep = true;
    }
  }
  return id;
}

KnowledgeGraph BuildGraph(const BuildInputs& in, const BuildOptions& o, const Progress& progress) {
  auto say = [&](const std::string& s) {
    if (progress) progress(s);
  };
  KnowledgeGraph g;
  const std::string& file = in.curated_file;
  for (Node n : in.curated->nodes()) {
    n.parent_index = -1;
    for (Edge& e : n.edges) e.to = -1;
    if (n.kind == NodeKind::kCategory && in.taxonomy != nullptr) {
      if (n.taxonomy > 0) {
        const TaxonomyNode* t = in.taxonomy->Find(n.taxonomy);
        if (t == nullptr) {
          throw KgError(
              fmt::format("{}:{}: category '{}' names taxonomy id {}, which is not in "
                          "the Google product taxonomy; fix the id (see "
                          "google-product-taxonomy.txt) or remove the line",
                          file, n.line, n.id, n.taxonomy));
        }
        n.taxonomy_path = t->path;
        n.taxonomy_match = "curated";
      } else {
        // The English name first; its keywords only when the name alone finds nothing.
        TaxonomyMatch m = in.taxonomy->BestMatch(Tokenize(n.en).words, o.taxonomy_min_score);
        if (m.id < 0) m = in.taxonomy->BestMatch(NodeWords(n), o.taxonomy_min_score);
        if (m.id > 0) {
          n.taxonomy = m.id;
          n.taxonomy_path = in.taxonomy->Find(m.id)->path;
          n.taxonomy_match = "overlap";
        }
      }
    }
    g.AddNode(std::move(n));
  }
  for (const Complement& c : in.curated->complements()) g.AddComplement(c);
  say(fmt::format("curated: {} scenes, {} needs, {} attributes, {} categories, {} complements",
                  g.Count(NodeKind::kScene), g.Count(NodeKind::kNeed),
                  g.Count(NodeKind::kAttribute), g.Count(NodeKind::kCategory),
                  g.complements().size()));

  if (in.catalogue != nullptr) {
    const CategoryIndex cats = IndexCategories(*in.catalogue);
    // Curated categories and their words, for parents.
    std::vector<int> curated_cats;
    std::vector<TextTokens> curated_words;
    for (size_t i = 0; i < g.nodes().size(); ++i) {
      if (g.nodes()[i].kind != NodeKind::kCategory) continue;
      curated_cats.push_back(static_cast<int>(i));
      TextTokens t;
      t.words = NodeWords(g.nodes()[i]);
      curated_words.push_back(std::move(t));
    }
    std::vector<std::string> ids(cats.names.size());
    std::set<std::string> used;
    size_t with_parent = 0, with_taxonomy = 0;
    for (size_t c = 0; c < cats.names.size(); ++c) {
      const std::string& name = cats.names[c];
      std::string id = CatalogueCategoryId(name);
      if (id == "cj.") id = "cj.unnamed";
      for (int k = 2; used.count(id) || g.Find(id) >= 0; ++k) {
        id = CatalogueCategoryId(name) + "_" + std::to_string(k);
      }
      used.insert(id);
      ids[c] = id;
      Node n;
      n.kind = NodeKind::kCategory;
      n.id = id;
      n.source = "catalogue";
      n.en = TitleCase(name);
      n.catalogue = {name};
      const TextTokens words = Tokenize(name);
      // Parent: a curated category whose patterns name this product_category, else the one whose
      // words cover all of the name's words.
      int parent = -1;
      for (int ci : curated_cats) {
        for (const auto& pat : g.node(ci).catalogue) {
          if (CataloguePattern::Parse(pat).category == UpperAscii(name) && parent < 0) parent = ci;
        }
      }
      if (parent < 0 && !words.words.empty()) {
        for (size_t k = 0; k < curated_cats.size(); ++k) {
          if (Coverage(words, curated_words[k]) >= o.parent_min_coverage) {
            parent = curated_cats[k];
            break;
          }
        }
      }
      if (parent >= 0) {
        n.parent = g.node(parent).id;
        n.zh = g.node(parent).zh;
        ++with_parent;
      } else {
        n.zh = n.en;  // no translation available for an unmapped catalogue category
      }
      if (in.taxonomy != nullptr) {
        const TaxonomyMatch m = in.taxonomy->BestMatch(words.words, o.taxonomy_min_score);
        if (m.id > 0) {
          n.taxonomy = m.id;
          n.taxonomy_path = in.taxonomy->Find(m.id)->path;
          n.taxonomy_match = "overlap";
          ++with_taxonomy;
        }
      }
      g.AddNode(std::move(n));
    }
    say(
        fmt::format("catalogue: {} product categories, {} under a curated category, {} mapped to "
                    "a taxonomy node",
                    cats.names.size(), with_parent, with_taxonomy));
    if (in.baskets != nullptr) {
      const auto cb = CategoryBaskets(*in.baskets, cats);
      const auto pairs = MineComplements(cb, cats.names.size(), o.miner);
      for (const MinedPair& p : pairs) {
        Complement c;
        c.a = ids[static_cast<size_t>(p.a)];
        c.b = ids[static_cast<size_t>(p.b)];
        c.provenance = Provenance::kMined;
        c.weight = std::round(p.npmi * 1e4) / 1e4;
        c.lift = std::round(p.lift * 1e4) / 1e4;
        c.pmi = std::round(p.pmi * 1e4) / 1e4;
        c.support = p.support;
        c.count_a = p.count_a;
        c.count_b = p.count_b;
        c.baskets = p.baskets;
        g.AddComplement(std::move(c));
      }
      say(
          fmt::format("mined: {} complementary category pairs from {} baskets (support >= {}, "
                      "lift >= {})",
                      pairs.size(), in.baskets->size(), o.miner.min_support, o.miner.min_lift));
    }
  }
  g.Resolve(file);
  return g;
}

KnowledgeGraph BuildFromFiles(const std::filesystem::path& curated_path,
                              const std::filesystem::path& data_dir, const BuildOptions& options,
                              const Progress& progress) {
  auto say = [&](const std::string& s) {
    if (progress) progress(s);
  };
  const KnowledgeGraph curated = KnowledgeGraph::Load(curated_path);
  BuildInputs in;
  in.curated = &curated;
  in.curated_file = curated_path.string();
  const auto tax_path = data_dir / "taxonomy" / "google-product-taxonomy.txt";
  std::optional<Taxonomy> tax;
  if (std::filesystem::exists(tax_path)) {
    tax = Taxonomy::Load(tax_path);
    in.taxonomy = &*tax;
    say(fmt::format("taxonomy: {} nodes from {}", tax->size(), tax_path.string()));
  } else {
    say(fmt::format("taxonomy: {} not found; categories get no taxonomy node", tax_path.string()));
  }
  const auto products = data_dir / "completejourney" / "products.csv";
  const auto tx = data_dir / "completejourney" / "transactions_sample.csv";
  std::optional<RetailCatalogue> cat;
  std::vector<RetailBasket> baskets;
  if (std::filesystem::exists(products)) {
    cat = RetailCatalogue::Load(products);
    in.catalogue = &*cat;
    say(fmt::format("catalogue: {} products from {}", cat->products().size(), products.string()));
    if (std::filesystem::exists(tx)) {
      size_t skipped = 0;
      baskets = LoadBaskets(tx, *cat, &skipped);
      in.baskets = &baskets;
      say(
          fmt::format("transactions: {} baskets from {} ({} lines with a product missing from "
                      "the catalogue skipped)",
                      baskets.size(), tx.string(), skipped));
    }
  } else {
    say(fmt::format("catalogue: {} not found; no catalogue categories or mined relations",
                    products.string()));
  }
  return BuildGraph(in, options, progress);
}

}  // namespace cf::kg
