// One Redis process and its idle connections (hiredis 0.14, blocking I/O
// with timeouts). Below the topology: it knows nothing of Sentinel or slots.
#pragma once

#include <cookieseal/result.hpp>

#include "detail/redis_url.hpp"

#include <hiredis/hiredis.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cookieseal::detail {

struct redis_reply_free {
  void operator()(redisReply* r) const noexcept { freeReplyObject(r); }
};
using redis_reply = std::unique_ptr<redisReply, redis_reply_free>;

/// One command's words (binary-safe).
using redis_args = std::vector<std::string>;

/// Hears the cause of a failure (already escaped; never a password).
using redis_reporter = std::function<void(std::string_view)>;

/**
 * @p text from Redis or hiredis, safe to print: bytes outside printable
 * ASCII (newlines, escape codes) as \xNN, cut at @p max bytes.
 */
[[nodiscard]] std::string escape_redis_text(std::string_view text, std::size_t max = 200);

/// The text of an error reply, escaped.
[[nodiscard]] std::string error_text(const redisReply& r);

/// Whether @p r is an error reply whose first word is @p code ("MOVED", "READONLY").
[[nodiscard]] bool is_error(const redisReply& r, std::string_view code);

/// How to talk to one process.
struct redis_link {
  std::chrono::milliseconds connect_timeout{500};
  std::chrono::milliseconds io_timeout{500};
  std::size_t max_idle = 8;
  std::string user, password;  ///< AUTH when the password is set
  int db = 0;                  ///< SELECT when not 0
};

/**
 * A Redis process and a pool of idle connections to it. Thread-safe. A
 * connection that saw any failure or error reply is closed, never pooled:
 * after a failover, no connection keeps talking to a demoted node.
 *
 * A node that timed out is stalled (paused, overloaded, cut off) until a call
 * gets an answer from it again: meanwhile one call at a time waits on it and
 * the others fail at once, so a stall holds one thread per timeout rather
 * than every thread of the server (an event loop's small pool above all).
 */
class redis_node {
 public:
  redis_node(redis_endpoint where, redis_link link, redis_reporter report);

  [[nodiscard]] const redis_endpoint& endpoint() const { return where_; }

  /**
   * Sends @p commands on one connection, pipelined: one round trip. Returns
   * one reply per command (error replies included), or store_unavailable when
   * the connection failed or timed out (reported). A stale pooled connection
   * (the server restarted) is retried once on a fresh one.
   */
  result<std::vector<redis_reply>> pipeline(std::span<const redis_args> commands);

  /// What to send after a pipeline's replies, on the same connection (nullopt: nothing).
  using follow_up = std::function<std::optional<redis_args>(const std::vector<redis_reply>&)>;

  /// pipeline() of commands held elsewhere (never copied: an entry may be 1 MiB), then @p
  /// then's command on the same connection (a second round trip), its reply appended: for
  /// WAIT, which counts the replicas that have this connection's writes.
  result<std::vector<redis_reply>> pipeline(std::span<const redis_args* const> commands,
                                            const follow_up& then);

  /// One command; an error reply is store_unavailable (reported, escaped).
  result<redis_reply> command(const redis_args& args);

 private:
  struct context_free {
    void operator()(redisContext* c) const noexcept { redisFree(c); }
  };
  using connection = std::unique_ptr<redisContext, context_free>;

  connection connect();
  std::string why(const redisContext* c) const;
  /// Records a failure on @p c (a timeout marks the node stalled) and reports it.
  void failed(const redisContext* c, std::string_view context = {});

  redis_endpoint where_;
  redis_link link_;
  redis_reporter report_;
  std::mutex mutex_;
  std::vector<connection> idle_;
  // Until when (steady clock, ms) the node counts as stalled: a timeout's
  // time plus the I/O timeout, so an idle server forgets a stall by itself.
  std::atomic<std::int64_t> stalled_until_{0};
  std::atomic<bool> probing_{false};  // a call is waiting on the stalled node
  [[nodiscard]] bool stalled() const noexcept;
  void drop_idle();
};

}  // namespace cookieseal::detail
