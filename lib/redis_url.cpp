#include "detail/redis_url.hpp"

#include <cookieseal/store.hpp>

#include <fmt/format.h>

#include <charconv>

namespace cookieseal::detail {

namespace {

[[noreturn]] void bad(std::string_view what) {
  throw store_url_error(fmt::format("cookieseal: {}", what));
}

int parse_int(std::string_view s, const char* what, int max) {
  int v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size() || v < 0 || v > max)
    bad(fmt::format("bad {} in Redis URL", what));
  return v;
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

redis_endpoint parse_host_port(std::string_view rest) {
  redis_endpoint e;
  if (!rest.empty() && rest[0] == '[') {  // [IPv6]:port
    const auto close = rest.find(']');
    if (close == std::string_view::npos) bad("bad IPv6 host in Redis URL");
    e.host = std::string(rest.substr(1, close - 1));
    rest = rest.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':') bad("bad Redis URL after the host");
      e.port = parse_int(rest.substr(1), "port", 65535);
    }
  } else {
    const auto colon = rest.find(':');
    e.host = std::string(rest.substr(0, colon));
    if (colon != std::string_view::npos) e.port = parse_int(rest.substr(colon + 1), "port", 65535);
  }
  if (e.host.empty()) bad("the Redis URL has no host");
  return e;
}

// "[user]:password@" before the hosts, if present; returns what follows it.
std::string_view take_credentials(std::string_view rest, redis_url& u) {
  const auto at = rest.rfind('@');
  if (at == std::string_view::npos) return rest;
  std::string_view userinfo = rest.substr(0, at);
  const auto colon = userinfo.find(':');
  if (colon == std::string_view::npos) bad("Redis credentials are [user]:password@");
  u.user = std::string(userinfo.substr(0, colon));
  u.password = std::string(userinfo.substr(colon + 1));
  return rest.substr(at + 1);
}

// "?wait=N" at the end of a fleet URL; returns what precedes it.
std::string_view take_query(std::string_view rest, redis_url& u) {
  const auto q = rest.find('?');
  if (q == std::string_view::npos) return rest;
  const std::string_view query = rest.substr(q + 1);
  if (!starts_with(query, "wait=")) bad("a Sentinel or Cluster URL takes only ?wait=N");
  u.wait_replicas = parse_int(query.substr(5), "wait (replicas to confirm)", 16);
  return rest.substr(0, q);
}

std::vector<redis_endpoint> parse_host_list(std::string_view hosts) {
  std::vector<redis_endpoint> out;
  while (true) {
    const auto comma = hosts.find(',');
    out.push_back(parse_host_port(hosts.substr(0, comma)));
    if (comma == std::string_view::npos) break;
    hosts = hosts.substr(comma + 1);
    if (out.size() >= 64) bad("a Redis URL names at most 64 hosts");
  }
  return out;
}

redis_url parse_fleet(std::string_view rest, redis_topology_kind kind) {
  redis_url u;
  u.kind = kind;
  rest = take_query(take_credentials(rest, u), u);
  const auto slash = rest.find('/');
  u.nodes = parse_host_list(rest.substr(0, slash));
  std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash + 1);
  if (kind == redis_topology_kind::cluster) {
    if (!path.empty()) bad("a Redis Cluster URL has no path (a cluster has only database 0)");
    return u;
  }
  const auto db_slash = path.find('/');
  u.master_name = std::string(path.substr(0, db_slash));
  if (u.master_name.empty())
    bad("a Sentinel URL names its primary: redis+sentinel://host:port[,host:port...]/MASTER[/db]");
  if (db_slash != std::string_view::npos && db_slash + 1 < path.size())
    u.db = parse_int(path.substr(db_slash + 1), "database number", 1 << 20);
  return u;
}

}  // namespace

std::string redis_endpoint::text() const {
  if (!socket_path.empty()) return socket_path;
  if (host.find(':') != std::string::npos) return fmt::format("[{}]:{}", host, port);
  return fmt::format("{}:{}", host, port);
}

redis_url parse_redis_url(std::string_view url) {
  if (starts_with(url, "rediss://"))
    bad("rediss:// (TLS) is not supported: this build's hiredis 0.14 has no TLS; "
        "reach Redis over a TLS tunnel (stunnel, spiped) as redis://127.0.0.1:PORT");
  if (starts_with(url, "redis+sentinel://"))
    return parse_fleet(url.substr(17), redis_topology_kind::sentinel);
  if (starts_with(url, "redis+cluster://"))
    return parse_fleet(url.substr(16), redis_topology_kind::cluster);
  redis_url u;
  if (starts_with(url, "unix://")) {
    std::string_view rest = url.substr(7);
    if (auto q = rest.find('?'); q != std::string_view::npos) {
      std::string_view query = rest.substr(q + 1);
      rest = rest.substr(0, q);
      if (!starts_with(query, "db=")) bad("unix:// URLs take only ?db=N");
      u.db = parse_int(query.substr(3), "database number", 1 << 20);
    }
    if (rest.empty() || rest[0] != '/') bad("unix:// needs an absolute socket path");
    redis_endpoint e;
    e.socket_path = std::string(rest);
    u.nodes.push_back(std::move(e));
    return u;
  }
  if (!starts_with(url, "redis://"))
    bad("a Redis URL starts with redis://, redis+sentinel://, redis+cluster:// or unix://");
  std::string_view rest = take_credentials(url.substr(8), u);
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    if (slash + 1 < rest.size())
      u.db = parse_int(rest.substr(slash + 1), "database number", 1 << 20);
    rest = rest.substr(0, slash);
  }
  u.nodes.push_back(parse_host_port(rest));
  return u;
}

}  // namespace cookieseal::detail
