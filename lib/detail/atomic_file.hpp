// Files that are replaced whole or not at all: bounded reads, atomic writes
// (temp file in the same directory, fsync, rename, fsync of the directory),
// and an exclusive lock on a separate lock file.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace cookieseal::detail {

/// An exclusive flock() on a lock file, held for this object's lifetime.
class file_lock {
 public:
  /// Creates @p lock_file (0600) if needed and blocks until the lock is ours.
  /// @throws std::system_error
  explicit file_lock(const std::filesystem::path& lock_file);
  ~file_lock();
  file_lock(const file_lock&) = delete;
  file_lock& operator=(const file_lock&) = delete;

 private:
  int fd_;
};

/// A file's contents and the stat of the opened file (after symlinks).
struct file_contents {
  std::string data;
  struct stat st;
};

/**
 * Reads @p file whole. nullopt when it does not exist; throws std::system_error
 * on other errors (also for anything but a regular file: a FIFO or a device
 * never blocks the reader), and std::length_error when it is larger than
 * @p max_bytes (checked before reading).
 */
std::optional<file_contents> read_file_bounded(const std::filesystem::path& file,
                                               std::size_t max_bytes);

/**
 * Replaces @p file with @p data atomically, with permissions @p mode. On any
 * failure the old file is untouched and the temp file removed.
 * @throws std::system_error naming the step that failed
 */
void write_file_atomic(const std::filesystem::path& file, std::string_view data, mode_t mode);

}  // namespace cookieseal::detail
