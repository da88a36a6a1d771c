#include <cookieseal/redis_store.hpp>

#include "detail/random.hpp"
#include "detail/redis_topology.hpp"
#include "detail/store_encoding.hpp"
#include "detail/subject_cutoff.hpp"

#include <fmt/format.h>
#include <sodium.h>

#include <array>
#include <charconv>
#include <cstring>
#include <mutex>
#include <optional>
#include <span>
#include <vector>

namespace cookieseal {

using namespace detail;  // store_encoding.hpp: both stores encode alike

namespace {

// Redis removes keys this long after their logical expiry; reads check the
// logical expiry stored in the value, so an injected clock stays correct.
constexpr std::int64_t ttl_slack_seconds = 300;

// SCAN pages of this many keys; a node's scan gives up after
// scan_base_calls + DBSIZE / scan_calls_per_key_divisor pages (a server
// whose cursor never returns to 0 must not keep `store stats` forever).
constexpr int scan_page = 1000;
constexpr std::uint64_t scan_base_calls = 10000;
constexpr std::uint64_t scan_calls_per_key_divisor = 10;

std::string be64_text(std::uint64_t v) {
  std::string s;
  append_be64(s, v);
  return s;
}

std::int64_t unix_now() { return system_now().time_since_epoch().count(); }

// Seconds Redis keeps a key that logically expires at @p expires.
std::string ttl_for(std::uint64_t expires) {
  const auto left = static_cast<std::int64_t>(expires) - unix_now();
  return std::to_string(std::max<std::int64_t>(left, 0) + ttl_slack_seconds);
}

std::string_view text_of(const redisReply& r) { return {r.str, r.len}; }

bool is_status_ok(const redisReply& r) {
  return r.type == REDIS_REPLY_STATUS && text_of(r) == "OK";
}

// Decimal u64 fields separated by one space, the whole string: "123" or "1 2".
template <std::size_t N>
std::optional<std::array<std::uint64_t, N>> numbers(std::string_view s) {
  std::array<std::uint64_t, N> out{};
  const char* p = s.data();
  const char* end = s.data() + s.size();
  for (std::size_t i = 0; i < N; ++i) {
    if (i > 0) {
      if (p == end || *p != ' ') return std::nullopt;
      ++p;
    }
    auto [next, ec] = std::from_chars(p, end, out[i]);
    if (ec != std::errc{}) return std::nullopt;
    p = next;
  }
  if (p != end) return std::nullopt;
  return out;
}

// Lowers an entry's expiry atomically (never raises it, never recreates a
// deleted entry). The expiries are big-endian u64: compared byte by byte, as
// numbers; Lua's string `<=` would use the locale's collation.
constexpr const char* expire_by_script = R"(
local v = redis.call('GETRANGE', KEYS[1], 0, 7)
if string.len(v) ~= 8 then return 0 end
local new = ARGV[1]
for i = 1, 8 do
  local a, b = string.byte(v, i), string.byte(new, i)
  if a < b then return 0 end
  if a > b then
    redis.call('SETRANGE', KEYS[1], 0, new)
    redis.call('EXPIRE', KEYS[1], ARGV[2])
    return 1
  end
end
return 0)";

// A subject record is "before until asked" (decimal Unix seconds). This
// mirrors detail::subject_cutoff::after_call, atomically: "asked" only grows,
// the cut-off in force by at least one second on each call.
constexpr const char* revoke_subject_script = R"(
local b = tonumber(ARGV[1])
local a = b
local u = tonumber(ARGV[2])
local v = redis.call('GET', KEYS[1])
if v then
  local ob, ou, oa = string.match(v, '^(%d+) (%d+) ?(%d*)$')
  if ob then
    b = math.max(b, tonumber(ob) + 1)
    u = math.max(u, tonumber(ou))
    a = math.max(a, tonumber(oa) or tonumber(ob))
  end
end
redis.call('SET', KEYS[1], string.format('%d %d %d', b, u, a), 'EX', ARGV[3])
return 1)";

// A subject record, "before until asked" ("asked" absent: the cut-off in force).
struct subject_record {
  std::uint64_t before, until, asked;
};
std::optional<subject_record> subject_record_of(std::string_view text) {
  if (const auto r = numbers<3>(text)) return subject_record{(*r)[0], (*r)[1], (*r)[2]};
  if (const auto r = numbers<2>(text)) return subject_record{(*r)[0], (*r)[1], (*r)[0]};
  return std::nullopt;
}

}  // namespace

struct redis_store::impl {
  redis_store* owner = nullptr;  // reports causes through the store's diagnostic hook
  std::string prefix;
  std::unique_ptr<redis_router> router;

  void report(std::string_view what) const { owner->report(what); }

  // A reply that is not what the command gives: the store cannot judge.
  errc odd(std::string_view what) const {
    report(fmt::format("Redis: unexpected reply to {} (not a store this code wrote, or not Redis)",
                       what));
    return errc::store_unavailable;
  }

  result<redis_reply> one(redis_call c) {
    std::vector<redis_call> calls;
    calls.push_back(std::move(c));
    auto r = router->run(calls);
    if (!r) return r.error();
    return std::move(r->front());
  }

  // The secret subjects are hashed with, kept in Redis itself (made once by
  // whichever server comes first, SET NX, confirmed by replicas like a
  // revocation), fetched on first use and cached.
  std::mutex secret_mutex;
  std::optional<subject_secret> secret;

  result<subject_secret> subject_key() {
    {
      std::lock_guard lock(secret_mutex);
      if (secret) return *secret;
    }
    subject_secret fresh;
    random_fill(std::as_writable_bytes(std::span(fresh)));
    const std::string k = prefix + "subject-key";
    std::vector<redis_call> calls{
        {{"SET", k, std::string(reinterpret_cast<const char*>(fresh.data()), fresh.size()), "NX"},
         true},
        {{"GET", k}, false}};
    sodium_memzero(fresh.data(), fresh.size());
    auto r = router->run(calls);
    sodium_memzero(calls[0].args[2].data(), calls[0].args[2].size());
    if (!r) return r.error();
    const redisReply& got = *(*r)[1];
    if (got.type != REDIS_REPLY_STRING || got.len != subject_secret_bytes) {
      report(fmt::format("Redis: {} is not a subject key this store wrote", k));
      return errc::store_unavailable;
    }
    std::lock_guard lock(secret_mutex);
    secret.emplace();
    std::memcpy(secret->data(), got.str, subject_secret_bytes);
    return *secret;
  }

  ~impl() {
    if (secret) sodium_memzero(secret->data(), secret->size());
  }

  std::string key(char kind, std::string_view rest) const {
    std::string k = prefix;
    k += kind;
    k += ':';
    k += rest;
    return k;
  }

  // Adds what one primary holds to @p s: one SCAN over the prefix (bounded),
  // and for each page of entries one pipelined round trip for their heads and sizes.
  result<void> count_on(redis_node& node, store_stats& s) {
    auto size = node.command({"DBSIZE"});
    if (!size) return size.error();
    if ((*size)->type != REDIS_REPLY_INTEGER || (*size)->integer < 0) return odd("DBSIZE");
    const std::uint64_t max_calls =
        scan_base_calls + static_cast<std::uint64_t>((*size)->integer) / scan_calls_per_key_divisor;
    const std::string pattern = prefix + "*";
    std::string cursor = "0";
    std::uint64_t calls = 0;
    do {
      if (++calls > max_calls) {
        report(
            fmt::format("Redis at {}: SCAN did not finish after {} pages (a cursor that never "
                        "ends)",
                        node.endpoint().text(), max_calls));
        return errc::store_unavailable;
      }
      auto r = node.command({"SCAN", cursor, "MATCH", pattern, "COUNT", std::to_string(scan_page)});
      if (!r) return r.error();
      const redisReply& page = **r;
      if (page.type != REDIS_REPLY_ARRAY || page.elements != 2 ||
          page.element[0]->type != REDIS_REPLY_STRING ||
          page.element[1]->type != REDIS_REPLY_ARRAY || !numbers<1>(text_of(*page.element[0])))
        return odd("SCAN");
      cursor.assign(text_of(*page.element[0]));
      std::vector<redis_args> heads;
      for (std::size_t i = 0; i < page.element[1]->elements; ++i) {
        const redisReply& k = *page.element[1]->element[i];
        if (k.type != REDIS_REPLY_STRING) return odd("SCAN");
        const std::string_view name = text_of(k);
        if (name.size() < prefix.size() + 2 || name[prefix.size() + 1] != ':') continue;
        const char kind = name[prefix.size()];
        if (kind == 'r' || kind == 'k') ++s.revocations;
        if (kind != 'e') continue;
        heads.push_back({"GETRANGE", std::string(name), "0", "7"});
        heads.push_back({"STRLEN", std::string(name)});
      }
      if (heads.empty()) continue;
      auto replies = node.pipeline(heads);
      if (!replies) return replies.error();
      for (std::size_t i = 0; i < replies->size(); i += 2) {
        const redisReply& head = *(*replies)[i];
        const redisReply& len = *(*replies)[i + 1];
        if (head.type == REDIS_REPLY_ERROR || len.type == REDIS_REPLY_ERROR) {
          report(fmt::format("Redis at {}: {}", node.endpoint().text(),
                             error_text(head.type == REDIS_REPLY_ERROR ? head : len)));
          return errc::store_unavailable;
        }
        if (head.type != REDIS_REPLY_STRING || len.type != REDIS_REPLY_INTEGER)
          return odd("GETRANGE/STRLEN");
        if (head.len != 8) continue;  // gone meanwhile (expired, moved by a resharding)
        ++s.entries;
        s.bytes += static_cast<std::uint64_t>(std::max<long long>(len.integer, 0));
        const std::uint64_t e = read_be64(head.str);
        if (e != unix_never) {
          const time_point t{std::chrono::seconds(static_cast<std::int64_t>(e))};
          if (!s.oldest_expiry || t < *s.oldest_expiry) s.oldest_expiry = t;
        }
      }
    } while (cursor != "0");
    return {};
  }
};

redis_store::redis_store(redis_options options) : impl_(std::make_unique<impl>()) {
  impl_->owner = this;
  const redis_url url = parse_redis_url(options.url);
  // A hash tag in the prefix would put every key of a cluster in one slot.
  if (url.kind == redis_topology_kind::cluster && options.prefix.find('{') != std::string::npos)
    throw store_url_error("cookieseal: a Redis Cluster store's prefix must not contain '{'");
  impl_->prefix = std::move(options.prefix);
  redis_router_options ro;
  ro.link.connect_timeout = options.connect_timeout;
  ro.link.io_timeout = options.io_timeout;
  ro.link.max_idle = options.max_idle_connections;
  ro.link.user = url.user;
  ro.link.password = url.password;
  ro.link.db = url.db;
  // Fleets have replicas: an entry or revocation counts once every replica
  // that could be promoted has it.
  ro.wait_replicas =
      url.wait_replicas.value_or(url.kind == redis_topology_kind::single ? 0 : every_replica);
  impl_->router = make_redis_router(url, std::move(ro), [this](std::string_view m) { report(m); });
}

redis_store::~redis_store() = default;

result<void> redis_store::put(const entry_id& id, std::span<const std::byte> sealed,
                              std::optional<time_point> expires) {
  if (sealed.size() > max_entry_bytes) return errc::too_large;
  const std::uint64_t e = unix_seconds_or_never(expires);
  std::string value = be64_text(e);
  value.append(reinterpret_cast<const char*>(sealed.data()), sealed.size());
  redis_args args{"SET", impl_->key('e', hex_of(id)), std::move(value)};
  if (e != unix_never) args.insert(args.end(), {"EX", ttl_for(e)});
  auto r = impl_->one({std::move(args), true});
  if (!r) return r.error();
  if (!is_status_ok(**r)) return impl_->odd("SET");
  return {};
}

result<std::optional<std::vector<std::byte>>> redis_store::get(const entry_id& id, time_point now) {
  // GETRANGE, not GET: a value larger than any entry this code writes is never
  // read whole (the same 1 MiB bound as file_store). A missing key reads as "".
  static const std::string last = std::to_string(8 + max_entry_bytes);
  auto r = impl_->one({{"GETRANGE", impl_->key('e', hex_of(id)), "0", last}});
  if (!r) return r.error();
  const redisReply* v = r->get();
  if (v->type == REDIS_REPLY_NIL || (v->type == REDIS_REPLY_STRING && v->len == 0))
    return std::optional<std::vector<std::byte>>{};
  if (v->type != REDIS_REPLY_STRING || v->len < 8 || v->len > 8 + max_entry_bytes) {
    impl_->report(fmt::format("Redis: entry {} is not one this store wrote (or over {} bytes)",
                              hex_of(id), max_entry_bytes));
    return errc::store_unavailable;
  }
  if (unix_expiry_passed(read_be64(v->str), now)) return std::optional<std::vector<std::byte>>{};
  const auto* p = reinterpret_cast<const std::byte*>(v->str) + 8;
  return std::optional(std::vector<std::byte>(p, p + (v->len - 8)));
}

result<void> redis_store::erase(const entry_id& id) {
  auto r = impl_->one({{"DEL", impl_->key('e', hex_of(id))}});
  if (!r) return r.error();
  if ((*r)->type != REDIS_REPLY_INTEGER) return impl_->odd("DEL");
  return {};
}

result<void> redis_store::expire_by(const entry_id& id, time_point expires) {
  const std::uint64_t e = unix_seconds_or_never(expires);
  auto r = impl_->one(
      {{"EVAL", expire_by_script, "1", impl_->key('e', hex_of(id)), be64_text(e), ttl_for(e)},
       false,
       3});
  if (!r) return r.error();
  if ((*r)->type != REDIS_REPLY_INTEGER) return impl_->odd("EVAL (expire_by)");
  return {};
}

result<std::uint64_t> redis_store::collect_garbage(time_point) { return std::uint64_t{0}; }

result<store_stats> redis_store::stats() {
  store_stats s;
  auto r =
      impl_->router->for_each_primary([&](redis_node& node) { return impl_->count_on(node, s); });
  if (!r) return r.error();
  return s;
}

result<void> redis_store::revoke_session(const session_id& id, time_point until) {
  const std::uint64_t u = unix_seconds_or_never(until);
  auto r =
      impl_->one({{"SET", impl_->key('r', hex_of(id)), std::to_string(u), "EX", ttl_for(u)}, true});
  if (!r) return r.error();
  if (!is_status_ok(**r)) return impl_->odd("SET");
  return {};
}

result<void> redis_store::revoke_subject(std::string_view subject, time_point before,
                                         time_point until) {
  const std::uint64_t u = unix_seconds_or_never(until);
  auto secret = impl_->subject_key();
  if (!secret) return secret.error();
  auto r = impl_->one(
      {{"EVAL", revoke_subject_script, "1", impl_->key('k', subject_hash_hex(subject, *secret)),
        std::to_string(unix_seconds_or_never(before)), std::to_string(u), ttl_for(u)},
       true,
       3});
  if (!r) return r.error();
  if ((*r)->type != REDIS_REPLY_INTEGER) return impl_->odd("EVAL (revoke_subject)");
  return {};
}

result<std::optional<time_point>> redis_store::fresh_created_at(const session_id& id,
                                                                std::string_view subject,
                                                                time_point created,
                                                                time_point now) {
  auto secret = impl_->subject_key();
  if (!secret) return secret.error();
  // As is_revoked: two GETs (two slots on a cluster), pipelined.
  std::vector<redis_call> calls{{{"GET", impl_->key('r', hex_of(id))}},
                                {{"GET", impl_->key('k', subject_hash_hex(subject, *secret))}}};
  auto r = impl_->router->run(calls);
  if (!r) return r.error();
  for (const auto& rep : *r)
    if (rep->type != REDIS_REPLY_NIL && rep->type != REDIS_REPLY_STRING) return impl_->odd("GET");
  if (const redisReply& v = *(*r)[0]; v.type == REDIS_REPLY_STRING) {
    const auto until = numbers<1>(text_of(v));
    if (!until) return impl_->odd("GET (session revocation)");
    if (!unix_expiry_passed((*until)[0], now)) return std::optional<time_point>();
  }
  const redisReply& v = *(*r)[1];
  if (v.type != REDIS_REPLY_STRING) return std::optional(created);
  const auto rec = subject_record_of(text_of(v));
  if (!rec) return impl_->odd("GET (subject revocation)");
  if (unix_expiry_passed(rec->until, now)) return std::optional(created);
  const auto moved = detail::subject_cutoff{rec->before, rec->asked}.created_at_for(
      unix_seconds_or_never(created));
  if (!moved) return std::optional<time_point>();
  return std::optional(from_unix_seconds(*moved));
}

result<bool> redis_store::is_revoked(const session_id& id, std::string_view subject,
                                     time_point created_at, time_point now) {
  // Two keys in two slots: no MGET (a cluster refuses it, CROSSSLOT). The
  // router pipelines both GETs: one round trip per node they live on.
  std::vector<redis_call> calls{{{"GET", impl_->key('r', hex_of(id))}}};
  if (!subject.empty()) {
    auto secret = impl_->subject_key();
    if (!secret) return secret.error();
    calls.push_back({{"GET", impl_->key('k', subject_hash_hex(subject, *secret))}});
  }
  auto r = impl_->router->run(calls);
  if (!r) return r.error();
  // Anything but nil or a record this store writes is an answer we cannot
  // read: undecided, never "not revoked".
  for (const auto& rep : *r)
    if (rep->type != REDIS_REPLY_NIL && rep->type != REDIS_REPLY_STRING) return impl_->odd("GET");
  if (const redisReply& v = *(*r)[0]; v.type == REDIS_REPLY_STRING) {
    const auto until = numbers<1>(text_of(v));
    if (!until) return impl_->odd("GET (session revocation)");
    if (!unix_expiry_passed((*until)[0], now)) return true;
  }
  if (r->size() > 1)
    if (const redisReply& v = *(*r)[1]; v.type == REDIS_REPLY_STRING) {
      const auto rec = subject_record_of(text_of(v));
      if (!rec) return impl_->odd("GET (subject revocation)");
      if (!unix_expiry_passed(rec->until, now) && unix_seconds_or_never(created_at) < rec->before)
        return true;
    }
  return false;
}

}  // namespace cookieseal
