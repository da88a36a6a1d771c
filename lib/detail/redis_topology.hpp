// The seam between the Redis store and the shape of the Redis deployment:
// the store says which commands to run on which keys; a router decides which
// process runs them (the one server, the primary Sentinel names, the owner of
// each key's cluster slot), follows redirects and failovers, and confirms
// writes with WAIT. Debian's hiredis 0.14 has neither Sentinel nor Cluster
// support; this is that support, over its blocking API.
#pragma once

#include <cookieseal/result.hpp>

#include "detail/redis_node.hpp"
#include "detail/redis_url.hpp"

#include <functional>
#include <memory>
#include <vector>

namespace cookieseal::detail {

/// One command for a router.
struct redis_call {
  redis_args args;       ///< the command
  bool confirm = false;  ///< a write that replicas must confirm (WAIT) before it counts
  std::size_t key = 1;   ///< which of args is the key it is routed by (EVAL: 3)
};

/// Where a store's commands go. Thread-safe.
class redis_router {
 public:
  virtual ~redis_router() = default;

  /**
   * Runs @p calls, each on the process that owns its key: one round trip per
   * process touched (the calls for one process are pipelined). One reply per
   * call, in order, never an error reply: any error, an unreachable node or a
   * write that too few replicas confirmed is store_unavailable (reported).
   */
  virtual result<std::vector<redis_reply>> run(const std::vector<redis_call>& calls) = 0;

  /// Calls @p fn with every primary (all of a cluster's; the one otherwise), stopping at an error.
  virtual result<void> for_each_primary(const std::function<result<void>(redis_node&)>& fn) = 0;
};

/// How the routers talk to their nodes.
struct redis_router_options {
  redis_link link;  ///< timeouts, pool size and credentials of the data nodes
  /// Replicas that must confirm a redis_call::confirm write: N, or every_replica.
  int wait_replicas = 0;
};

/// redis_router_options::wait_replicas: every replica the fleet counts as up
/// (Sentinel: those the sentinels list without a down flag; Cluster: those
/// CLUSTER SLOTS lists for the primary), so no replica that could be promoted
/// lacks an acknowledged write.
inline constexpr int every_replica = -1;

/// The router for @p url: single, sentinel or cluster. Does not connect yet.
std::unique_ptr<redis_router> make_redis_router(const redis_url& url, redis_router_options options,
                                                redis_reporter report);

/// The cluster router (redis_cluster.cpp).
std::unique_ptr<redis_router> make_cluster_router(std::vector<redis_endpoint> seeds,
                                                  redis_router_options options,
                                                  redis_reporter report);

/// Redis Cluster's slot of @p key: CRC16 (XMODEM) of its hash tag, or of all of it, mod 16384.
[[nodiscard]] unsigned redis_key_slot(std::string_view key) noexcept;

/**
 * Sends @p calls to @p node in one round trip. When any of them is to be
 * confirmed, ROLE goes with them and a second round trip sends `WAIT n` with
 * n = the larger of @p replicas and the replicas ROLE lists as connected (for
 * every_replica; n = @p replicas otherwise): a replica that rejoined since the
 * topology was read counts too. The replies (error replies included, for the
 * router to act on; no ROLE, no WAIT), or store_unavailable when the
 * connection failed or fewer replicas confirmed (reported).
 */
result<std::vector<redis_reply>> send_batch(redis_node& node,
                                            const std::vector<const redis_call*>& calls,
                                            int replicas, bool every,
                                            std::chrono::milliseconds io_timeout,
                                            const redis_reporter& report);

}  // namespace cookieseal::detail
