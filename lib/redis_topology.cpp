// One server and Sentinel; the cluster router is in redis_cluster.cpp.
#include "detail/redis_topology.hpp"

#include <cookieseal/error.hpp>

#include <fmt/format.h>

#include <charconv>
#include <mutex>

namespace cookieseal::detail {

result<std::vector<redis_reply>> send_batch(redis_node& node,
                                            const std::vector<const redis_call*>& calls,
                                            const redis_router_options& options,
                                            const redis_reporter& report) {
  std::vector<redis_args> commands;
  commands.reserve(calls.size() + 1);
  bool confirm = false;
  for (const redis_call* c : calls) {
    commands.push_back(c->args);
    confirm = confirm || c->confirm;
  }
  confirm = confirm && options.wait_replicas > 0;
  // WAIT gives up before the socket's own timeout would.
  const auto wait_ms = std::max<std::int64_t>(options.link.io_timeout.count() / 2, 1);
  if (confirm)
    commands.push_back({"WAIT", std::to_string(options.wait_replicas), std::to_string(wait_ms)});
  auto replies = node.pipeline(commands);
  if (!replies) return replies.error();
  if (confirm) {
    const redis_reply wait = std::move(replies->back());
    replies->pop_back();
    bool failed = false;
    for (const auto& r : *replies) failed = failed || r->type == REDIS_REPLY_ERROR;
    if (!failed && (wait->type != REDIS_REPLY_INTEGER || wait->integer < options.wait_replicas)) {
      report(wait->type == REDIS_REPLY_INTEGER
                 ? fmt::format("Redis at {}: a write was confirmed by {} of the {} replicas "
                               "required within {} ms (not counted as written)",
                               node.endpoint().text(), wait->integer, options.wait_replicas,
                               wait_ms)
                 : fmt::format("Redis at {}: WAIT failed: {}", node.endpoint().text(),
                               wait->type == REDIS_REPLY_ERROR ? error_text(*wait)
                                                               : "not an integer reply"));
      return errc::store_unavailable;
    }
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
    return no_errors(send_batch(node_, pointers(calls), options_, report_), node_, report_);
  }

  result<void> for_each_primary(const std::function<result<void>(redis_node&)>& fn) override {
    return fn(node_);
  }

 private:
  redis_router_options options_;
  redis_reporter report_;
  redis_node node_;
};

// What a primary that is no longer one (or not yet) answers.
bool means_failover(const redisReply& r) {
  return is_error(r, "READONLY") || is_error(r, "LOADING") || is_error(r, "MASTERDOWN");
}

/**
 * The primary the sentinels name for a master, asked again whenever it
 * answers READONLY, LOADING or MASTERDOWN, its connection fails or times
 * out. A named primary is used only once it says (ROLE) that it is one: a
 * sentinel may still name a demoted one for a moment after a failover.
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
      auto replies = send_batch(**p, list, options_, report_);
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
  result<std::shared_ptr<redis_node>> primary() {
    std::lock_guard lock(mutex_);
    if (primary_) return primary_;
    for (std::size_t n = 0; n < sentinels_.size(); ++n) {
      const std::size_t i = (last_good_ + n) % sentinels_.size();
      if (auto p = ask(sentinels_[i])) {
        primary_ = std::move(p);
        last_good_ = i;
        return primary_;
      }
    }
    report_(fmt::format("no sentinel named a reachable primary for \"{}\"",
                        escape_redis_text(master_)));
    return errc::store_unavailable;
  }

  std::shared_ptr<redis_node> ask(const redis_endpoint& sentinel) {
    redis_node s(sentinel, sentinel_link_, report_);
    auto r = s.command({"SENTINEL", "get-master-addr-by-name", master_});
    if (!r) return nullptr;
    const redisReply& a = **r;
    if (a.type != REDIS_REPLY_ARRAY || a.elements != 2 ||
        a.element[0]->type != REDIS_REPLY_STRING || a.element[1]->type != REDIS_REPLY_STRING) {
      report_(fmt::format("Sentinel at {} knows no primary \"{}\"", sentinel.text(),
                          escape_redis_text(master_)));
      return nullptr;
    }
    redis_endpoint e;
    e.host.assign(a.element[0]->str, a.element[0]->len);
    const std::string_view port(a.element[1]->str, a.element[1]->len);
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), e.port);
    if (ec != std::errc{} || end != port.data() + port.size() || e.port <= 0 || e.port > 65535 ||
        e.host.empty() || e.host.size() > 255) {
      report_(fmt::format("Sentinel at {} named a primary that is no address: {}:{}",
                          sentinel.text(), escape_redis_text(e.host), escape_redis_text(port)));
      return nullptr;
    }
    auto node = std::make_shared<redis_node>(e, options_.link, report_);
    auto role = node->command({"ROLE"});
    if (!role) return nullptr;
    const redisReply& rr = **role;
    if (rr.type != REDIS_REPLY_ARRAY || rr.elements < 1 ||
        rr.element[0]->type != REDIS_REPLY_STRING ||
        std::string_view(rr.element[0]->str, rr.element[0]->len) != "master") {
      report_(fmt::format("Sentinel at {} named {} as primary of \"{}\", which is not one (yet)",
                          sentinel.text(), e.text(), escape_redis_text(master_)));
      return nullptr;
    }
    return node;
  }

  void forget(const std::shared_ptr<redis_node>& p) {
    std::lock_guard lock(mutex_);
    if (primary_ == p) primary_.reset();
  }

  std::vector<redis_endpoint> sentinels_;
  std::string master_;
  redis_router_options options_;
  redis_reporter report_;
  redis_link sentinel_link_;  // sentinels are asked without AUTH
  std::mutex mutex_;          // held while asking: one thread asks, the others wait for it
  std::shared_ptr<redis_node> primary_;
  std::size_t last_good_ = 0;
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
