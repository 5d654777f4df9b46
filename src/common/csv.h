// A streaming CSV reader (RFC 4180) with a named header and typed getters.
//
// Promises: reads one record at a time through a fixed-size buffer (memory does not grow with the
// file); fields may be quoted, with "" as an escaped quote and line breaks allowed inside quotes;
// CRLF and LF line ends are both accepted. The first record is the header; columns are looked up
// by name. A field that is empty or `NA` (quoted or not) is "missing". Every error is a CsvError
// whose message starts with "<file>:<line>:" (line of the record's first physical line, 1-based,
// the header being line 1) and, for field errors, names the column and quotes the offending text.
// Not thread-safe; one reader per thread.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace cf {

class CsvError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class CsvReader {
 public:
  // Opens `path` and reads its header. A file that cannot be opened throws
  // "cannot open <path>: <strerror>" followed by "; <missing_hint>" when a hint is given. An empty
  // file (no header) throws too.
  explicit CsvReader(const std::filesystem::path& path, std::string_view missing_hint = {});
  ~CsvReader();
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  // Index of the column called `name`; throws CsvError naming the file and the columns found.
  int Column(std::string_view name) const;
  // Index of the column or -1 when absent.
  int FindColumn(std::string_view name) const;
  const std::vector<std::string>& header() const { return header_; }

  // Advances to the next record; false at the end of the file. Blank lines are skipped. A record
  // whose field count differs from the header's throws.
  bool Next();

  // Line number (1-based) where the current record starts.
  uint64_t line() const { return line_; }
  // Number of records returned by Next() so far.
  uint64_t records() const { return records_; }
  const std::string& file_name() const { return file_name_; }

  // Raw field text with quotes removed ("" unescaped).
  std::string_view Field(int col) const;
  bool IsMissing(int col) const;

  // Typed getters. Missing → throws "... column '<name>': missing value" (the Opt variants return
  // nullopt instead); unparsable → "... column '<name>': cannot parse '<text>' as a number"
  // (or "as an integer"). Leading/trailing spaces are not allowed in numbers. Integer getters also
  // accept scientific notation when the value is an exact integer below 2^53, because R's
  // write.csv writes 900000 as "9e+05" (the Complete Journey CSVs contain such ids).
  int64_t GetInt(int col) const;
  uint64_t GetUInt(int col) const;
  double GetDouble(int col) const;
  std::optional<int64_t> GetOptInt(int col) const;
  std::optional<double> GetOptDouble(int col) const;
  std::string GetString(int col) const;  // missing → throws
  std::optional<std::string> GetOptString(int col) const;

  // Throws "<file>:<line>: column '<name>': <problem>", for checks the caller makes.
  [[noreturn]] void Fail(int col, std::string_view problem) const;
  // Throws "<file>:<line>: <problem>".
  [[noreturn]] void FailRecord(std::string_view problem) const;

 private:
  bool ReadRecord();  // fills fields_; false at EOF with nothing read
  bool Refill();
  void CheckCol(int col) const;
  [[noreturn]] void FailParse(int col, const char* what) const;

  std::FILE* file_ = nullptr;
  std::string file_name_;  // the path as given, for messages
  std::unique_ptr<char[]> buf_;
  size_t pos_ = 0, end_ = 0;
  bool eof_ = false;

  uint64_t next_line_ = 1;  // physical line number of the next unread character
  uint64_t line_ = 0;
  uint64_t records_ = 0;

  std::string text_;               // current record's unquoted field contents, back to back
  std::vector<uint32_t> offsets_;  // field i is text_[offsets_[i], offsets_[i+1])
  std::vector<std::string> header_;
};

}  // namespace cf
