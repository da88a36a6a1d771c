#include "detail/redis_node.hpp"

#include <cookieseal/error.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace cookieseal::detail {

namespace {

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<decltype(tv.tv_sec)>(ms.count() / 1000);
  tv.tv_usec = static_cast<decltype(tv.tv_usec)>((ms.count() % 1000) * 1000);
  return tv;
}

// hiredis 0.14 has no redisAppendCommandArgv overload for std::string.
int append(redisContext* c, const redis_args& args) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lens;
  argv.reserve(args.size());
  lens.reserve(args.size());
  for (const auto& a : args) argv.push_back(a.data()), lens.push_back(a.size());
  return redisAppendCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lens.data());
}

}  // namespace

std::string escape_redis_text(std::string_view text, std::size_t max) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (out.size() >= max) {
      out += "...";
      break;
    }
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\')
      out += static_cast<char>(c);
    else
      out += fmt::format("\\x{:02x}", c);
  }
  return out;
}

std::string error_text(const redisReply& r) {
  return escape_redis_text(std::string_view(r.str != nullptr ? r.str : "", r.len));
}

bool is_error(const redisReply& r, std::string_view code) {
  if (r.type != REDIS_REPLY_ERROR || r.str == nullptr) return false;
  const std::string_view t(r.str, r.len);
  return t.substr(0, code.size()) == code && (t.size() == code.size() || t[code.size()] == ' ');
}

redis_node::redis_node(redis_endpoint where, redis_link link, redis_reporter report)
    : where_(std::move(where)), link_(std::move(link)), report_(std::move(report)) {}

namespace {

// hiredis 0.14 says a timeout through errno: EAGAIN's text, or ETIMEDOUT's.
bool timed_out(const redisContext* c) {
  if (c == nullptr) return false;
  const std::string_view err = c->errstr;
  return err.find("temporarily unavailable") != std::string_view::npos ||
         err.find("timed out") != std::string_view::npos;
}

}  // namespace

static std::int64_t steady_ms() noexcept {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void redis_node::failed(const redisContext* c, std::string_view context) {
  if (timed_out(c)) {
    stalled_until_ = steady_ms() + std::max(link_.io_timeout, link_.connect_timeout).count();
    // Idle connections may be dead the same way (a proxy or NAT that dropped
    // them silently): none is tried again.
    drop_idle();
  }
  report_(context.empty() ? why(c) : fmt::format("{}: {}", context, why(c)));
}

bool redis_node::stalled() const noexcept { return steady_ms() < stalled_until_; }

void redis_node::drop_idle() {
  std::vector<connection> dropped;
  std::lock_guard lock(mutex_);
  dropped.swap(idle_);
}

std::string redis_node::why(const redisContext* c) const {
  if (c == nullptr) return "out of memory for a Redis connection";
  const std::string_view err = c->errstr;
  if (timed_out(c))
    return fmt::format("timed out talking to Redis at {} (connect {} ms, I/O {} ms)", where_.text(),
                       link_.connect_timeout.count(), link_.io_timeout.count());
  return fmt::format("Redis at {}: {}", where_.text(), escape_redis_text(err));
}

redis_node::connection redis_node::connect() {
  const timeval ct = to_timeval(link_.connect_timeout);
  connection c(where_.socket_path.empty()
                   ? redisConnectWithTimeout(where_.host.c_str(), where_.port, ct)
                   : redisConnectUnixWithTimeout(where_.socket_path.c_str(), ct));
  if (!c || c->err) {
    failed(c.get(), "cannot connect");
    return nullptr;
  }
  if (redisSetTimeout(c.get(), to_timeval(link_.io_timeout)) != REDIS_OK) {
    failed(c.get());
    return nullptr;
  }
  auto ok = [&](const redis_args& args) {
    redis_reply r;
    void* raw = nullptr;
    if (append(c.get(), args) == REDIS_OK && redisGetReply(c.get(), &raw) == REDIS_OK)
      r.reset(static_cast<redisReply*>(raw));
    if (!r) {
      failed(c.get());
      return false;
    }
    if (r->type == REDIS_REPLY_ERROR) {  // Redis's words never hold the password
      report_(fmt::format("Redis at {} refused {}: {}", where_.text(), args[0], error_text(*r)));
      return false;
    }
    return true;
  };
  if (!link_.password.empty()) {
    const bool authed = link_.user.empty() ? ok({"AUTH", link_.password})
                                           : ok({"AUTH", link_.user, link_.password});
    if (!authed) return nullptr;
  }
  if (link_.db != 0 && !ok({"SELECT", std::to_string(link_.db)})) return nullptr;
  return c;
}

result<std::vector<redis_reply>> redis_node::pipeline(std::span<const redis_args> commands) {
  std::vector<const redis_args*> p;
  p.reserve(commands.size());
  for (const auto& c : commands) p.push_back(&c);
  return pipeline(p, {});
}

result<std::vector<redis_reply>> redis_node::pipeline(std::span<const redis_args* const> commands,
                                                      const follow_up& then) {
  // A stalled node: the first call waits on it, on a fresh connection (and
  // clears the stall when answered), every other fails at once until then.
  const bool probe = stalled() && !probing_.exchange(true);
  if (!probe && stalled()) {
    report_(fmt::format("Redis at {} is not answering (timed out; another call is waiting on it)",
                        where_.text()));
    return errc::store_unavailable;
  }
  struct end_probe {
    std::atomic<bool>* probing;
    ~end_probe() {
      if (probing != nullptr) *probing = false;
    }
  } ending{probe ? &probing_ : nullptr};
  for (int attempt = 0; attempt < 2; ++attempt) {
    connection c;
    bool pooled = false;
    if (!probe) {
      std::lock_guard lock(mutex_);
      if (!idle_.empty()) {
        c = std::move(idle_.back());
        idle_.pop_back();
        pooled = true;
      }
    }
    if (!c) c = connect();
    if (!c) return errc::store_unavailable;
    bool sent = true;
    for (const redis_args* args : commands) sent = sent && append(c.get(), *args) == REDIS_OK;
    std::vector<redis_reply> replies;
    bool clean = sent;
    for (std::size_t i = 0; sent && i < commands.size(); ++i) {
      void* raw = nullptr;
      if (redisGetReply(c.get(), &raw) != REDIS_OK || raw == nullptr) {
        sent = false;
        break;
      }
      replies.emplace_back(static_cast<redisReply*>(raw));
      if (replies.back()->type == REDIS_REPLY_ERROR) clean = false;
    }
    if (sent && !c->err && then) {
      if (auto next = then(replies)) {
        void* raw = nullptr;
        if (append(c.get(), *next) != REDIS_OK || redisGetReply(c.get(), &raw) != REDIS_OK ||
            raw == nullptr) {
          failed(c.get());
          return errc::store_unavailable;  // the first part was sent: never again
        }
        replies.emplace_back(static_cast<redisReply*>(raw));
        if (replies.back()->type == REDIS_REPLY_ERROR) clean = false;
      }
    }
    if (!sent || c->err) {
      // A pooled connection that failed before any reply is most likely one
      // the server closed (a restart) or a proxy dropped: one fresh try (after
      // a timeout the node counts as stalled meanwhile: the others fail at
      // once). Any other failure stands.
      if (pooled && replies.empty()) {
        if (timed_out(c.get())) failed(c.get());
        continue;
      }
      failed(c.get());
      return errc::store_unavailable;
    }
    stalled_until_ = 0;  // it answered
    if (clean) {
      std::lock_guard lock(mutex_);
      if (idle_.size() < link_.max_idle) idle_.push_back(std::move(c));
    }
    return replies;
  }
  return errc::store_unavailable;
}

result<redis_reply> redis_node::command(const redis_args& args) {
  auto r = pipeline(std::span(&args, 1));
  if (!r) return r.error();
  redis_reply one = std::move(r->front());
  if (one->type == REDIS_REPLY_ERROR) {
    report_(fmt::format("Redis at {}: {}", where_.text(), error_text(*one)));
    return errc::store_unavailable;
  }
  return one;
}

}  // namespace cookieseal::detail
