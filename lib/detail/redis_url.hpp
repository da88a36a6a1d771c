// The Redis store's URL forms: one server (redis://, unix://), a primary
// found through Sentinel (redis+sentinel://) or a Redis Cluster
// (redis+cluster://).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cookieseal::detail {

/// One Redis process: a TCP host and port, or a Unix socket path.
struct redis_endpoint {
  std::string host;
  int port = 6379;
  std::string socket_path;  ///< set for unix://; host is then empty

  /// "host:port" ("[::1]:port" for IPv6) or the socket path, for messages.
  [[nodiscard]] std::string text() const;
  friend bool operator==(const redis_endpoint&, const redis_endpoint&) = default;
};

enum class redis_topology_kind { single, sentinel, cluster };

struct redis_url {
  redis_topology_kind kind = redis_topology_kind::single;
  /// single: the server; sentinel: the sentinels; cluster: the seed nodes.
  std::vector<redis_endpoint> nodes;
  std::string master_name;     ///< sentinel: the name the sentinels monitor
  std::string user, password;  ///< for the data nodes (sentinels are asked without AUTH)
  int db = 0;                  ///< single and sentinel; a cluster has only db 0
  /// `?wait=N`: replicas that must confirm an entry or revocation (WAIT); unset: every replica.
  std::optional<int> wait_replicas;
};

/// @throws store_url_error naming what is wrong (never the password).
redis_url parse_redis_url(std::string_view url);

}  // namespace cookieseal::detail
