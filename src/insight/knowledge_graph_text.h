// Text normalisation shared by the knowledge graph's matchers: a query or keyword in Chinese,
// English or both becomes lower-cased English word stems and Chinese character n-grams.
//
// Promises: pure functions of their input (thread-safe). Invalid UTF-8 bytes are treated as
// separators, never read past the end. English: runs of ASCII letters/digits, lower-cased, a light
// plural stem ("dresses" -> "dress", "berries" -> "berry", "chips" -> "chip"), a short stop-word
// list removed. Chinese (CJK code points): each run yields its characters (unigrams) and adjacent
// pairs (bigrams).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cf::kg {

struct TextTokens {
  std::vector<std::string> words;     // English stems, in order, stop words removed
  std::vector<std::string> unigrams;  // Chinese characters (UTF-8), in order
  std::vector<std::string> bigrams;   // Chinese character pairs, in order
};

TextTokens Tokenize(std::string_view text);

// The light English stem of one lower-case word.
std::string StemWord(std::string_view w);

// How much of `keyword` the query covers, in [0, 1]: the fraction of the keyword's English stems
// found among the query's, or of its Chinese bigrams (unigrams for a one-character keyword) found
// among the query's; words and n-grams count together for a mixed keyword.
double Coverage(const TextTokens& keyword, const TextTokens& query);

}  // namespace cf::kg
