#include "common/csv.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <system_error>

namespace cf {

namespace {

constexpr size_t kBufferSize = 1 << 20;

// Quotes a field's text for an error message, shortening very long text.
std::string Shown(std::string_view text) {
  constexpr size_t kMax = 60;
  if (text.size() <= kMax) return std::string(text);
  return std::string(text.substr(0, kMax)) + "...";
}

// Integers that R wrote in scientific notation ("9e+05", "4.0128e+10"): accepted when the value
// is an exact integer below 2^53. Returns false otherwise.
bool ParseScientificInteger(std::string_view f, double& out) {
  if (f.find_first_of("eE") == std::string_view::npos) return false;
  double v = 0;
  const auto [p, ec] = std::from_chars(f.data(), f.data() + f.size(), v);
  if (ec != std::errc() || p != f.data() + f.size() || !std::isfinite(v)) return false;
  if (v != std::floor(v) || std::fabs(v) >= 9007199254740992.0) return false;
  out = v;
  return true;
}

}  // namespace

CsvReader::CsvReader(const std::filesystem::path& path, std::string_view missing_hint)
    : file_name_(path.string()), buf_(new char[kBufferSize]) {
  errno = 0;
  file_ = std::fopen(file_name_.c_str(), "rb");
  if (file_ == nullptr) {
    const int err = errno;
    std::string msg = fmt::format("cannot open {}: {}", file_name_,
                                  err != 0 ? std::strerror(err) : "unknown error");
    if (std::error_code ec; std::filesystem::is_directory(path, ec)) msg += " (it is a directory)";
    if (!missing_hint.empty()) msg += fmt::format("; {}", missing_hint);
    throw CsvError(msg);
  }
  if (!ReadRecord()) {
    std::fclose(file_);
    file_ = nullptr;
    throw CsvError(fmt::format("{}:1: empty file, expected a header line", file_name_));
  }
  header_.reserve(offsets_.size() - 1);
  for (size_t i = 0; i + 1 < offsets_.size(); ++i) {
    std::string name(Field(static_cast<int>(i)));
    if (i == 0 && name.rfind("\xEF\xBB\xBF", 0) == 0) name.erase(0, 3);  // UTF-8 BOM
    header_.push_back(std::move(name));
  }
  records_ = 0;
}

CsvReader::~CsvReader() {
  if (file_ != nullptr) std::fclose(file_);
}

bool CsvReader::Refill() {
  if (eof_) return false;
  pos_ = 0;
  end_ = std::fread(buf_.get(), 1, kBufferSize, file_);
  if (end_ == 0) {
    if (std::ferror(file_)) {
      throw CsvError(
          fmt::format("{}:{}: read error: {}", file_name_, next_line_, std::strerror(errno)));
    }
    eof_ = true;
    return false;
  }
  return true;
}

bool CsvReader::ReadRecord() {
  for (;;) {  // loops only to skip blank lines
    text_.clear();
    offsets_.clear();
    offsets_.push_back(0);
    line_ = next_line_;
    bool any = false;  // any character consumed for this record (including the line end)
    bool blank = true;
    for (;;) {
      // One field per iteration.
      if (pos_ == end_ && !Refill()) {
        // End of file at the start of a field.
        if (!any) return false;
        offsets_.push_back(static_cast<uint32_t>(text_.size()));
        return true;
      }
      any = true;
      char c = buf_[pos_];
      if (c == '"') {
        blank = false;
        ++pos_;
        const uint64_t quote_line = next_line_;
        // Quoted field: runs until a quote that is not doubled.
        for (;;) {
          if (pos_ == end_ && !Refill()) {
            throw CsvError(fmt::format("{}:{}: unterminated quoted field (opened on line {})",
                                       file_name_, line_, quote_line));
          }
          const char* start = buf_.get() + pos_;
          const char* stop = static_cast<const char*>(std::memchr(start, '"', end_ - pos_));
          const size_t n = stop ? static_cast<size_t>(stop - start) : end_ - pos_;
          for (size_t i = 0; i < n; ++i) next_line_ += start[i] == '\n';
          text_.append(start, n);
          pos_ += n;
          if (stop == nullptr) continue;
          ++pos_;  // the quote
          if (pos_ == end_ && !Refill()) break;
          if (buf_[pos_] == '"') {
            text_.push_back('"');
            ++pos_;
            continue;
          }
          break;
        }
        // After the closing quote: a separator, a line end or the end of the file.
        if (pos_ == end_ && !Refill()) {
          offsets_.push_back(static_cast<uint32_t>(text_.size()));
          return true;
        }
        c = buf_[pos_];
        if (c != ',' && c != '\n' && c != '\r') {
          throw CsvError(fmt::format("{}:{}: unexpected character '{}' after a closing quote",
                                     file_name_, next_line_, c));
        }
      } else {
        // Unquoted field: runs to a comma or a line end.
        for (;;) {
          const char* p = buf_.get() + pos_;
          const char* e = buf_.get() + end_;
          const char* q = p;
          while (q != e && *q != ',' && *q != '\n' && *q != '\r') ++q;
          text_.append(p, static_cast<size_t>(q - p));
          if (q != p) blank = false;
          pos_ += static_cast<size_t>(q - p);
          if (q != e) break;
          if (!Refill()) {
            offsets_.push_back(static_cast<uint32_t>(text_.size()));
            if (blank && offsets_.size() == 2) return false;  // trailing blank
            return true;
          }
        }
        c = buf_[pos_];
      }
      // Here c is ',', '\n' or '\r' at pos_.
      offsets_.push_back(static_cast<uint32_t>(text_.size()));
      ++pos_;
      if (c == ',') {
        blank = false;
        continue;
      }
      if (c == '\r') {
        if (pos_ == end_) Refill();
        if (pos_ < end_ && buf_[pos_] == '\n') ++pos_;
      }
      ++next_line_;
      break;
    }
    if (blank && offsets_.size() == 2) continue;  // an empty line
    return true;
  }
}

bool CsvReader::Next() {
  if (file_ == nullptr) return false;
  if (!ReadRecord()) return false;
  const size_t n = offsets_.size() - 1;
  if (n != header_.size()) {
    FailRecord(fmt::format("expected {} fields as in the header, found {}", header_.size(), n));
  }
  ++records_;
  return true;
}

int CsvReader::FindColumn(std::string_view name) const {
  for (size_t i = 0; i < header_.size(); ++i) {
    if (header_[i] == name) return static_cast<int>(i);
  }
  return -1;
}

int CsvReader::Column(std::string_view name) const {
  const int col = FindColumn(name);
  if (col >= 0) return col;
  throw CsvError(fmt::format("{}: no column '{}'; columns found: {}", file_name_, name,
                             fmt::join(header_, ", ")));
}

void CsvReader::CheckCol(int col) const {
  if (col < 0 || static_cast<size_t>(col) + 1 >= offsets_.size()) {
    throw std::out_of_range(fmt::format("{}: column index {} out of range", file_name_, col));
  }
}

std::string_view CsvReader::Field(int col) const {
  CheckCol(col);
  return std::string_view(text_).substr(offsets_[col], offsets_[col + 1] - offsets_[col]);
}

bool CsvReader::IsMissing(int col) const {
  const std::string_view f = Field(col);
  return f.empty() || f == "NA";
}

void CsvReader::Fail(int col, std::string_view problem) const {
  const std::string name = col >= 0 && static_cast<size_t>(col) < header_.size()
                               ? header_[col]
                               : fmt::format("#{}", col);
  throw CsvError(fmt::format("{}:{}: column '{}': {}", file_name_, line_, name, problem));
}

void CsvReader::FailRecord(std::string_view problem) const {
  throw CsvError(fmt::format("{}:{}: {}", file_name_, line_, problem));
}

void CsvReader::FailParse(int col, const char* what) const {
  if (IsMissing(col)) Fail(col, "missing value");
  Fail(col, fmt::format("cannot parse '{}' as {}", Shown(Field(col)), what));
}

std::optional<int64_t> CsvReader::GetOptInt(int col) const {
  if (IsMissing(col)) return std::nullopt;
  return GetInt(col);
}

int64_t CsvReader::GetInt(int col) const {
  const std::string_view f = Field(col);
  int64_t v = 0;
  const auto [p, ec] = std::from_chars(f.data(), f.data() + f.size(), v);
  if (ec == std::errc() && p == f.data() + f.size() && !f.empty()) return v;
  double d = 0;
  if (!ParseScientificInteger(f, d)) FailParse(col, "an integer");
  return static_cast<int64_t>(d);
}

uint64_t CsvReader::GetUInt(int col) const {
  const std::string_view f = Field(col);
  uint64_t v = 0;
  const auto [p, ec] = std::from_chars(f.data(), f.data() + f.size(), v);
  if (ec == std::errc() && p == f.data() + f.size() && !f.empty()) return v;
  double d = 0;
  if (!ParseScientificInteger(f, d) || d < 0) FailParse(col, "a non-negative integer");
  return static_cast<uint64_t>(d);
}

std::optional<double> CsvReader::GetOptDouble(int col) const {
  if (IsMissing(col)) return std::nullopt;
  return GetDouble(col);
}

double CsvReader::GetDouble(int col) const {
  const std::string_view f = Field(col);
  double v = 0;
  const auto [p, ec] = std::from_chars(f.data(), f.data() + f.size(), v);
  if (ec != std::errc() || p != f.data() + f.size() || f.empty() || !std::isfinite(v)) {
    FailParse(col, "a number");
  }
  return v;
}

std::string CsvReader::GetString(int col) const {
  if (IsMissing(col)) Fail(col, "missing value");
  return std::string(Field(col));
}

std::optional<std::string> CsvReader::GetOptString(int col) const {
  if (IsMissing(col)) return std::nullopt;
  return std::string(Field(col));
}

}  // namespace cf
