#include "diagnosis/rca_case.h"

#include <algorithm>
#include <stdexcept>

namespace cf::diagnosis {

void Element::Normalise() { std::sort(items.begin(), items.end()); }

std::string Element::Canonical() const {
  std::string out;
  for (const auto& [dim, value] : items) {
    if (!out.empty()) out += '&';
    out += dim;
    out += '=';
    out += value;
  }
  return out;
}

namespace {

std::string Trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r')) --e;
  return s.substr(b, e - b);
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    const size_t p = s.find(sep, start);
    parts.push_back(s.substr(start, p == std::string::npos ? std::string::npos : p - start));
    if (p == std::string::npos) break;
    start = p + 1;
  }
  return parts;
}

}  // namespace

Element ParseElement(const std::string& text) {
  Element e;
  for (const std::string& raw : Split(text, '&')) {
    const std::string item = Trim(raw);
    const size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw std::invalid_argument("root-cause element '" + text +
                                  "': expected items like dim=value joined by '&', got '" + item +
                                  "'");
    }
    e.items.emplace_back(Trim(item.substr(0, eq)), Trim(item.substr(eq + 1)));
  }
  e.Normalise();
  for (size_t i = 1; i < e.items.size(); ++i) {
    if (e.items[i].first == e.items[i - 1].first) {
      throw std::invalid_argument("root-cause element '" + text + "' names dimension '" +
                                  e.items[i].first + "' twice");
    }
  }
  return e;
}

std::vector<Element> ParseElementSet(const std::string& text) {
  std::vector<Element> set;
  for (const std::string& raw : Split(text, ';')) {
    const std::string part = Trim(raw);
    if (part.empty()) continue;
    set.push_back(ParseElement(part));
  }
  return set;
}

std::string FormatElementSet(const std::vector<Element>& set) {
  std::string out;
  for (const Element& e : set) {
    if (!out.empty()) out += ';';
    out += e.Canonical();
  }
  return out;
}

uint32_t RcaCase::Intern(size_t dim, const std::string& value) {
  if (values.size() <= dim) values.resize(dim + 1);
  if (index_.size() < values.size()) index_.resize(values.size());
  auto& vs = values[dim];
  auto [it, inserted] = index_[dim].try_emplace(value, static_cast<uint32_t>(vs.size()));
  if (inserted) vs.push_back(value);
  return it->second;
}

void AdditiveView(const RcaCase& c, std::vector<double>* real, std::vector<double>* expected) {
  real->resize(c.leaves.size());
  expected->resize(c.leaves.size());
  double num = 0, den = 0;
  for (const Leaf& l : c.leaves) {
    num += l.predict;
    den += l.predict_den;
  }
  const double overall = den > 0 ? num / den : 0;
  for (size_t i = 0; i < c.leaves.size(); ++i) {
    const Leaf& l = c.leaves[i];
    (*real)[i] = l.real;
    if (!c.ratio) {
      (*expected)[i] = l.predict;
    } else {
      (*expected)[i] = l.real_den * (l.predict_den > 0 ? l.predict / l.predict_den : overall);
    }
  }
}

}  // namespace cf::diagnosis
