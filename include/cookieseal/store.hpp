/// @file store.hpp
/// The overflow store (entry_store): where sessions too large for a cookie
/// live, sealed; the revocation list (revocation_list): where revocations of
/// stateless sessions are recorded; and store, which is both.
///
/// WARNING — what a store sees: only sealed entries (nonce ‖ XChaCha20-Poly1305
/// ciphertext under a fresh random key that exists only inside the cookie),
/// entry ids, expiry times, session ids and hashed subjects of revocations.
/// A stolen store directory or Redis dump reveals no session data, and an
/// entry opens only with the cookie that references it.
#pragma once

#include <cookieseal/clock.hpp>
#include <cookieseal/error.hpp>
#include <cookieseal/export.hpp>
#include <cookieseal/result.hpp>
#include <cookieseal/session.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cookieseal {

/// A store URL that is malformed or unsupported (the message says why, never the password).
class COOKIESEAL_API store_url_error : public config_error {
 public:
  using config_error::config_error;
};

/// 256 random bits naming one overflow entry.
using entry_id = std::array<std::byte, 32>;

/// Largest sealed entry a store accepts (1 MiB).
inline constexpr std::size_t max_entry_bytes = 1 << 20;

/// What a store holds, for `cookieseal store stats` and monitoring.
struct store_stats {
  std::uint64_t entries = 0;  ///< overflow entries (expired ones not yet collected included)
  std::uint64_t bytes = 0;    ///< their total size
  std::optional<time_point> oldest_expiry;  ///< the soonest expiry among them
  std::uint64_t revocations = 0;            ///< revocation records
};

/**
 * Hears the cause behind a store's errc::store_unavailable, as it happens:
 * "cannot connect to 127.0.0.1:6379: Connection refused", "No space left on
 * device", "the store directory was moved or replaced". Never given a password
 * or key material. Called on the thread that made the failing call.
 */
using diagnostic_function = std::function<void(std::string_view message)>;

namespace detail {
/// Passes @p message to @p f, if set. A diagnostic function that throws is
/// ignored: a logger must not turn an error into a crash. The one exception
/// passes on: a thread being cancelled (a language runtime ending a thread
/// inside the callback, as CPython does at exit) unwinds on through here.
COOKIESEAL_API void call_diagnostic(const diagnostic_function& f, std::string_view message);
}  // namespace detail

/**
 * @p where with any password (and user) of a Redis URL replaced by "***", for
 * messages and logs: `redis://:***@host:6379/0`. Anything else is returned as is.
 */
[[nodiscard]] COOKIESEAL_API std::string redact_store_url(std::string_view where);

/**
 * What every store has: a diagnostic function to hear why calls fail. A
 * virtual base, so a class that is both an entry_store and a revocation_list
 * has one.
 */
class COOKIESEAL_API diagnostic_source {
 public:
  /// Sets who hears why calls fail (see diagnostic_function); set it before
  /// the store is shared between threads.
  void set_diagnostic(diagnostic_function f) { diagnostic_ = std::move(f); }

 protected:
  diagnostic_source() = default;
  ~diagnostic_source() = default;
  diagnostic_source(const diagnostic_source&) = default;
  diagnostic_source& operator=(const diagnostic_source&) = default;

  /// Passes a failure's cause to the diagnostic function, if one is set.
  void report(std::string_view message) const noexcept {
    detail::call_diagnostic(diagnostic_, message);
  }

 private:
  diagnostic_function diagnostic_;
};

/**
 * Where sessions too large for a cookie live, sealed (codec_options::overflow_store).
 * Every function reports trouble as errc::store_unavailable (unreachable, I/O
 * error, full disk) rather than throwing; an error never leaves a partial
 * entry behind or damages an existing one. Implementations must be safe to
 * call from many threads at once.
 */
class COOKIESEAL_API entry_store : public virtual diagnostic_source {
 public:
  virtual ~entry_store() = default;

  /// Stores a sealed entry until @p expires (nullopt = no expiry); replaces any with that id.
  virtual result<void> put(const entry_id& id, std::span<const std::byte> sealed,
                           std::optional<time_point> expires) = 0;

  /// The sealed entry, or nullopt when it is absent or expired at @p now.
  virtual result<std::optional<std::vector<std::byte>>> get(const entry_id& id, time_point now) = 0;

  /// Removes an entry (absent is fine).
  virtual result<void> erase(const entry_id& id) = 0;

  /// Sets an entry's expiry to @p expires if that is sooner than it has (absent is fine).
  virtual result<void> expire_by(const entry_id& id, time_point expires) = 0;
};

/**
 * Revocations of stateless sessions, checked on every open
 * (codec_options::revocation_store). Errors as entry_store: errc::store_unavailable,
 * never a throw, and never "not revoked" when the answer is unknown.
 * Implementations must be safe to call from many threads at once.
 */
class COOKIESEAL_API revocation_list : public virtual diagnostic_source {
 public:
  virtual ~revocation_list() = default;

  /// Refuses session @p id (errc::revoked) until @p until (its expiry).
  virtual result<void> revoke_session(const session_id& id, time_point until) = 0;

  /**
   * "Log out everywhere": refuses every session of @p subject created before
   * @p before, until @p until (the longest those sessions could live).
   *
   * The record keeps the latest cut-off asked for, and its cut-off in force
   * only grows, and by at least one second on each call: sessions sealed
   * since the last call may carry that call's cut-off as their created_at
   * (fresh_created_at), and this call must refuse them too, however soon it
   * comes after (two calls in one second).
   */
  virtual result<void> revoke_subject(std::string_view subject, time_point before,
                                      time_point until) = 0;

  /// Whether a session is revoked at @p now: at most two lookups (id, subject).
  virtual result<bool> is_revoked(const session_id& id, std::string_view subject,
                                  time_point created_at, time_point now) = 0;

  /**
   * The created_at to seal a session with that was created (or logged in) at
   * @p created during this request: @p created when no revocation covers it;
   * the subject's cut-off in force when the latest revoke_subject came in the
   * second of @p created or later (whole seconds cannot order them: the
   * session counts as the later one); nullopt when it is revoked. The codec
   * calls it when it seals a fresh session. The default asks is_revoked at
   * @p created and one second later, which is exact only for backends that
   * do not move their cut-off on a second call in one second.
   */
  virtual result<std::optional<time_point>> fresh_created_at(const session_id& id,
                                                             std::string_view subject,
                                                             time_point created, time_point now);
};

/**
 * A store that is both (file_store, redis_store), with the maintenance the
 * CLI's `store gc` and `store stats` run. A backend that offers only entries
 * or only revocations implements just entry_store or revocation_list.
 */
class COOKIESEAL_API store : public entry_store, public revocation_list {
 public:
  /// Removes expired entries, expired revocations and stray temp files; returns how many.
  virtual result<std::uint64_t> collect_garbage(time_point now) = 0;

  /// Counts what the store holds.
  virtual result<store_stats> stats() = 0;
};

/**
 * The store named by @p where: a redis_store for `redis://…`, `unix://…`,
 * `redis+sentinel://…` and `redis+cluster://…` URLs (redis_options::url; with
 * @p io_timeout for connecting and each command), a file_store for
 * anything else (a directory, created if missing). Runtime configuration: a
 * bad one is a config_error, not a programmer error.
 * @throws store_url_error for a bad or unsupported URL (`rediss://`, or any
 *         Redis URL in a build without hiredis), config_error when the
 *         directory cannot be used (the message says why).
 */
[[nodiscard]] COOKIESEAL_API std::shared_ptr<store> open_store(
    std::string_view where, std::chrono::milliseconds io_timeout = std::chrono::milliseconds{500});

/// Whether @p where names a Redis store (redis://, rediss://, redis+sentinel://,
/// redis+cluster://, unix://) rather than a directory.
[[nodiscard]] COOKIESEAL_API bool is_redis_url(std::string_view where) noexcept;

}  // namespace cookieseal
