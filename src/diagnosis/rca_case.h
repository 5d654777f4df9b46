// One root-cause localisation case: a table of leaves (one per combination of dimension values)
// with an actual and a forecast KPI, plus the labelled root cause when known.
//
// Promises: a leaf holds one interned value id per dimension (ids index `values[dim]`). Additive
// KPIs (counts, spend, GMV) use only `real` and `predict`. Derived ratio KPIs (failure ratio,
// CTR, CVR, ROI) keep numerator and denominator apart: `real`/`predict` are the numerator and
// `real_den`/`predict_den` the denominator, so a search can tell a ratio change from a volume
// change. An element (attribute combination) is a sorted list of (dimension name, value) pairs;
// its canonical text is `a=a1&b=b2`, which is what exact-match scoring compares. Plain values,
// no hidden state; safe to share read-only across threads.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace cf::diagnosis {

// One attribute combination, e.g. {bitrate=2000, p2p=1}. Pairs are kept sorted by dimension name.
struct Element {
  std::vector<std::pair<std::string, std::string>> items;

  // Sorts the pairs by dimension name (then value) so equal sets compare equal.
  void Normalise();
  // `a=a1&b=b2` of the sorted pairs.
  std::string Canonical() const;
  bool operator==(const Element& o) const { return items == o.items; }
  bool operator<(const Element& o) const { return items < o.items; }
};

// Parses `a=a1&b=b2` (one element); throws std::invalid_argument naming the text when malformed.
Element ParseElement(const std::string& text);
// Parses `a=a1&b=b2;a=a3` (a set of elements).
std::vector<Element> ParseElementSet(const std::string& text);
// `a=a1&b=b2;a=a3` of the elements in the given order.
std::string FormatElementSet(const std::vector<Element>& set);

struct Leaf {
  std::vector<uint32_t> attrs;  // value id per dimension
  double real = 0;              // actual numerator (or the additive KPI)
  double predict = 0;           // forecast numerator
  double real_den = 0;          // ratio KPIs: actual denominator
  double predict_den = 0;       // ratio KPIs: forecast denominator
};

struct RcaCase {
  std::string name;                              // file or case id, for messages and reports
  bool ratio = false;                            // KPI = numerator / denominator
  std::vector<std::string> dims;                 // dimension names
  std::vector<std::vector<std::string>> values;  // values[dim][id]
  std::vector<Leaf> leaves;
  std::vector<Element> truth;  // labelled root cause (empty when unknown)

  // Interns `value` in dimension `dim` (growing `values` as needed), returning its id.
  uint32_t Intern(size_t dim, const std::string& value);

 private:
  std::vector<std::unordered_map<std::string, uint32_t>> index_;  // value -> id, per dimension
};

// The additive view every search works on. Additive KPIs: real and predict as they are. Ratio
// KPIs: the actual numerator against the numerator expected at the actual volume, i.e.
// real_den * predict / predict_den (a leaf without forecast volume uses the case's overall
// forecast ratio), so a change in volume alone is not a deviation and a change in the ratio is.
void AdditiveView(const RcaCase& c, std::vector<double>* real, std::vector<double>* expected);

}  // namespace cf::diagnosis
