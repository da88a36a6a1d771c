// Requests from 4 threads through session_manager against a store while a
// test breaks the Redis fleet behind it (failovers, a resharding), and the
// figures issue 22 asks for: sessions wrongly refused or cleared, the
// undecided window of each fault, and acknowledged writes (session updates,
// logouts) that did not survive.
#pragma once

#include <cookieseal/session_manager.hpp>

#include "test_support.hpp"

#include <hiredis/hiredis.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace test {

/// One reply of a raw command to 127.0.0.1:@p port, as text ("" on failure); arrays joined by
/// spaces. For the test's own control of the fleet, never for the store.
inline std::string ask_redis(int port, const std::vector<std::string>& args) {
  timeval tv{2, 0};
  redisContext* c = redisConnectWithTimeout("127.0.0.1", port, tv);
  if (c == nullptr || c->err) {
    if (c) redisFree(c);
    return "";
  }
  redisSetTimeout(c, tv);
  std::vector<const char*> argv;
  std::vector<std::size_t> lens;
  for (const auto& a : args) argv.push_back(a.data()), lens.push_back(a.size());
  auto* r = static_cast<redisReply*>(
      redisCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lens.data()));
  std::string out;
  auto text = [](const redisReply* e) -> std::string {
    if (e->type == REDIS_REPLY_INTEGER) return std::to_string(e->integer);
    if (e->str != nullptr) return std::string(e->str, e->len);
    return "";
  };
  if (r != nullptr) {
    if (r->type == REDIS_REPLY_ARRAY)
      for (std::size_t i = 0; i < r->elements; ++i) out += (i ? " " : "") + text(r->element[i]);
    else
      out = text(r);
    freeReplyObject(r);
  }
  redisFree(c);
  return out;
}

/// Polls @p ok every 100 ms for at most @p limit; whether it came true.
template <class F>
bool eventually(F ok, std::chrono::milliseconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (ok()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return ok();
}

class fleet_traffic {
 public:
  struct figures {
    int opened = 0, undecided = 0, wrongly_refused = 0, cleared = 0, wrong_data = 0,
        revoked_opened = 0, logouts = 0, saves = 0, failed_saves = 0;
  };

  /// @p sessions of which every third overflows into the store (a 6000-byte cart).
  fleet_traffic(const cookieseal::codec& codec, const cookieseal::session_manager& manager,
                int sessions)
      : codec_(codec), manager_(manager) {
    for (int i = 0; i < sessions; ++i) {
      auto t = std::make_unique<slot>();
      t->subject = "user-" + std::to_string(i);
      t->big = i % 3 == 0;
      all_.push_back(std::move(t));
    }
  }

  /// Logs every session in (retrying while the store cannot answer); false if one never could.
  bool log_in_all() {
    for (auto& t : all_) {
      for (int attempt = 0; attempt < 50 && !log_in(*t); ++attempt)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      if (t->cookie.empty()) return false;
    }
    return true;
  }

  void start() {
    stop_ = false;
    for (unsigned s = 1; s <= 4; ++s) threads_.emplace_back([this, s] { work(s * 7919u); });
  }

  void stop() {
    stop_ = true;
    for (auto& t : threads_) t.join();
    threads_.clear();
  }

  /// Starts timing a fault: window() is then the span of the undecided requests since.
  void begin_fault() {
    std::lock_guard lock(window_mutex_);
    undecided_ = {};
    unsaved_ = {};
  }

  /// From the first to the last undecided request since begin_fault() (0 if none).
  std::chrono::milliseconds window() {
    std::lock_guard lock(window_mutex_);
    return undecided_.length();
  }

  /// From the first to the last save that was not acknowledged since begin_fault().
  std::chrono::milliseconds unsaved_window() {
    std::lock_guard lock(window_mutex_);
    return unsaved_.length();
  }

  /// Opens every session once the fleet is whole: each acknowledged write must be there.
  /// Returns how many were lost (a session not opening with its last acknowledged visits, a
  /// logged-out one opening).
  int lost_acknowledged_writes() {
    int lost = 0;
    auto settled = [&](const std::string& cookie) {
      cookieseal::request_session r = manager_.load(cookie);
      for (int attempt = 0; attempt < 30 && r.undecided(); ++attempt) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        r = manager_.load(cookie);
      }
      return r;
    };
    for (const auto& cookie : revoked_)
      if (settled(cookie).outcome() != cookieseal::outcome::refused) ++lost;
    for (auto& t : all_) {
      if (t->cookie.empty()) continue;  // its last login was never acknowledged
      auto r = settled(t->cookie);
      if (r.outcome() != cookieseal::outcome::opened ||
          r.session().get<std::int64_t>("visits") != t->visits ||
          (t->big && r.session().get<std::string>("cart") != cart_of(*t)))
        ++lost;
    }
    return lost;
  }

  figures totals() const {
    figures f;
    f.opened = n_.opened;
    f.undecided = n_.undecided;
    f.wrongly_refused = n_.wrongly_refused;
    f.cleared = n_.cleared;
    f.wrong_data = n_.wrong_data;
    f.revoked_opened = n_.revoked_opened;
    f.logouts = n_.logouts;
    f.saves = n_.saves;
    f.failed_saves = n_.failed_saves;
    return f;
  }

 private:
  struct slot {
    std::mutex mutex;
    std::string subject, cookie;  // the latest "name=value" the browser holds
    std::int64_t visits = 0;
    bool big = false;
  };

  struct counters {
    std::atomic<int> opened{0}, undecided{0}, wrongly_refused{0}, cleared{0}, wrong_data{0},
        revoked_opened{0}, logouts{0}, saves{0}, failed_saves{0};
  };

  static std::string cart_of(const slot& t) { return std::string(6000, t.subject.back()); }

  static std::optional<std::string> cookie_of(const std::vector<cookieseal::http::header>& h) {
    for (const auto& x : h)
      if (x.name == "Set-Cookie") return x.value.substr(0, x.value.find(';'));
    return std::nullopt;
  }

  static bool clears(const std::vector<cookieseal::http::header>& h) {
    for (const auto& x : h)
      if (x.name == "Set-Cookie" && x.value.find("Max-Age=0") != std::string::npos) return true;
    return false;
  }

  struct span {
    std::optional<std::chrono::steady_clock::time_point> first, last;
    void note() {
      const auto now = std::chrono::steady_clock::now();
      if (!first) first = now;
      last = now;
    }
    std::chrono::milliseconds length() const {
      if (!first) return std::chrono::milliseconds(0);
      return std::chrono::duration_cast<std::chrono::milliseconds>(*last - *first);
    }
  };

  void note_undecided() {
    ++n_.undecided;
    std::lock_guard lock(window_mutex_);
    undecided_.note();
  }

  void note_unsaved() {
    ++n_.failed_saves;
    std::lock_guard lock(window_mutex_);
    unsaved_.note();
  }

  // A fresh login on @p r (or a fresh request): acknowledged only if save succeeds.
  bool log_in(slot& t, std::optional<cookieseal::request_session> r = std::nullopt) {
    if (!r) r = manager_.load("");
    r->session().login(t.subject, codec_.now());
    r->session().set("visits", std::int64_t{0});
    if (t.big) r->session().set("cart", cart_of(t));
    t.cookie.clear();  // the old cookie is ended or unknown from here on
    auto h = manager_.save(*r);
    if (!h || !cookie_of(*h)) return false;
    t.cookie = *cookie_of(*h);
    t.visits = 0;
    return true;
  }

  void check_revoked(unsigned i) {
    std::string cookie;
    {
      std::lock_guard lock(revoked_mutex_);
      if (revoked_.empty()) return;
      cookie = revoked_[i % revoked_.size()];
    }
    auto r = manager_.load(cookie);
    if (r.undecided()) note_undecided();
    if (r.outcome() == cookieseal::outcome::opened) ++n_.revoked_opened;
  }

  void work(unsigned seed) {
    unsigned i = seed;
    while (!stop_) {
      i = i * 1103515245u + 12345u;
      if ((i >> 4) % 10 == 0) {  // a copy of a logged-out cookie comes back
        check_revoked(i >> 8);
        continue;
      }
      slot& t = *all_[(i >> 8) % all_.size()];
      std::lock_guard lock(t.mutex);  // one browser sends one request at a time
      if (t.cookie.empty()) {
        if (!log_in(t)) note_unsaved();
        continue;
      }
      auto r = manager_.load(t.cookie);
      if (r.undecided()) {
        note_undecided();
        r.session().set("visits", std::int64_t{-1});  // the handler runs; nothing may be sent
        if (auto h = manager_.save(r); h && cookie_of(*h)) ++n_.cleared;
        continue;
      }
      if (r.outcome() != cookieseal::outcome::opened) {
        // A session lost: counted once, then the user logs in again.
        ++n_.wrongly_refused;
        if (r.refused())
          std::fprintf(stderr, "wrongly refused: %s\n",
                       std::string(cookieseal::to_string(*r.refused())).c_str());
        if (auto h = manager_.save(r); h && clears(*h)) ++n_.cleared;
        if (!log_in(t)) note_unsaved();
        continue;
      }
      ++n_.opened;
      if (r.session().get<std::int64_t>("visits") != t.visits) ++n_.wrong_data;
      if ((i >> 4) % 40 == 1) {  // log out, and in again at once
        const std::string old = t.cookie;
        r.destroy();
        if (log_in(t, std::move(r))) {
          std::lock_guard revoked_lock(revoked_mutex_);
          revoked_.push_back(old);
          ++n_.logouts;
        } else {
          note_unsaved();
        }
        continue;
      }
      r.session().set("visits", t.visits + 1);
      auto h = manager_.save(r);
      if (!h) {  // not acknowledged: the browser keeps its cookie and the old count
        note_unsaved();
        continue;
      }
      if (clears(*h)) {
        ++n_.cleared;
        continue;
      }
      if (auto c = cookie_of(*h)) {
        t.cookie = *c;
        ++t.visits;
        ++n_.saves;
      }
    }
  }

  const cookieseal::codec& codec_;
  const cookieseal::session_manager& manager_;
  std::vector<std::unique_ptr<slot>> all_;
  counters n_;
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
  std::mutex revoked_mutex_;
  std::vector<std::string> revoked_;  // cookies of acknowledged logouts
  std::mutex window_mutex_;
  span undecided_, unsaved_;
};

}  // namespace test
