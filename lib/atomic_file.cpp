#include "detail/atomic_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <system_error>
#include <vector>

namespace cookieseal::detail {

namespace {

[[noreturn]] void throw_errno(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

// Closes a descriptor on scope exit unless released.
struct fd_guard {
  int fd;
  ~fd_guard() {
    if (fd >= 0) ::close(fd);
  }
};

void write_all(int fd, std::string_view data, const std::string& what) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno(what);
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace

file_lock::file_lock(const std::filesystem::path& lock_file) {
  fd_ = ::open(lock_file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) throw_errno("cannot open lock file " + lock_file.string());
  while (::flock(fd_, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    const int e = errno;
    ::close(fd_);
    throw std::system_error(e, std::generic_category(), "cannot lock " + lock_file.string());
  }
}

file_lock::~file_lock() { ::close(fd_); }  // closing releases the lock

std::optional<file_contents> read_file_bounded(const std::filesystem::path& file,
                                               std::size_t max_bytes) {
  // O_NONBLOCK: a FIFO or a device at the path must not hang the reader
  // (opening a FIFO without a writer blocks); regular files ignore the flag.
  fd_guard fd{::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK)};
  if (fd.fd < 0) {
    if (errno == ENOENT) return std::nullopt;
    throw_errno("cannot open " + file.string());
  }
  file_contents out{};
  if (::fstat(fd.fd, &out.st) != 0) throw_errno("cannot stat " + file.string());
  if (!S_ISREG(out.st.st_mode))
    throw std::system_error(EINVAL, std::generic_category(),
                            file.string() + " is not a regular file");
  if (static_cast<std::size_t>(out.st.st_size) > max_bytes)
    throw std::length_error(file.string() + " is larger than " + std::to_string(max_bytes) +
                            " bytes");
  out.data.resize(static_cast<std::size_t>(out.st.st_size));
  std::size_t got = 0;
  while (got < out.data.size()) {
    const ssize_t n = ::read(fd.fd, out.data.data() + got, out.data.size() - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("cannot read " + file.string());
    }
    if (n == 0) break;  // shrank while we read: take what is there
    got += static_cast<std::size_t>(n);
  }
  out.data.resize(got);
  return out;
}

void write_file_atomic(const std::filesystem::path& file, std::string_view data, mode_t mode) {
  const std::filesystem::path dir = file.has_parent_path() ? file.parent_path() : ".";
  std::string tmpl = (dir / (file.filename().string() + ".tmp.XXXXXX")).string();
  std::vector<char> name(tmpl.begin(), tmpl.end());
  name.push_back('\0');
  fd_guard fd{::mkostemp(name.data(), O_CLOEXEC)};
  if (fd.fd < 0) throw_errno("cannot create a temporary file in " + dir.string());
  const std::string tmp(name.data());
  try {
    if (::fchmod(fd.fd, mode) != 0) throw_errno("cannot chmod " + tmp);
    write_all(fd.fd, data, "cannot write " + tmp);
    if (::fsync(fd.fd) != 0) throw_errno("cannot fsync " + tmp);
    const int closing = fd.fd;
    fd.fd = -1;
    if (::close(closing) != 0) throw_errno("cannot close " + tmp);
    if (::rename(tmp.c_str(), file.c_str()) != 0)
      throw_errno("cannot rename over " + file.string());
  } catch (...) {
    ::unlink(tmp.c_str());
    throw;
  }
  // The rename is durable only once the directory entry is on disk.
  fd_guard dfd{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (dfd.fd < 0 || ::fsync(dfd.fd) != 0) throw_errno("cannot fsync directory " + dir.string());
}

}  // namespace cookieseal::detail
