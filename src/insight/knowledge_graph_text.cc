#include "insight/knowledge_graph_text.h"

#include <algorithm>
#include <array>

namespace cf::kg {

namespace {

constexpr std::array<std::string_view, 40> kStopWords = {
    "a",    "an",   "the",  "for",   "to",    "of",   "and",   "or",   "with", "in",
    "on",   "at",   "my",   "i",     "me",    "what", "which", "how",  "buy",  "want",
    "good", "best", "some", "thing", "stuff", "is",   "are",   "be",   "do",   "should",
    "get",  "from", "by",   "our",   "we",    "you",  "your",  "need", "can",  "it"};

bool IsStop(std::string_view w) {
  return std::find(kStopWords.begin(), kStopWords.end(), w) != kStopWords.end();
}

// Decodes one UTF-8 code point at s[i]; returns its length (0 for an invalid sequence).
size_t Decode(std::string_view s, size_t i, char32_t* cp) {
  const auto b = static_cast<unsigned char>(s[i]);
  size_t n = 0;
  char32_t c = 0;
  if (b < 0x80) {
    *cp = b;
    return 1;
  } else if ((b & 0xE0) == 0xC0) {
    n = 2;
    c = b & 0x1F;
  } else if ((b & 0xF0) == 0xE0) {
    n = 3;
    c = b & 0x0F;
  } else if ((b & 0xF8) == 0xF0) {
    n = 4;
    c = b & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    const auto cb = static_cast<unsigned char>(s[i + k]);
    if ((cb & 0xC0) != 0x80) return 0;
    c = (c << 6) | (cb & 0x3F);
  }
  *cp = c;
  return n;
}

bool IsCjk(char32_t c) {
  return (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x2FA1F);
}

bool Has(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

}  // namespace

std::string StemWord(std::string_view w) {
  std::string s(w);
  if (s.size() > 4 && s.ends_with("ies")) return s.substr(0, s.size() - 3) + "y";
  if (s.size() > 4 &&
      (s.ends_with("sses") || s.ends_with("shes") || s.ends_with("ches") || s.ends_with("xes"))) {
    return s.substr(0, s.size() - 2);
  }
  if (s.size() > 3 && s.back() == 's' && !s.ends_with("ss") && !s.ends_with("us")) {
    return s.substr(0, s.size() - 1);
  }
  return s;
}

TextTokens Tokenize(std::string_view text) {
  TextTokens t;
  std::string word;
  std::vector<std::string> run;  // current CJK run
  auto flush_word = [&] {
    if (!word.empty()) {
      std::string st = StemWord(word);
      if (!IsStop(st) && !IsStop(word)) t.words.push_back(std::move(st));
      word.clear();
    }
  };
  auto flush_run = [&] {
    for (size_t k = 0; k < run.size(); ++k) {
      t.unigrams.push_back(run[k]);
      if (k + 1 < run.size()) t.bigrams.push_back(run[k] + run[k + 1]);
    }
    run.clear();
  };
  for (size_t i = 0; i < text.size();) {
    char32_t cp = 0;
    const size_t n = Decode(text, i, &cp);
    if (n == 0) {
      flush_word();
      flush_run();
      ++i;
      continue;
    }
    if (cp < 0x80 &&
        ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9'))) {
      flush_run();
      word += static_cast<char>(cp >= 'A' && cp <= 'Z' ? cp - 'A' + 'a' : cp);
    } else if (IsCjk(cp)) {
      flush_word();
      run.emplace_back(text.substr(i, n));
    } else {
      flush_word();
      flush_run();
    }
    i += n;
  }
  flush_word();
  flush_run();
  return t;
}

double Coverage(const TextTokens& kw, const TextTokens& q) {
  size_t total = 0, hit = 0;
  for (const auto& w : kw.words) {
    ++total;
    hit += Has(q.words, w);
  }
  if (kw.unigrams.size() == 1) {
    ++total;
    hit += Has(q.unigrams, kw.unigrams[0]);
  } else {
    for (const auto& b : kw.bigrams) {
      ++total;
      hit += Has(q.bigrams, b);
    }
  }
  return total == 0 ? 0.0 : static_cast<double>(hit) / static_cast<double>(total);
}

}  // namespace cf::kg
