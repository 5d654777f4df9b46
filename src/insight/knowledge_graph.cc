#include "insight/knowledge_graph.h"

#include <fmt/format.h>

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "common/atomic_file.h"

namespace cf::kg {

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

bool ValidId(std::string_view id) {
  if (id.empty()) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
                    c == '-' || c == ':';
    if (!ok) return false;
  }
  return true;
}

[[noreturn]] void Fail(const std::string& file, int line, const std::string& msg) {
  throw KgError(fmt::format("{}:{}: {}", file, line, msg));
}

bool ParseDouble(std::string_view s, double* out) {
  if (s.empty()) return false;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), *out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size() && std::isfinite(*out);
}

bool ParseInt(std::string_view s, int64_t* out) {
  if (s.empty()) return false;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), *out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

std::optional<NodeKind> KindFromName(std::string_view s) {
  if (s == "scene") return NodeKind::kScene;
  if (s == "need") return NodeKind::kNeed;
  if (s == "attribute") return NodeKind::kAttribute;
  if (s == "category") return NodeKind::kCategory;
  return std::nullopt;
}

// The property holding a node's edges, by kind ("" for categories).
std::string_view EdgeKey(NodeKind k) {
  switch (k) {
    case NodeKind::kScene:
      return "needs";
    case NodeKind::kNeed:
      return "attributes";
    case NodeKind::kAttribute:
      return "categories";
    case NodeKind::kCategory:
      return "";
  }
  return "";
}

std::vector<Edge> ParseEdges(std::string_view value, const std::string& file, int line) {
  std::vector<Edge> edges;
  for (const std::string& item : SplitList(value)) {
    Edge e;
    e.line = line;
    const size_t sp = item.find(' ');
    e.id = item.substr(0, sp);
    if (sp != std::string::npos) {
      const std::string_view w = Trim(std::string_view(item).substr(sp + 1));
      if (!ParseDouble(w, &e.weight) || e.weight <= 0) {
        Fail(file, line,
             fmt::format("weight '{}' of '{}' is not a positive number; write `id weight`, e.g. "
                         "`{} 0.8`, separated by commas",
                         w, e.id, e.id));
      }
    }
    if (!ValidId(e.id)) {
      Fail(file, line,
           fmt::format("'{}' is not a valid id (use lower-case a-z, 0-9, '_', '.', '-', ':')",
                       e.id));
    }
    edges.push_back(std::move(e));
  }
  return edges;
}

std::string Num(double v) { return fmt::format("{}", v); }

std::string JoinList(const std::vector<std::string>& v, std::string_view sep) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) s += sep;
    s += v[i];
  }
  return s;
}

}  // namespace

std::string_view KindName(NodeKind k) {
  switch (k) {
    case NodeKind::kScene:
      return "scene";
    case NodeKind::kNeed:
      return "need";
    case NodeKind::kAttribute:
      return "attribute";
    case NodeKind::kCategory:
      return "category";
  }
  return "?";
}

std::string UpperAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

CataloguePattern CataloguePattern::Parse(std::string_view pattern) {
  CataloguePattern p;
  const size_t gt = pattern.find(" > ");
  p.category = UpperAscii(pattern.substr(0, gt));
  if (gt != std::string_view::npos) p.type = UpperAscii(pattern.substr(gt + 3));
  return p;
}

std::vector<std::string> SplitList(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&] {
    const std::string_view t = Trim(cur);
    if (!t.empty()) out.emplace_back(t);
    cur.clear();
  };
  for (size_t i = 0; i < s.size();) {
    if (s[i] == ',' || s[i] == ';') {
      flush();
      ++i;
    } else if (s.substr(i, 3) == "\xEF\xBC\x8C" || s.substr(i, 3) == "\xE3\x80\x81") {  // ， 、
      flush();
      i += 3;
    } else {
      cur += s[i++];
    }
  }
  flush();
  return out;
}

int KnowledgeGraph::AddNode(Node n) {
  if (index_.count(n.id)) {
    const Node& old = nodes_[static_cast<size_t>(index_.at(n.id))];
    throw KgError(
        fmt::format("<graph>:{}: duplicate id '{}' (first defined as {} at line {}); ids "
                    "are unique across all kinds, rename one",
                    n.line, n.id, KindName(old.kind), old.line));
  }
  const int i = static_cast<int>(nodes_.size());
  index_.emplace(n.id, i);
  nodes_.push_back(std::move(n));
  return i;
}

void KnowledgeGraph::AddComplement(Complement c) { complements_.push_back(std::move(c)); }

int KnowledgeGraph::Find(std::string_view id) const {
  const auto it = index_.find(std::string(id));
  return it == index_.end() ? -1 : it->second;
}

size_t KnowledgeGraph::Count(NodeKind k) const {
  size_t n = 0;
  for (const Node& x : nodes_) n += x.kind == k;
  return n;
}

const std::vector<int>& KnowledgeGraph::ComplementsOf(int i) const {
  static const std::vector<int> kEmpty;
  if (i < 0 || static_cast<size_t>(i) >= complements_of_.size()) return kEmpty;
  return complements_of_[static_cast<size_t>(i)];
}

void KnowledgeGraph::Resolve(const std::string& file) {
  for (Node& n : nodes_) {
    if (n.zh.empty() || n.en.empty()) {
      Fail(file, n.line,
           fmt::format("{} '{}' has no {} name; add an indented `{}: ...` line", KindName(n.kind),
                       n.id, n.zh.empty() ? "zh" : "en", n.zh.empty() ? "zh" : "en"));
    }
    for (Edge& e : n.edges) {
      const int t = Find(e.id);
      const NodeKind want = static_cast<NodeKind>(static_cast<int>(n.kind) + 1);
      if (t < 0) {
        Fail(file, e.line,
             fmt::format("{} '{}' refers to {} '{}', which is not defined; define `{} {}` or fix "
                         "the id",
                         KindName(n.kind), n.id, KindName(want), e.id, KindName(want), e.id));
      }
      if (nodes_[static_cast<size_t>(t)].kind != want) {
        Fail(file, e.line,
             fmt::format("{} '{}' lists '{}' under `{}:`, but '{}' is a {} (line {}); a {} "
                         "links to {} nodes only",
                         KindName(n.kind), n.id, e.id, EdgeKey(n.kind), e.id,
                         KindName(nodes_[static_cast<size_t>(t)].kind),
                         nodes_[static_cast<size_t>(t)].line, KindName(n.kind), KindName(want)));
      }
      e.to = t;
    }
    if (!n.parent.empty()) {
      const int p = Find(n.parent);
      if (p < 0 || nodes_[static_cast<size_t>(p)].kind != NodeKind::kCategory) {
        Fail(file, n.line,
             fmt::format("category '{}' has parent '{}', which is not a defined category", n.id,
                         n.parent));
      }
      n.parent_index = p;
    }
  }
  complements_of_.assign(nodes_.size(), {});
  for (size_t ci = 0; ci < complements_.size(); ++ci) {
    Complement& c = complements_[ci];
    for (auto [id, idx] : {std::pair{&c.a, &c.ia}, std::pair{&c.b, &c.ib}}) {
      const int t = Find(*id);
      if (t < 0 || nodes_[static_cast<size_t>(t)].kind != NodeKind::kCategory) {
        Fail(file, c.line,
             fmt::format("complement refers to '{}', which is not a defined category; define "
                         "`category {}` or fix the id",
                         *id, *id));
      }
      *idx = t;
    }
    if (c.ia == c.ib) {
      Fail(file, c.line, fmt::format("complement of '{}' with itself; name two categories", c.a));
    }
    complements_of_[static_cast<size_t>(c.ia)].push_back(static_cast<int>(ci));
    complements_of_[static_cast<size_t>(c.ib)].push_back(static_cast<int>(ci));
  }
}

KnowledgeGraph KnowledgeGraph::Parse(std::string_view text, const std::string& file) {
  KnowledgeGraph g;
  bool header = false;
  Node cur;
  bool have = false;
  auto flush = [&] {
    if (!have) return;
    try {
      g.AddNode(std::move(cur));
    } catch (const KgError& e) {
      // Re-prefix with the file name (AddNode knows only the line).
      std::string m = e.what();
      throw KgError(file + m.substr(m.find(':')));
    }
    cur = Node{};
    have = false;
  };
  int line_no = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    const std::string_view raw = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    const std::string_view t = Trim(raw);
    if (t.empty() || t.front() == '#') {
      if (nl == text.size()) break;
      continue;
    }
    if (!header) {
      const size_t sp = t.find(' ');
      const std::string_view magic = t.substr(0, sp);
      if (magic != kFormatMagic) {
        Fail(file, line_no,
             fmt::format("expected the format line `{} {}` first (found '{}'); is this a "
                         "Chengfang knowledge graph? See docs/knowledge-graph.md",
                         kFormatMagic, kFormatVersion, t));
      }
      int64_t v = 0;
      const std::string_view vs = sp == std::string_view::npos ? "" : Trim(t.substr(sp + 1));
      if (!ParseInt(vs, &v)) {
        Fail(file, line_no, fmt::format("cannot read the format version '{}'", vs));
      }
      if (v != kFormatVersion) {
        Fail(file, line_no,
             fmt::format("format version {} is not supported (this build reads version {}); "
                         "rebuild the graph with `chengfang insight kg build` or use a matching "
                         "chengfang",
                         v, kFormatVersion));
      }
      header = true;
      if (nl == text.size()) break;
      continue;
    }
    const bool indented = raw.front() == ' ' || raw.front() == '\t';
    if (indented) {
      if (!have) {
        Fail(file, line_no,
             "indented property outside a node; start a node with `scene|need|attribute|category "
             "<id>` at the start of a line");
      }
      const size_t colon = t.find(':');
      if (colon == std::string_view::npos) {
        Fail(file, line_no, fmt::format("expected `key: value`, found '{}'", t));
      }
      const std::string_view key = Trim(t.substr(0, colon));
      const std::string_view value = Trim(t.substr(colon + 1));
      const bool is_cat = cur.kind == NodeKind::kCategory;
      if (key == "zh") {
        cur.zh = value;
      } else if (key == "en") {
        cur.en = value;
      } else if (key == "kw_zh") {
        for (auto& k : SplitList(value)) cur.keywords_zh.push_back(k);
      } else if (key == "kw_en") {
        for (auto& k : SplitList(value)) cur.keywords_en.push_back(k);
      } else if (!is_cat && key == EdgeKey(cur.kind)) {
        for (auto& e : ParseEdges(value, file, line_no)) cur.edges.push_back(std::move(e));
      } else if (is_cat && key == "source") {
        if (value != "curated" && value != "catalogue") {
          Fail(file, line_no, fmt::format("source '{}': use curated or catalogue", value));
        }
        cur.source = value;
      } else if (is_cat && key == "taxonomy") {
        if (!ParseInt(value, &cur.taxonomy) || cur.taxonomy <= 0) {
          Fail(file, line_no,
               fmt::format("taxonomy '{}' is not a Google product taxonomy id (a positive "
                           "integer from google-product-taxonomy.txt)",
                           value));
        }
      } else if (is_cat && key == "taxonomy_path") {
        cur.taxonomy_path = value;
      } else if (is_cat && key == "taxonomy_match") {
        if (value != "curated" && value != "overlap") {
          Fail(file, line_no, fmt::format("taxonomy_match '{}': use curated or overlap", value));
        }
        cur.taxonomy_match = value;
      } else if (is_cat && key == "catalogue") {
        for (const std::string_view part : {value}) {
          size_t p = 0;
          while (p <= part.size()) {
            size_t q = part.find(';', p);
            if (q == std::string_view::npos) q = part.size();
            const std::string_view pat = Trim(part.substr(p, q - p));
            if (!pat.empty()) cur.catalogue.emplace_back(pat);
            p = q + 1;
          }
        }
      } else if (is_cat && key == "parent") {
        cur.parent = value;
      } else {
        Fail(file, line_no,
             fmt::format("unknown property '{}' for a {} (allowed: zh, en, kw_zh, kw_en, {})", key,
                         KindName(cur.kind),
                         is_cat ? "source, taxonomy, taxonomy_path, taxonomy_match, catalogue, "
                                  "parent"
                                : std::string(EdgeKey(cur.kind))));
      }
      if (nl == text.size()) break;
      continue;
    }
    flush();
    std::vector<std::string_view> words;
    for (size_t p = 0; p < t.size();) {
      while (p < t.size() && (t[p] == ' ' || t[p] == '\t')) ++p;
      size_t q = p;
      while (q < t.size() && t[q] != ' ' && t[q] != '\t') ++q;
      if (q > p) words.push_back(t.substr(p, q - p));
      p = q;
    }
    if (words[0] == "complement") {
      Complement c;
      c.line = line_no;
      if (words.size() < 5) {
        Fail(file, line_no,
             "expected `complement <category> <category> <weight> curated|mined [lift=.. pmi=.. "
             "support=.. count_a=.. count_b=.. baskets=..]`");
      }
      c.a = words[1];
      c.b = words[2];
      if (!ParseDouble(words[3], &c.weight)) {
        Fail(file, line_no, fmt::format("complement weight '{}' is not a number", words[3]));
      }
      if (words[4] == "curated") {
        c.provenance = Provenance::kCurated;
      } else if (words[4] == "mined") {
        c.provenance = Provenance::kMined;
      } else {
        Fail(file, line_no,
             fmt::format("complement provenance '{}': use curated or mined", words[4]));
      }
      for (size_t i = 5; i < words.size(); ++i) {
        const size_t eq = words[i].find('=');
        const std::string_view k = words[i].substr(0, eq);
        const std::string_view v = eq == std::string_view::npos ? "" : words[i].substr(eq + 1);
        bool ok = false;
        if (k == "lift") ok = ParseDouble(v, &c.lift);
        if (k == "pmi") ok = ParseDouble(v, &c.pmi);
        if (k == "support") ok = ParseInt(v, &c.support);
        if (k == "count_a") ok = ParseInt(v, &c.count_a);
        if (k == "count_b") ok = ParseInt(v, &c.count_b);
        if (k == "baskets") ok = ParseInt(v, &c.baskets);
        if (!ok) {
          Fail(file, line_no,
               fmt::format("bad statistic '{}' (expected lift=, pmi=, support=, count_a=, "
                           "count_b= or baskets= with a number)",
                           words[i]));
        }
      }
      g.AddComplement(std::move(c));
    } else {
      const auto kind = KindFromName(words[0]);
      if (!kind) {
        Fail(file, line_no,
             fmt::format("unknown record '{}'; lines at the start of a line begin with scene, "
                         "need, attribute, category or complement (properties are indented)",
                         words[0]));
      }
      if (words.size() != 2 || !ValidId(words[1])) {
        Fail(file, line_no,
             fmt::format("expected `{} <id>` with an id of lower-case a-z, 0-9, '_', '.', '-', "
                         "':'",
                         words[0]));
      }
      cur = Node{};
      cur.kind = *kind;
      cur.id = words[1];
      cur.line = line_no;
      have = true;
    }
    if (nl == text.size()) break;
  }
  if (!header) {
    Fail(
        file, line_no == 0 ? 1 : line_no,
        fmt::format("empty graph: the file must start with `{} {}`", kFormatMagic, kFormatVersion));
  }
  flush();
  g.Resolve(file);
  return g;
}

KnowledgeGraph KnowledgeGraph::Load(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw KgError(
        fmt::format("{}: cannot open: {}; pass an existing graph with --kg or build one "
                    "with `chengfang insight kg build --out FILE`",
                    path.string(), std::strerror(errno)));
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return Parse(ss.str(), path.string());
}

std::string KnowledgeGraph::Serialize() const {
  std::string s = fmt::format("{} {}\n", kFormatMagic, kFormatVersion);
  for (const Node& n : nodes_) {
    s += fmt::format("\n{} {}\n  zh: {}\n  en: {}\n", KindName(n.kind), n.id, n.zh, n.en);
    if (!n.keywords_zh.empty()) s += fmt::format("  kw_zh: {}\n", JoinList(n.keywords_zh, ", "));
    if (!n.keywords_en.empty()) s += fmt::format("  kw_en: {}\n", JoinList(n.keywords_en, ", "));
    if (n.kind == NodeKind::kCategory) {
      if (n.source != "curated") s += fmt::format("  source: {}\n", n.source);
      if (n.taxonomy > 0) s += fmt::format("  taxonomy: {}\n", n.taxonomy);
      if (!n.taxonomy_path.empty()) s += fmt::format("  taxonomy_path: {}\n", n.taxonomy_path);
      if (!n.taxonomy_match.empty()) s += fmt::format("  taxonomy_match: {}\n", n.taxonomy_match);
      if (!n.catalogue.empty()) s += fmt::format("  catalogue: {}\n", JoinList(n.catalogue, "; "));
      if (!n.parent.empty()) s += fmt::format("  parent: {}\n", n.parent);
    } else if (!n.edges.empty()) {
      std::vector<std::string> items;
      for (const Edge& e : n.edges) {
        items.push_back(e.weight == 1.0 ? e.id : fmt::format("{} {}", e.id, Num(e.weight)));
      }
      s += fmt::format("  {}: {}\n", EdgeKey(n.kind), JoinList(items, ", "));
    }
  }
  if (!complements_.empty()) s += "\n";
  for (const Complement& c : complements_) {
    s += fmt::format("complement {} {} {} {}", c.a, c.b, Num(c.weight),
                     c.provenance == Provenance::kMined ? "mined" : "curated");
    if (c.provenance == Provenance::kMined) {
      s += fmt::format(" lift={} pmi={} support={} count_a={} count_b={} baskets={}", Num(c.lift),
                       Num(c.pmi), c.support, c.count_a, c.count_b, c.baskets);
    }
    s += "\n";
  }
  return s;
}

void KnowledgeGraph::Save(const std::filesystem::path& path) const {
  try {
    WriteFileAtomic(path, Serialize());
  } catch (const std::runtime_error& e) {
    throw KgError(fmt::format("{}; check the folder exists and is writable", e.what()));
  }
}

}  // namespace cf::kg
