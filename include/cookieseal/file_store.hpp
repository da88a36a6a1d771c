/// @file file_store.hpp
/// The embedded overflow store: one directory on the local filesystem.
#pragma once

#include <cookieseal/export.hpp>
#include <cookieseal/store.hpp>

#include <array>
#include <filesystem>
#include <mutex>
#include <string>

namespace cookieseal {

/**
 * Overflow entries and revocations as files in one directory (mode 0700):
 * `e/<2 hex>/<64 hex>` entries (mode 0600, sharded by the id's first byte),
 * `r/s/<32 hex>` revoked sessions, `r/k/<64 hex>` revoked subjects (BLAKE2b
 * keyed with the store's random secret `.subject-key`: the store never holds
 * a subject in clear, and a dictionary of user ids cannot be hashed ahead).
 *
 * The directory is marked as a store by a file `.cookieseal-store` holding a
 * random store id, written when the store is created. Every call first checks
 * that the directory at the path is still that store: a store directory that
 * was moved away, deleted, replaced by another (an empty new directory at the
 * path) or made unreadable gives errc::store_unavailable, never "no entry" or
 * "not revoked". A copy restored from backup (same store id) is accepted.
 *
 * Every write is atomic (temp file in the same directory, fsync, rename), so a
 * full disk, a crash or a read-only directory leaves no partial entry and
 * damages no existing one; readers never lock. Safe for many threads and many
 * processes sharing the directory. File names derive only from fixed-size ids
 * (hex), so no input can reach outside the directory.
 */
class COOKIESEAL_API file_store final : public store {
 public:
  /**
   * Uses @p dir, creating it (mode 0700) and its store id if it is missing or
   * empty. @throws config_error when it cannot be created or read, or is a
   * non-empty directory that is not a store.
   */
  explicit file_store(std::filesystem::path dir);
  ~file_store() override;
  file_store(const file_store&) = delete;
  file_store& operator=(const file_store&) = delete;

  result<void> put(const entry_id& id, std::span<const std::byte> sealed,
                   std::optional<time_point> expires) override;
  result<std::optional<std::vector<std::byte>>> get(const entry_id& id, time_point now) override;
  result<void> erase(const entry_id& id) override;
  result<void> expire_by(const entry_id& id, time_point expires) override;
  result<std::uint64_t> collect_garbage(time_point now) override;
  result<store_stats> stats() override;
  result<void> revoke_session(const session_id& id, time_point until) override;
  result<void> revoke_subject(std::string_view subject, time_point before,
                              time_point until) override;
  result<bool> is_revoked(const session_id& id, std::string_view subject, time_point created_at,
                          time_point now) override;
  result<std::optional<time_point>> fresh_created_at(const session_id& id, std::string_view subject,
                                                     time_point created, time_point now) override;

  [[nodiscard]] const std::filesystem::path& directory() const noexcept { return dir_; }

 private:
  // The directory at dir_ is still this store (see the class comment).
  result<void> check_identity();

  std::filesystem::path entry_path(const entry_id& id) const;
  std::filesystem::path session_path(const session_id& id) const;
  std::filesystem::path subject_path(std::string_view subject) const;

  std::filesystem::path dir_;
  std::string store_id_;                            // the contents of .cookieseal-store
  std::array<unsigned char, 32> subject_secret_{};  // .subject-key
  std::mutex identity_mutex_;
  unsigned long long dev_ = 0, ino_ = 0;  // the directory last verified as this store
};

}  // namespace cookieseal
