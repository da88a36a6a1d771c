// Redis Cluster routing over hiredis 0.14: a slot map from CLUSTER SLOTS,
// MOVED and ASK followed, the map asked again after a failover or resharding.
#include "detail/redis_topology.hpp"

#include <cookieseal/error.hpp>

#include <fmt/format.h>

#include <charconv>
#include <map>
#include <mutex>
#include <thread>

namespace cookieseal::detail {

namespace {

constexpr unsigned slot_count = 16384;
constexpr int max_rounds = 6;  // redirects and retries of one run(), in all

// "host:port" from a MOVED/ASK reply; an empty host is the replying node's.
std::optional<redis_endpoint> parse_address(std::string_view s, const redis_endpoint& from) {
  const auto colon = s.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  redis_endpoint e;
  e.host = colon == 0 ? from.host : std::string(s.substr(0, colon));
  const std::string_view port = s.substr(colon + 1);
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), e.port);
  if (ec != std::errc{} || end != port.data() + port.size() || e.port <= 0 || e.port > 65535 ||
      e.host.size() > 255)
    return std::nullopt;
  return e;
}

struct redirect {
  unsigned slot = 0;
  redis_endpoint to;
};

// MOVED <slot> <host:port> or ASK <slot> <host:port>.
std::optional<redirect> parse_redirect(const redisReply& r, const redis_endpoint& from) {
  const std::string_view t(r.str, r.len);
  const auto a = t.find(' ');
  const auto b = a == std::string_view::npos ? a : t.find(' ', a + 1);
  if (b == std::string_view::npos) return std::nullopt;
  redirect out;
  const std::string_view slot = t.substr(a + 1, b - a - 1);
  auto [end, ec] = std::from_chars(slot.data(), slot.data() + slot.size(), out.slot);
  if (ec != std::errc{} || end != slot.data() + slot.size() || out.slot >= slot_count)
    return std::nullopt;
  auto to = parse_address(t.substr(b + 1), from);
  if (!to) return std::nullopt;
  out.to = std::move(*to);
  return out;
}

class cluster_router final : public redis_router {
 public:
  cluster_router(std::vector<redis_endpoint> seeds, redis_router_options options,
                 redis_reporter report)
      : seeds_(std::move(seeds)),
        options_(std::move(options)),
        report_(std::move(report)),
        slots_(slot_count) {}

  result<std::vector<redis_reply>> run(const std::vector<redis_call>& calls) override {
    if (!mapped()) {
      if (auto r = refresh(generation()); !r) return r.error();
    }
    std::vector<redis_reply> out(calls.size());
    std::vector<std::size_t> pending(calls.size());
    for (std::size_t i = 0; i < calls.size(); ++i) pending[i] = i;
    std::map<std::size_t, redis_endpoint> asked;  // call -> the node ASK sent it to
    int failures = 0;
    for (int round = 0; round < max_rounds && !pending.empty(); ++round) {
      const auto seen = generation();
      bool stale = false, busy = false;
      std::map<std::shared_ptr<redis_node>, std::vector<std::size_t>> groups;
      for (std::size_t i : pending) {
        auto node = asked.count(i) ? node_at(asked[i]) : owner(calls[i]);
        if (!node) {
          stale = true;
          continue;
        }
        groups[node].push_back(i);
      }
      std::vector<std::size_t> again;
      for (auto& [node, idx] : groups) {
        std::vector<const redis_call*> batch;
        const redis_call asking{{"ASKING"}, false};
        for (std::size_t i : idx) {
          if (asked.count(i)) batch.push_back(&asking);
          batch.push_back(&calls[i]);
        }
        auto replies =
            send_batch(*node, batch, replicas_of(node), options_.wait_replicas == every_replica,
                       options_.link.io_timeout, report_);
        if (!replies) {
          // Unreachable or a write not confirmed: the map may be stale (a
          // failover); one more try after asking the cluster again.
          if (++failures > 1) return errc::store_unavailable;
          stale = true;
          again.insert(again.end(), idx.begin(), idx.end());
          continue;
        }
        std::size_t k = 0;
        for (std::size_t i : idx) {
          if (asked.count(i)) ++k;  // ASKING's OK
          redis_reply& r = (*replies)[k++];
          asked.erase(i);
          if (r->type != REDIS_REPLY_ERROR) {
            out[i] = std::move(r);
            continue;
          }
          again.push_back(i);
          if (is_error(*r, "MOVED") || is_error(*r, "ASK")) {
            auto to = parse_redirect(*r, node->endpoint());
            if (!to) {
              report_(fmt::format("Redis at {}: a redirect that names no node: {}",
                                  node->endpoint().text(), error_text(*r)));
              return errc::store_unavailable;
            }
            if (is_error(*r, "ASK")) {
              asked[i] = to->to;  // this one command, once; the slot stays where it was
            } else {
              move_slot(to->slot, to->to);
              stale = true;  // a resharding or failover: learn the whole map
            }
          } else if (is_error(*r, "TRYAGAIN")) {
            busy = true;  // a slot half migrated: its keys are moving
          } else if (is_error(*r, "CLUSTERDOWN") || is_error(*r, "READONLY") ||
                     is_error(*r, "LOADING") || is_error(*r, "MASTERDOWN")) {
            if (++failures > 1) {
              report_(fmt::format("Redis at {}: {}", node->endpoint().text(), error_text(*r)));
              return errc::store_unavailable;
            }
            stale = true;
          } else {
            report_(fmt::format("Redis at {}: {}", node->endpoint().text(), error_text(*r)));
            return errc::store_unavailable;
          }
        }
      }
      pending = std::move(again);
      if (pending.empty()) break;
      if (busy) std::this_thread::sleep_for(std::chrono::milliseconds(10 << round));
      if (stale) {
        if (auto r = refresh(seen); !r) return r.error();
      }
    }
    if (pending.empty()) return out;
    report_(fmt::format("Redis Cluster: gave up after {} redirects or retries", max_rounds));
    return errc::store_unavailable;
  }

  result<void> for_each_primary(const std::function<result<void>(redis_node&)>& fn) override {
    if (auto r = refresh(generation()); !r) return r.error();  // a reshard may have moved them
    std::vector<std::shared_ptr<redis_node>> primaries;
    {
      std::lock_guard lock(mutex_);
      primaries = primaries_;
    }
    for (const auto& p : primaries)
      if (auto r = fn(*p); !r) return r;
    return {};
  }

 private:
  bool mapped() {
    std::lock_guard lock(mutex_);
    return !primaries_.empty();
  }

  std::uint64_t generation() {
    std::lock_guard lock(mutex_);
    return generation_;
  }

  int replicas_of(const std::shared_ptr<redis_node>& node) {
    if (options_.wait_replicas != every_replica) return options_.wait_replicas;
    std::lock_guard lock(mutex_);
    const auto it = replicas_.find(node.get());
    return it == replicas_.end() ? 0 : it->second;
  }

  std::shared_ptr<redis_node> owner(const redis_call& c) {
    const unsigned slot = c.key < c.args.size() ? redis_key_slot(c.args[c.key]) : 0;
    std::lock_guard lock(mutex_);
    return slots_[slot];
  }

  // The node at @p e, made once and shared (its connection pool with it).
  std::shared_ptr<redis_node> node_locked(const redis_endpoint& e) {
    auto& n = nodes_[e.text()];
    if (!n) n = std::make_shared<redis_node>(e, options_.link, report_);
    return n;
  }

  std::shared_ptr<redis_node> node_at(const redis_endpoint& e) {
    std::lock_guard lock(mutex_);
    return node_locked(e);
  }

  void move_slot(unsigned slot, const redis_endpoint& to) {
    std::lock_guard lock(mutex_);
    slots_[slot] = node_locked(to);
  }

  // Asks the cluster for its slot map, unless another thread already did
  // since generation @p seen. Known primaries first, then the seeds.
  result<void> refresh(std::uint64_t seen) {
    std::lock_guard one_at_a_time(refresh_mutex_);
    std::vector<std::shared_ptr<redis_node>> ask;
    {
      std::lock_guard lock(mutex_);
      if (generation_ != seen && !primaries_.empty()) return {};
      ask = primaries_;
      for (const auto& s : seeds_) ask.push_back(node_locked(s));
    }
    for (const auto& n : ask) {
      auto r = n->command({"CLUSTER", "SLOTS"});
      if (!r) continue;
      if (install(**r, n->endpoint())) return {};
      report_(
          fmt::format("Redis at {}: CLUSTER SLOTS gave no usable slot map", n->endpoint().text()));
    }
    report_("Redis Cluster: no node answered CLUSTER SLOTS");
    return errc::store_unavailable;
  }

  // CLUSTER SLOTS: [[start, end, [host, port, id, ...], replicas...], ...].
  bool install(const redisReply& map, const redis_endpoint& from) {
    if (map.type != REDIS_REPLY_ARRAY || map.elements == 0 || map.elements > slot_count)
      return false;
    struct range {
      long long lo, hi;
      redis_endpoint primary;
      int replicas;
    };
    std::vector<range> ranges;
    for (std::size_t i = 0; i < map.elements; ++i) {
      const redisReply& e = *map.element[i];
      if (e.type != REDIS_REPLY_ARRAY || e.elements < 3 ||
          e.element[0]->type != REDIS_REPLY_INTEGER || e.element[1]->type != REDIS_REPLY_INTEGER ||
          e.element[2]->type != REDIS_REPLY_ARRAY || e.element[2]->elements < 2)
        return false;
      const long long lo = e.element[0]->integer, hi = e.element[1]->integer;
      const redisReply& host = *e.element[2]->element[0];
      const redisReply& port = *e.element[2]->element[1];
      if (lo < 0 || hi < lo || hi >= slot_count || host.type != REDIS_REPLY_STRING ||
          host.len > 255 || port.type != REDIS_REPLY_INTEGER || port.integer <= 0 ||
          port.integer > 65535)
        return false;
      redis_endpoint ep;
      ep.host = host.len == 0 || std::string_view(host.str, host.len) == "?"
                    ? from.host
                    : std::string(host.str, host.len);
      ep.port = static_cast<int>(port.integer);
      ranges.push_back({lo, hi, std::move(ep), static_cast<int>(e.elements - 3)});
    }
    std::lock_guard lock(mutex_);
    std::vector<std::shared_ptr<redis_node>> slots(slot_count), primaries;
    std::map<const redis_node*, int> replicas;
    for (const auto& r : ranges) {
      auto n = node_locked(r.primary);
      for (long long s = r.lo; s <= r.hi; ++s) slots[static_cast<std::size_t>(s)] = n;
      if (std::find(primaries.begin(), primaries.end(), n) == primaries.end())
        primaries.push_back(n);
      replicas[n.get()] = std::max(replicas[n.get()], r.replicas);
    }
    slots_ = std::move(slots);
    primaries_ = std::move(primaries);
    replicas_ = std::move(replicas);
    ++generation_;
    return true;
  }

  std::vector<redis_endpoint> seeds_;
  redis_router_options options_;
  redis_reporter report_;
  std::mutex refresh_mutex_;
  std::mutex mutex_;  // guards what follows
  std::map<std::string, std::shared_ptr<redis_node>> nodes_;
  std::vector<std::shared_ptr<redis_node>> slots_;
  std::vector<std::shared_ptr<redis_node>> primaries_;
  std::map<const redis_node*, int> replicas_;  // what CLUSTER SLOTS lists per primary
  std::uint64_t generation_ = 0;
};

}  // namespace

std::unique_ptr<redis_router> make_cluster_router(std::vector<redis_endpoint> seeds,
                                                  redis_router_options options,
                                                  redis_reporter report) {
  return std::make_unique<cluster_router>(std::move(seeds), std::move(options), std::move(report));
}

}  // namespace cookieseal::detail
