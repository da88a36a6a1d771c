#include <cookieseal/redis_store.hpp>

#include "detail/random.hpp"
#include "detail/store_encoding.hpp"

#include <fmt/format.h>
#include <hiredis/hiredis.h>
#include <sodium.h>

#include <charconv>
#include <cstring>
#include <mutex>
#include <optional>
#include <span>
#include <stdexcept>
#include <vector>

namespace cookieseal {

using namespace detail;  // store_encoding.hpp: both stores encode alike

namespace {

// Redis removes keys this long after their logical expiry; reads check the
// logical expiry stored in the value, so an injected clock stays correct.
constexpr std::int64_t ttl_slack_seconds = 300;

struct context_free {
  void operator()(redisContext* c) const noexcept { redisFree(c); }
};
using connection = std::unique_ptr<redisContext, context_free>;

struct reply_free {
  void operator()(redisReply* r) const noexcept { freeReplyObject(r); }
};
using reply = std::unique_ptr<redisReply, reply_free>;

struct parsed_url {
  std::string host, socket_path, user, password;
  int port = 6379;
  int db = 0;
};

int parse_int(std::string_view s, const char* what, int max) {
  int v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size() || v < 0 || v > max)
    throw store_url_error(std::string("cookieseal: bad ") + what + " in Redis URL");
  return v;
}

parsed_url parse_url(std::string_view url) {
  parsed_url p;
  if (url.rfind("rediss://", 0) == 0)
    throw store_url_error(
        "cookieseal: rediss:// (TLS) is not supported: this build's hiredis 0.14 has no TLS; "
        "reach Redis over a TLS tunnel (stunnel, spiped) as redis://127.0.0.1:PORT");
  if (url.rfind("unix://", 0) == 0) {
    std::string_view rest = url.substr(7);
    if (auto q = rest.find('?'); q != std::string_view::npos) {
      std::string_view query = rest.substr(q + 1);
      rest = rest.substr(0, q);
      if (query.rfind("db=", 0) != 0)
        throw store_url_error("cookieseal: unix:// URLs take only ?db=N");
      p.db = parse_int(query.substr(3), "database number", 1 << 20);
    }
    if (rest.empty() || rest[0] != '/')
      throw store_url_error("cookieseal: unix:// needs an absolute socket path");
    p.socket_path = std::string(rest);
    return p;
  }
  if (url.rfind("redis://", 0) != 0)
    throw store_url_error("cookieseal: a Redis URL starts with redis:// or unix://");
  std::string_view rest = url.substr(8);
  if (auto at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    const auto colon = userinfo.find(':');
    if (colon == std::string_view::npos)
      throw store_url_error("cookieseal: Redis credentials are [user]:password@");
    p.user = std::string(userinfo.substr(0, colon));
    p.password = std::string(userinfo.substr(colon + 1));
  }
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    if (slash + 1 < rest.size())
      p.db = parse_int(rest.substr(slash + 1), "database number", 1 << 20);
    rest = rest.substr(0, slash);
  }
  if (!rest.empty() && rest[0] == '[') {  // [IPv6]:port
    const auto close = rest.find(']');
    if (close == std::string_view::npos)
      throw store_url_error("cookieseal: bad IPv6 host in Redis URL");
    p.host = std::string(rest.substr(1, close - 1));
    rest = rest.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':') throw store_url_error("cookieseal: bad Redis URL after the host");
      p.port = parse_int(rest.substr(1), "port", 65535);
    }
  } else {
    const auto colon = rest.find(':');
    p.host = std::string(rest.substr(0, colon));
    if (colon != std::string_view::npos) p.port = parse_int(rest.substr(colon + 1), "port", 65535);
  }
  if (p.host.empty()) throw store_url_error("cookieseal: the Redis URL has no host");
  return p;
}

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<decltype(tv.tv_sec)>(ms.count() / 1000);
  tv.tv_usec = static_cast<decltype(tv.tv_usec)>((ms.count() % 1000) * 1000);
  return tv;
}

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

// Keeps the latest "before" and "until" of a subject revocation.
constexpr const char* revoke_subject_script = R"(
local b = tonumber(ARGV[1])
local u = tonumber(ARGV[2])
local v = redis.call('GET', KEYS[1])
if v then
  local ob, ou = string.match(v, '^(%d+) (%d+)$')
  if ob then b = math.max(b, tonumber(ob)); u = math.max(u, tonumber(ou)) end
end
redis.call('SET', KEYS[1], string.format('%d %d', b, u), 'EX', ARGV[3])
return 1)";

}  // namespace

struct redis_store::impl {
  redis_store* owner = nullptr;  // reports causes through the store's diagnostic hook
  redis_options options;
  parsed_url url;
  std::mutex mutex;
  std::vector<connection> idle;

  std::string endpoint() const {
    return url.socket_path.empty() ? fmt::format("{}:{}", url.host, url.port) : url.socket_path;
  }

  void report(std::string_view what) const { owner->report(what); }

  // What hiredis says of a failed connection, in an operator's words.
  std::string why(const redisContext* c) const {
    if (c == nullptr) return "out of memory for a Redis connection";
    const std::string_view err = c->errstr;
    if (err.find("temporarily unavailable") != std::string_view::npos ||
        err.find("timed out") != std::string_view::npos)
      return fmt::format("timed out talking to Redis at {} (connect {} ms, I/O {} ms)", endpoint(),
                         options.connect_timeout.count(), options.io_timeout.count());
    return fmt::format("Redis at {}: {}", endpoint(), err);
  }

  connection connect() const {
    const timeval ct = to_timeval(options.connect_timeout);
    connection c(url.socket_path.empty()
                     ? redisConnectWithTimeout(url.host.c_str(), url.port, ct)
                     : redisConnectUnixWithTimeout(url.socket_path.c_str(), ct));
    if (!c || c->err) {
      report(fmt::format("cannot connect: {}", why(c.get())));
      return nullptr;
    }
    if (redisSetTimeout(c.get(), to_timeval(options.io_timeout)) != REDIS_OK) {
      report(why(c.get()));
      return nullptr;
    }
    auto ok = [&](std::vector<std::string> args) {
      std::vector<const char*> argv;
      std::vector<std::size_t> lens;
      for (const auto& a : args) argv.push_back(a.data()), lens.push_back(a.size());
      reply r(static_cast<redisReply*>(
          redisCommandArgv(c.get(), static_cast<int>(argv.size()), argv.data(), lens.data())));
      if (!r) {
        report(why(c.get()));
        return false;
      }
      if (r->type == REDIS_REPLY_ERROR) {  // Redis's words never hold the password
        report(fmt::format("Redis at {} refused {}: {}", endpoint(), args[0],
                           std::string_view(r->str, r->len)));
        return false;
      }
      return true;
    };
    if (!url.password.empty()) {
      const bool authed =
          url.user.empty() ? ok({"AUTH", url.password}) : ok({"AUTH", url.user, url.password});
      if (!authed) return nullptr;
    }
    if (url.db != 0 && !ok({"SELECT", std::to_string(url.db)})) return nullptr;
    return c;
  }

  // Runs one command on a pooled connection; a connection that fails is
  // dropped, and a stale pooled one (Redis restarted) is retried once fresh.
  result<reply> command(const std::vector<std::string_view>& args) {
    std::vector<const char*> argv;
    std::vector<std::size_t> lens;
    for (auto a : args) argv.push_back(a.data()), lens.push_back(a.size());
    for (int attempt = 0; attempt < 2; ++attempt) {
      connection c;
      bool pooled = false;
      {
        std::lock_guard lock(mutex);
        if (!idle.empty()) {
          c = std::move(idle.back());
          idle.pop_back();
          pooled = true;
        }
      }
      if (!c) c = connect();
      if (!c) return errc::store_unavailable;
      reply r(static_cast<redisReply*>(
          redisCommandArgv(c.get(), static_cast<int>(argv.size()), argv.data(), lens.data())));
      if (!r || c->err) {
        if (pooled) continue;  // probably a connection Redis closed: try once with a new one
        report(why(c.get()));
        return errc::store_unavailable;
      }
      {
        std::lock_guard lock(mutex);
        if (idle.size() < options.max_idle_connections) idle.push_back(std::move(c));
      }
      if (r->type == REDIS_REPLY_ERROR) {
        report(fmt::format("Redis at {}: {}", endpoint(), std::string_view(r->str, r->len)));
        return errc::store_unavailable;
      }
      return r;
    }
    return errc::store_unavailable;
  }

  // The secret subjects are hashed with, kept in Redis itself (made once by
  // whichever server comes first, SET NX), fetched on first use and cached.
  std::mutex secret_mutex;
  std::optional<subject_secret> secret;

  result<subject_secret> subject_key() {
    {
      std::lock_guard lock(secret_mutex);
      if (secret) return *secret;
    }
    subject_secret fresh;
    random_fill(std::as_writable_bytes(std::span(fresh)));
    const std::string k = options.prefix + "subject-key";
    auto set = command({"SET", k,
                        std::string_view(reinterpret_cast<const char*>(fresh.data()), fresh.size()),
                        "NX"});
    sodium_memzero(fresh.data(), fresh.size());
    if (!set) return set.error();
    auto got = command({"GET", k});
    if (!got) return got.error();
    if ((*got)->type != REDIS_REPLY_STRING || (*got)->len != subject_secret_bytes) {
      report(fmt::format("Redis at {}: {} is not a subject key this store wrote", endpoint(), k));
      return errc::store_unavailable;
    }
    std::lock_guard lock(secret_mutex);
    secret.emplace();
    std::memcpy(secret->data(), (*got)->str, subject_secret_bytes);
    return *secret;
  }

  ~impl() {
    if (secret) sodium_memzero(secret->data(), secret->size());
  }

  std::string key(char kind, std::string_view rest) const {
    std::string k = options.prefix;
    k += kind;
    k += ':';
    k += rest;
    return k;
  }

  result<std::uint64_t> count_keys(char kind) {
    std::uint64_t n = 0;
    std::string cursor = "0";
    const std::string pattern = key(kind, "*");
    do {
      auto r = command({"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"});
      if (!r) return r.error();
      if ((*r)->type != REDIS_REPLY_ARRAY || (*r)->elements != 2) return errc::store_unavailable;
      cursor.assign((*r)->element[0]->str, (*r)->element[0]->len);
      n += (*r)->element[1]->elements;
    } while (cursor != "0");
    return n;
  }
};

redis_store::redis_store(redis_options options) : impl_(std::make_unique<impl>()) {
  impl_->owner = this;
  impl_->url = parse_url(options.url);
  impl_->options = std::move(options);
}

redis_store::~redis_store() = default;

result<void> redis_store::put(const entry_id& id, std::span<const std::byte> sealed,
                              std::optional<time_point> expires) {
  if (sealed.size() > max_entry_bytes) return errc::too_large;
  const std::uint64_t e = unix_seconds_or_never(expires);
  std::string value = be64_text(e);
  value.append(reinterpret_cast<const char*>(sealed.data()), sealed.size());
  const std::string k = impl_->key('e', hex_of(id));
  auto r = e == unix_never ? impl_->command({"SET", k, value})
                           : impl_->command({"SET", k, value, "EX", ttl_for(e)});
  if (!r) return r.error();
  return {};
}

result<std::optional<std::vector<std::byte>>> redis_store::get(const entry_id& id, time_point now) {
  // GETRANGE, not GET: a value larger than any entry this code writes is never
  // read whole (the same 1 MiB bound as file_store). A missing key reads as "".
  static const std::string last = std::to_string(8 + max_entry_bytes);
  auto r = impl_->command({"GETRANGE", impl_->key('e', hex_of(id)), "0", last});
  if (!r) return r.error();
  const redisReply* v = r->get();
  if (v->type == REDIS_REPLY_NIL || (v->type == REDIS_REPLY_STRING && v->len == 0))
    return std::optional<std::vector<std::byte>>{};
  if (v->type != REDIS_REPLY_STRING || v->len < 8 || v->len > 8 + max_entry_bytes) {
    impl_->report(
        fmt::format("Redis at {}: entry {} is not one this store wrote (or over {} bytes)",
                    impl_->endpoint(), hex_of(id), max_entry_bytes));
    return errc::store_unavailable;
  }
  if (unix_expiry_passed(read_be64(v->str), now)) return std::optional<std::vector<std::byte>>{};
  const auto* p = reinterpret_cast<const std::byte*>(v->str) + 8;
  return std::optional(std::vector<std::byte>(p, p + (v->len - 8)));
}

result<void> redis_store::erase(const entry_id& id) {
  auto r = impl_->command({"DEL", impl_->key('e', hex_of(id))});
  if (!r) return r.error();
  return {};
}

result<void> redis_store::expire_by(const entry_id& id, time_point expires) {
  const std::uint64_t e = unix_seconds_or_never(expires);
  auto r = impl_->command(
      {"EVAL", expire_by_script, "1", impl_->key('e', hex_of(id)), be64_text(e), ttl_for(e)});
  if (!r) return r.error();
  return {};
}

result<std::uint64_t> redis_store::collect_garbage(time_point) { return std::uint64_t{0}; }

result<store_stats> redis_store::stats() {
  store_stats s;
  std::string cursor = "0";
  const std::string pattern = impl_->key('e', "*");
  do {
    auto r = impl_->command({"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"});
    if (!r) return r.error();
    if ((*r)->type != REDIS_REPLY_ARRAY || (*r)->elements != 2) return errc::store_unavailable;
    cursor.assign((*r)->element[0]->str, (*r)->element[0]->len);
    const redisReply* keys = (*r)->element[1];
    for (std::size_t i = 0; i < keys->elements; ++i) {
      const std::string_view k(keys->element[i]->str, keys->element[i]->len);
      auto head = impl_->command({"GETRANGE", k, "0", "7"});
      auto len = impl_->command({"STRLEN", k});
      if (!head || !len) return errc::store_unavailable;
      if ((*head)->type != REDIS_REPLY_STRING || (*head)->len != 8) continue;  // gone meanwhile
      ++s.entries;
      s.bytes += static_cast<std::uint64_t>((*len)->integer);
      const std::uint64_t e = read_be64((*head)->str);
      if (e != unix_never) {
        const time_point t{std::chrono::seconds(static_cast<std::int64_t>(e))};
        if (!s.oldest_expiry || t < *s.oldest_expiry) s.oldest_expiry = t;
      }
    }
  } while (cursor != "0");
  for (char kind : {'r', 'k', 'u'}) {
    auto n = impl_->count_keys(kind);
    if (!n) return n.error();
    s.revocations += *n;
  }
  return s;
}

result<void> redis_store::revoke_session(const session_id& id, time_point until) {
  const std::uint64_t u = unix_seconds_or_never(until);
  auto r =
      impl_->command({"SET", impl_->key('r', hex_of(id)), std::to_string(u), "EX", ttl_for(u)});
  if (!r) return r.error();
  return {};
}

result<void> redis_store::revoke_subject(std::string_view subject, time_point before,
                                         time_point until) {
  const std::uint64_t u = unix_seconds_or_never(until);
  auto secret = impl_->subject_key();
  if (!secret) return secret.error();
  auto r = impl_->command(
      {"EVAL", revoke_subject_script, "1", impl_->key('k', subject_hash_hex(subject, *secret)),
       std::to_string(unix_seconds_or_never(before)), std::to_string(u), ttl_for(u)});
  if (!r) return r.error();
  return {};
}

result<bool> redis_store::is_revoked(const session_id& id, std::string_view subject,
                                     time_point created_at, time_point now) {
  const std::string session_key = impl_->key('r', hex_of(id));
  std::string subject_key, legacy_key;
  if (!subject.empty()) {
    auto secret = impl_->subject_key();
    if (!secret) return secret.error();
    subject_key = impl_->key('k', subject_hash_hex(subject, *secret));
    legacy_key = impl_->key('u', subject);  // as earlier versions named it, in clear
  }
  // One round trip for every lookup.
  auto r = subject.empty() ? impl_->command({"MGET", session_key})
                           : impl_->command({"MGET", session_key, subject_key, legacy_key});
  if (!r) return r.error();
  const redisReply* a = r->get();
  if (a->type != REDIS_REPLY_ARRAY) return errc::store_unavailable;
  auto number = [](const redisReply* e, std::size_t& pos) -> std::optional<std::uint64_t> {
    std::uint64_t v = 0;
    auto [end, ec] = std::from_chars(e->str + pos, e->str + e->len, v);
    if (ec != std::errc{}) return std::nullopt;
    pos = static_cast<std::size_t>(end - e->str) + 1;
    return v;
  };
  if (a->elements >= 1 && a->element[0]->type == REDIS_REPLY_STRING) {
    std::size_t pos = 0;
    if (auto until = number(a->element[0], pos); until && !unix_expiry_passed(*until, now))
      return true;
  }
  for (std::size_t i = 1; i < a->elements; ++i) {  // the keyed subject record, then a legacy one
    if (a->element[i]->type != REDIS_REPLY_STRING) continue;
    std::size_t pos = 0;
    const auto before = number(a->element[i], pos);
    const auto until = pos < a->element[i]->len ? number(a->element[i], pos) : std::nullopt;
    if (before && until && !unix_expiry_passed(*until, now) &&
        unix_seconds_or_never(created_at) < *before)
      return true;
  }
  return false;
}

}  // namespace cookieseal
