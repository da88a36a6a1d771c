/// @file redis_store.hpp
/// The shared overflow store: one Redis for many servers.
#pragma once

#include <cookieseal/export.hpp>
#include <cookieseal/store.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace cookieseal {

/// How to reach Redis.
struct redis_options {
  /// `redis://[[user]:password@]host[:port][/db]` or `unix:///path/to/socket[?db=N]`.
  /// `rediss://` (TLS) is refused: this build's hiredis has no TLS.
  std::string url = "redis://127.0.0.1:6379";
  std::string prefix = "cookieseal:";              ///< prepended to every key
  std::chrono::milliseconds connect_timeout{500};  ///< per connection attempt
  std::chrono::milliseconds io_timeout{500};       ///< per command
  /// Connections pooled for reuse across threads. Keep it at least the number
  /// of threads that call at once (a server's pool): each call past it opens a
  /// connection and closes it again (a TCP handshake per call, and the ports
  /// left in TIME_WAIT).
  std::size_t max_idle_connections = 64;
};

/**
 * Overflow entries and revocations in Redis (hiredis). Keys: `<prefix>e:<hex
 * id>` entries, `<prefix>r:<hex session id>` and `<prefix>u:<subject>`
 * revocations. Every key gets a Redis expiry, so Redis removes them itself;
 * the expiry stored with each value is also checked on read.
 *
 * Thread-safe: each call borrows a connection from a small pool (a connection
 * is never shared by two threads at once). A failed connection is dropped and
 * the next call connects again, so the store recovers from a Redis restart by
 * itself. While Redis is unreachable every call returns errc::store_unavailable
 * after at most the timeouts; nothing crashes and no empty session is invented.
 */
class COOKIESEAL_API redis_store final : public store {
 public:
  /// @throws store_url_error on a bad or unsupported URL (the message says why).
  /// Does not connect yet: a Redis that is down at start-up is not an error.
  explicit redis_store(redis_options options);
  ~redis_store() override;
  redis_store(const redis_store&) = delete;
  redis_store& operator=(const redis_store&) = delete;

  result<void> put(const entry_id& id, std::span<const std::byte> sealed,
                   std::optional<time_point> expires) override;
  result<std::optional<std::vector<std::byte>>> get(const entry_id& id, time_point now) override;
  result<void> erase(const entry_id& id) override;
  result<void> expire_by(const entry_id& id, time_point expires) override;
  /// Redis expires keys itself: nothing to collect; returns 0.
  result<std::uint64_t> collect_garbage(time_point now) override;
  result<store_stats> stats() override;
  result<void> revoke_session(const session_id& id, time_point until) override;
  result<void> revoke_subject(std::string_view subject, time_point before,
                              time_point until) override;
  result<bool> is_revoked(const session_id& id, std::string_view subject, time_point created_at,
                          time_point now) override;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace cookieseal
