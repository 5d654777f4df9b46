#include "common/atomic_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <system_error>

namespace cf {

void WriteFileAtomic(const std::filesystem::path& path, std::string_view contents) {
  namespace fs = std::filesystem;
  auto fail = [&](std::string_view what, int err) -> std::runtime_error {
    return std::runtime_error(fmt::format("cannot write '{}': {}: {}", path.string(), what,
                                          std::generic_category().message(err)));
  };
  if (!path.has_filename()) {
    throw std::runtime_error(fmt::format("cannot write '{}': not a file path", path.string()));
  }
  static std::atomic<uint64_t> counter{0};
  const fs::path tmp =
      path.parent_path() / fmt::format(".{}.tmp-{}-{}", path.filename().string(),
                                       static_cast<long>(::getpid()), counter.fetch_add(1));
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) throw fail(fmt::format("cannot create temporary file '{}'", tmp.string()), errno);

  auto abandon = [&](std::string_view what, int err) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw fail(what, err);
  };
  const char* data = contents.data();
  size_t left = contents.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, data, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      abandon(fmt::format("writing '{}' failed", tmp.string()), errno);
    }
    data += n;
    left -= static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) abandon(fmt::format("fsync of '{}' failed", tmp.string()), errno);
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    throw fail(fmt::format("closing '{}' failed", tmp.string()), err);
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    ::unlink(tmp.c_str());
    throw std::runtime_error(fmt::format("cannot write '{}': renaming '{}' failed: {}",
                                         path.string(), tmp.string(), ec.message()));
  }
  // Make the rename itself durable; failure here does not undo a completed write.
  const fs::path dir = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    (void)::fsync(dfd);
    ::close(dfd);
  }
}

}  // namespace cf
