// Whole-file writes that are all or nothing: WriteFileAtomic puts `contents` in a temporary file
// beside `path`, fsyncs it, renames it over `path` and fsyncs the directory. Readers (and a crash
// at any point) see either the old file or the new one, never a truncated mix.
//
// Promises: on any failure it throws std::runtime_error whose message names `path`, what failed
// and the system's reason; the temporary file is removed and an existing `path` is left as it was.
// Safe to call from several threads (temporary names are unique per process and call).
#pragma once

#include <filesystem>
#include <string_view>

namespace cf {

void WriteFileAtomic(const std::filesystem::path& path, std::string_view contents);

}  // namespace cf
