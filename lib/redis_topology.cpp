// One server and Sentinel; the cluster router is in redis_cluster.cpp.
#include "detail/redis_topology.hpp"

#include <cookieseal/error.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

namespace cookieseal::detail {

result<std::vector<redis_reply>> send_batch(redis_node& node,
                                            const std::vector<const redis_call*>& calls,
                                            int replicas, bool every,
                                            std::chrono::milliseconds io_timeout,
                                            const redis_reporter& report) {
  static const redis_args role_command{"ROLE"};
  std::vector<const redis_args*> commands;
  commands.reserve(calls.size() + 1);
  bool confirm = false;
  for (const redis_call* c : calls) {
    commands.push_back(&c->args);
    confirm = confirm || c->confirm;
  }
  confirm = confirm && (every || replicas > 0);
  if (!confirm) return node.pipeline(commands, {});
  if (every) commands.push_back(&role_command);
  // WAIT gives up before the socket's own timeout would.
  const auto wait_ms = std::max<std::int64_t>(io_timeout.count() / 2, 1);
  long long wanted = replicas;
  auto wait_for = [&](const std::vector<redis_reply>& got) -> std::optional<redis_args> {
    for (const auto& r : got)
      if (r->type == REDIS_REPLY_ERROR) return std::nullopt;  // the router acts on it first
    if (every) {
      const redisReply& role = *got.back();
      if (role.type == REDIS_REPLY_ARRAY && role.elements >= 3 &&
          role.element[2]->type == REDIS_REPLY_ARRAY)
        wanted = std::max<long long>(wanted, static_cast<long long>(role.element[2]->elements));
    }
    if (wanted <= 0) return std::nullopt;
    return redis_args{"WAIT", std::to_string(wanted), std::to_string(wait_ms)};
  };
  auto replies = node.pipeline(commands, wait_for);
  if (!replies) return replies.error();
  const bool waited = replies->size() > commands.size();
  std::optional<redis_reply> wait;
  if (waited) {
    wait = std::move(replies->back());
    replies->pop_back();
  }
  if (every) replies->pop_back();  // ROLE
  if (!waited) return replies;
  const redisReply& w = **wait;
  if (w.type != REDIS_REPLY_INTEGER || w.integer < wanted) {
    report(w.type == REDIS_REPLY_INTEGER
               ? fmt::format("Redis at {}: a write was confirmed by {} of the {} replicas "
                             "required within {} ms (not counted as written)",
                             node.endpoint().text(), w.integer, wanted, wait_ms)
               : fmt::format("Redis at {}: WAIT failed: {}", node.endpoint().text(),
                             w.type == REDIS_REPLY_ERROR ? error_text(w) : "not an integer reply"));
    return errc::store_unavailable;
  }
  return replies;
}

namespace {

std::vector<const redis_call*> pointers(const std::vector<redis_call>& calls) {
  std::vector<const redis_call*> out;
  out.reserve(calls.size());
  for (const auto& c : calls) out.push_back(&c);
  return out;
}

// Reports the first error reply among @p replies; whether there was one.
bool report_error(const std::vector<redis_reply>& replies, const redis_node& node,
                  const redis_reporter& report) {
  for (const auto& r : replies)
    if (r->type == REDIS_REPLY_ERROR) {
      report(fmt::format("Redis at {}: {}", node.endpoint().text(), error_text(*r)));
      return true;
    }
  return false;
}

// The first error reply, if any, as store_unavailable (reported).
result<std::vector<redis_reply>> no_errors(result<std::vector<redis_reply>> replies,
                                           const redis_node& node, const redis_reporter& report) {
  if (replies && report_error(*replies, node, report)) return errc::store_unavailable;
  return replies;
}

class single_router final : public redis_router {
 public:
  single_router(redis_endpoint where, redis_router_options options, redis_reporter report)
      : options_(std::move(options)),
        report_(std::move(report)),
        node_(std::move(where), options_.link, report_) {}

  result<std::vector<redis_reply>> run(const std::vector<redis_call>& calls) override {
    return no_errors(send_batch(node_, pointers(calls), std::max(options_.wait_replicas, 0), false,
                                options_.link.io_timeout, report_),
                     node_, report_);
  }

  result<void> for_each_primary(const std::function<result<void>(redis_node&)>& fn) override {
    return fn(node_);
  }

 private:
  redis_router_options options_;
  redis_reporter report_;
  redis_node node_;
};

// A replica's Sentinel flags ("slave,promoted", "s_down,slave,disconnected") say it is not down.
bool held_up(std::string_view flags) {
  return flags.find("slave") != std::string_view::npos &&
         flags.find("s_down") == std::string_view::npos &&
         flags.find("o_down") == std::string_view::npos;
}

// What a primary that is no longer one (or not yet) answers.
bool means_failover(const redisReply& r) {
  return is_error(r, "READONLY") || is_error(r, "LOADING") || is_error(r, "MASTERDOWN");
}

/**
 * The primary a majority of the sentinels name for a master, asked again
 * whenever it answers READONLY, LOADING or MASTERDOWN, its connection fails
 * or times out, or a write is not confirmed. A named primary is used only
 * once it says (ROLE) that it is one.
 */
class sentinel_router final : public redis_router {
 public:
  sentinel_router(std::vector<redis_endpoint> sentinels, std::string master,
                  redis_router_options options, redis_reporter report)
      : sentinels_(std::move(sentinels)),
        master_(std::move(master)),
        options_(std::move(options)),
        report_(std::move(report)) {
    sentinel_link_.connect_timeout = options_.link.connect_timeout;
    sentinel_link_.io_timeout = options_.link.io_timeout;
    sentinel_link_.max_idle = 1;
    for (const auto& where : sentinels_)
      sentinel_nodes_.push_back(std::make_unique<redis_node>(where, sentinel_link_, report_));
  }

  result<std::vector<redis_reply>> run(const std::vector<redis_call>& calls) override {
    const auto list = pointers(calls);
    std::shared_ptr<redis_node> tried;
    for (int attempt = 0; attempt < 2; ++attempt) {
      auto p = primary();
      if (!p) return p.error();
      // A retry only makes sense on another process: the same one failing
      // again would only double the wait.
      if (tried && (*p)->endpoint() == tried->endpoint()) break;
      auto replies = send_batch(**p, list, replicas(), options_.wait_replicas == every_replica,
                                options_.link.io_timeout, report_);
      bool moved_on = !replies;
      if (replies)
        for (const auto& r : *replies) moved_on = moved_on || means_failover(*r);
      if (!moved_on) return no_errors(std::move(replies), **p, report_);
      if (replies) report_error(*replies, **p, report_);  // says which
      forget(*p);
      tried = *p;
    }
    return errc::store_unavailable;
  }

  result<void> for_each_primary(const std::function<result<void>(redis_node&)>& fn) override {
    auto p = primary();
    if (!p) return p.error();
    auto r = fn(**p);
    if (!r) forget(*p);  // the next call asks the sentinels again
    return r;
  }

 private:
  int replicas() {
    std::lock_guard lock(mutex_);
    return primary_wait_;
  }

  // The node at @p where: one per address, kept across forget(), so what a
  // node learnt (that it stalled) outlives the rediscovery that names it again.
  std::shared_ptr<redis_node> node_at(const redis_endpoint& where) {
    std::lock_guard lock(mutex_);
    auto& n = nodes_[where.text()];
    if (!n) n = std::make_shared<redis_node>(where, options_.link, report_);
    return n;
  }

  // The primary a majority of the sentinels name, once it says it is one.
  // A majority, not the first that answers: during a failover the sentinel
  // that leads it names the old primary for seconds after the others moved
  // on, and reads from there would miss what was written on the new one.
  // One call asks at a time; the others wait for its answer, but not for
  // long: a discovery that takes a quarter of a timeout is waiting on a
  // stalled node, and they fail at once rather than queue behind it.
  result<std::shared_ptr<redis_node>> primary() {
    {
      std::lock_guard lock(mutex_);
      if (primary_) return primary_;
    }
    std::unique_lock asking(asking_mutex_, std::defer_lock);
    if (!asking.try_lock_for(options_.link.io_timeout / 4)) {
      report_(
          fmt::format("the sentinels are being asked for \"{}\" by another call that is "
                      "waiting on a node (a failover or a stall): not waiting",
                      escape_redis_text(master_)));
      return errc::store_unavailable;
    }
    {
      std::lock_guard lock(mutex_);
      if (primary_) return primary_;  // found while this call waited
    }
    std::vector<std::pair<redis_endpoint, std::vector<std::size_t>>> votes;
    for (std::size_t i = 0; i < sentinels_.size(); ++i) {
      auto named = ask(i);
      if (!named) continue;
      auto it = std::find_if(votes.begin(), votes.end(),
                             [&](const auto& v) { return v.first == *named; });
      if (it == votes.end()) it = votes.insert(votes.end(), {*named, {}});
      it->second.push_back(i);
    }
    for (const auto& [where, voters] : votes) {
      if (voters.size() <= sentinels_.size() / 2) continue;
      auto node = node_at(where);
      if (!is_primary(*node)) break;
      const int wait = options_.wait_replicas == every_replica ? replicas_up(voters.front())
                                                               : options_.wait_replicas;
      std::lock_guard lock(mutex_);
      primary_ = node;
      primary_wait_ = wait;
      return node;
    }
    report_(
        fmt::format("no primary for \"{}\" that a majority of the {} sentinels name and that "
                    "says it is one (a failover under way?)",
                    escape_redis_text(master_), sentinels_.size()));
    return errc::store_unavailable;
  }

  bool is_primary(redis_node& node) {
    auto role = node.command({"ROLE"});
    if (!role) return false;
    const redisReply& rr = **role;
    return rr.type == REDIS_REPLY_ARRAY && rr.elements >= 1 &&
           rr.element[0]->type == REDIS_REPLY_STRING &&
           std::string_view(rr.element[0]->str, rr.element[0]->len) == "master";
  }

  // The address sentinel @p i names as the primary, if it names one.
  std::optional<redis_endpoint> ask(std::size_t i) {
    const redis_endpoint& sentinel = sentinels_[i];
    auto r = sentinel_nodes_[i]->command({"SENTINEL", "get-master-addr-by-name", master_});
    if (!r) return std::nullopt;
    const redisReply& a = **r;
    if (a.type != REDIS_REPLY_ARRAY || a.elements != 2 ||
        a.element[0]->type != REDIS_REPLY_STRING || a.element[1]->type != REDIS_REPLY_STRING) {
      report_(fmt::format("Sentinel at {} knows no primary \"{}\"", sentinel.text(),
                          escape_redis_text(master_)));
      return std::nullopt;
    }
    redis_endpoint e;
    e.host.assign(a.element[0]->str, a.element[0]->len);
    const std::string_view port(a.element[1]->str, a.element[1]->len);
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), e.port);
    if (ec != std::errc{} || end != port.data() + port.size() || e.port <= 0 || e.port > 65535 ||
        e.host.empty() || e.host.size() > 255) {
      report_(fmt::format("Sentinel at {} named a primary that is no address: {}:{}",
                          sentinel.text(), escape_redis_text(e.host), escape_redis_text(port)));
      return std::nullopt;
    }
    return e;
  }

  // How many replicas of the master the sentinel does not hold down (s_down,
  // o_down). Promoted, reconfigured or briefly disconnected ones count: during
  // a failover the replica being promoted must keep failing the old
  // primary's WAIT, and one coming back must not be skipped. 0 if it cannot say.
  int replicas_up(std::size_t sentinel) {
    auto r = sentinel_nodes_[sentinel]->command({"SENTINEL", "replicas", master_});
    if (!r || (*r)->type != REDIS_REPLY_ARRAY) return 0;
    int up = 0;
    for (std::size_t i = 0; i < (*r)->elements; ++i) {
      const redisReply& fields = *(*r)->element[i];
      if (fields.type != REDIS_REPLY_ARRAY) continue;
      for (std::size_t k = 0; k + 1 < fields.elements; k += 2) {
        const redisReply& name = *fields.element[k];
        const redisReply& value = *fields.element[k + 1];
        if (name.type == REDIS_REPLY_STRING && value.type == REDIS_REPLY_STRING &&
            std::string_view(name.str, name.len) == "flags")
          up += held_up(std::string_view(value.str, value.len)) ? 1 : 0;
      }
    }
    return up;
  }

  void forget(const std::shared_ptr<redis_node>& p) {
    std::lock_guard lock(mutex_);
    if (primary_ == p) primary_.reset();
  }

  std::vector<redis_endpoint> sentinels_;
  std::string master_;
  redis_router_options options_;
  redis_reporter report_;
  redis_link sentinel_link_;                                 // sentinels are asked without AUTH
  std::vector<std::unique_ptr<redis_node>> sentinel_nodes_;  // one per sentinels_ entry
  std::timed_mutex asking_mutex_;  // held while asking: one call asks, the others wait a little
  std::mutex mutex_;               // the fields below; never held across I/O
  std::map<std::string, std::shared_ptr<redis_node>> nodes_;  // by address
  std::shared_ptr<redis_node> primary_;
  int primary_wait_ = 0;  // replicas that confirm a write to primary_
};

}  // namespace

unsigned redis_key_slot(std::string_view key) noexcept {
  // Only the part in the first {...} counts, if it is not empty.
  if (const auto open = key.find('{'); open != std::string_view::npos) {
    const auto close = key.find('}', open + 1);
    if (close != std::string_view::npos && close > open + 1)
      key = key.substr(open + 1, close - open - 1);
  }
  std::uint16_t crc = 0;
  for (const char ch : key) {
    crc ^= static_cast<std::uint16_t>(static_cast<unsigned char>(ch) << 8);
    for (int b = 0; b < 8; ++b)
      crc = static_cast<std::uint16_t>((crc & 0x8000) ? (crc << 1) ^ 0x1021 : crc << 1);
  }
  return crc % 16384u;
}

std::unique_ptr<redis_router> make_redis_router(const redis_url& url, redis_router_options options,
                                                redis_reporter report) {
  switch (url.kind) {
    case redis_topology_kind::sentinel:
      return std::make_unique<sentinel_router>(url.nodes, url.master_name, std::move(options),
                                               std::move(report));
    case redis_topology_kind::cluster:
      return make_cluster_router(url.nodes, std::move(options), std::move(report));
    case redis_topology_kind::single: break;
  }
  return std::make_unique<single_router>(url.nodes.front(), std::move(options), std::move(report));
}

}  // namespace cookieseal::detail
