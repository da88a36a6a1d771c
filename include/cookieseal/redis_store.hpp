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
  /**
   * One of:
   * - `redis://[[user]:password@]host[:port][/db]`, `unix:///path/to/socket[?db=N]`: one server;
   * - `redis+sentinel://[[user]:password@]host:port[,host:port...]/MASTER[/db][?wait=N]`:
   *   the primary the sentinels name for MASTER, asked again after a failover
   *   (the credentials are the data nodes'; sentinels are asked without AUTH);
   * - `redis+cluster://[[user]:password@]host:port[,host:port...][?wait=N]`: a Redis Cluster,
   *   the hosts are seeds for its slot map.
   *
   * Sentinel and Cluster confirm every overflow entry and revocation with
   * WAIT: it counts as written (else errc::store_unavailable) only once every
   * replica that could be promoted has it (those the sentinels or the slot map
   * list as up, and those the primary reports connected). `wait=N` asks for N
   * replicas instead, `wait=0` for none (docs/SECURITY.md, "What a write survives").
   * `rediss://` (TLS) is refused: this build's hiredis has no TLS.
   */
  std::string url = "redis://127.0.0.1:6379";
  std::string prefix = "cookieseal:";              ///< prepended to every key
  std::chrono::milliseconds connect_timeout{500};  ///< per connection attempt
  std::chrono::milliseconds io_timeout{500};       ///< per command
  /// Connections pooled for reuse across threads, per node. Keep it at least the number
  /// of threads that call at once (a server's pool): each call past it opens a
  /// connection and closes it again (a TCP handshake per call, and the ports
  /// left in TIME_WAIT).
  std::size_t max_idle_connections = 64;
};

/**
 * Overflow entries and revocations in Redis (hiredis). Keys (docs/FORMAT.md
 * 3.5): `<prefix>e:<hex entry id>` entries, `<prefix>r:<hex session id>`
 * session revocations, `<prefix>k:<keyed hash of the subject>` subject
 * revocations and `<prefix>subject-key`, the random key of those hashes. No
 * command names two keys, so each runs in one cluster slot; a revocation
 * check pipelines its two GETs: one round trip per node it touches (one on a
 * single server or Sentinel, at most two on a cluster). Every key gets a
 * Redis expiry, so Redis removes them itself; the expiry stored with each
 * value is also checked on read.
 *
 * Thread-safe: each call borrows a connection from a small pool per node (a
 * connection is never shared by two threads at once). A connection that saw
 * any error (a failure, a timeout, an error reply) is closed, never pooled,
 * and the next call connects again, so the store recovers from a Redis
 * restart or failover by itself. While Redis is unreachable, and whenever it
 * answers in a shape this store never writes, every call returns
 * errc::store_unavailable after at most the timeouts: never "absent" or "not
 * revoked", nothing crashes and no empty session is invented.
 */
class COOKIESEAL_API redis_store final : public store {
 public:
  /// @throws store_url_error on a bad or unsupported URL (the message says why), or a
  /// cluster URL with a prefix holding '{' (a hash tag: every key in one slot).
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
  /// Counts over every primary (all of a cluster's); a SCAN that never ends is store_unavailable.
  result<store_stats> stats() override;
  result<void> revoke_session(const session_id& id, time_point until) override;
  result<void> revoke_subject(std::string_view subject, time_point before,
                              time_point until) override;
  result<bool> is_revoked(const session_id& id, std::string_view subject, time_point created_at,
                          time_point now) override;
  result<std::optional<time_point>> fresh_created_at(const session_id& id, std::string_view subject,
                                                     time_point created, time_point now) override;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace cookieseal
