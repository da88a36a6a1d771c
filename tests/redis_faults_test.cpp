// A real redis-server as overflow and revocation store, paused (SIGSTOP) and
// killed mid-traffic while 4 threads of requests run through session_manager:
// no cookie is ever deleted or overwritten by a fault, every request is
// answered (opened, or undecided: 503), and every session opens whole after.
#include <cookieseal/redis_store.hpp>
#include <cookieseal/session_manager.hpp>

#include "redis_server.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using cookieseal::errc;
using cookieseal::outcome;
using namespace std::chrono_literals;

namespace {

struct tracked_session {
  std::mutex mutex;
  std::string cookie;  // the latest "name=value" the browser holds
  std::int64_t visits = 0;
  bool revoked = false;
};

std::optional<std::string> set_cookie_of(const std::vector<cookieseal::http::header>& h) {
  for (const auto& x : h)
    if (x.name == "Set-Cookie") return x.value;
  return std::nullopt;
}

struct counters {
  std::atomic<int> opened{0}, undecided{0}, refused_valid{0}, opened_revoked{0}, deletions{0},
      writes_while_undecided{0}, wrong_data{0}, revoked_refused{0};
};

}  // namespace

TEST_SUITE("redis_faults") {
  TEST_CASE("Redis paused and killed under 4 threads of requests: nothing lost, nothing let in") {
    // Persistence on, so a killed Redis comes back with what it acknowledged.
    test::redis_server redis({"--appendonly", "yes", "--appendfsync", "always"});
    cookieseal::redis_options ro;
    ro.url = redis.url();
    ro.connect_timeout = 200ms;
    ro.io_timeout = 200ms;
    auto store = std::make_shared<cookieseal::redis_store>(ro);
    cookieseal::codec_options o;
    o.overflow_store = store;
    o.revocation_store = store;
    cookieseal::codec codec(test::fixed_keyring(), o);
    const cookieseal::session_manager sessions(codec);

    // 24 sessions, every third one past 4 KB (in Redis), two of them revoked.
    std::vector<std::unique_ptr<tracked_session>> all;
    for (int i = 0; i < 24; ++i) {
      auto t = std::make_unique<tracked_session>();
      auto r = sessions.load("");
      r.session().login("user-" + std::to_string(i), codec.now());
      r.session().set("visits", std::int64_t{0});
      if (i % 3 == 0) r.session().set("cart", std::string(6000, static_cast<char>('a' + i % 26)));
      auto h = sessions.save(r);
      REQUIRE(h);
      const auto sc = set_cookie_of(*h);
      REQUIRE(sc);
      t->cookie = sc->substr(0, sc->find(';'));
      all.push_back(std::move(t));
    }
    for (int i : {4, 9}) {
      auto r = sessions.load(all[static_cast<std::size_t>(i)]->cookie);
      REQUIRE(codec.destroy(r.session()));
      all[static_cast<std::size_t>(i)]->revoked = true;
    }

    counters n;
    std::atomic<bool> stop{false};
    auto worker = [&](unsigned seed) {
      unsigned i = seed;
      while (!stop) {
        i = (i * 1103515245u + 12345u) % 24u;
        tracked_session& t = *all[i];
        std::lock_guard lock(t.mutex);  // one browser sends one request at a time
        auto r = sessions.load(t.cookie);
        if (t.revoked) {
          if (r.outcome() == outcome::opened) ++n.opened_revoked;
          if (r.outcome() == outcome::refused) ++n.revoked_refused;
          if (auto h = sessions.save(r); h) {
            const auto sc = set_cookie_of(*h);
            if (sc && r.outcome() != outcome::refused) ++n.deletions;
          }
          continue;
        }
        if (r.undecided()) {
          ++n.undecided;
          r.session().set("visits", std::int64_t{-1});  // the handler would run; nothing is sent
          if (sessions.save(r)) ++n.writes_while_undecided;
          continue;
        }
        if (r.outcome() != outcome::opened) {
          ++n.refused_valid;
          continue;
        }
        ++n.opened;
        if (r.session().get<std::int64_t>("visits") != t.visits) ++n.wrong_data;
        r.session().set("visits", t.visits + 1);
        auto h = sessions.save(r);
        if (!h) {
          // The write itself failed (Redis went away between load and save):
          // the browser keeps its cookie and the count stays.
          if (cookieseal::outcome_of(h.error()) != outcome::undecided) ++n.refused_valid;
          continue;
        }
        const auto sc = set_cookie_of(*h);
        if (!sc || sc->find("Max-Age=0") != std::string::npos) {
          ++n.deletions;
          continue;
        }
        t.cookie = sc->substr(0, sc->find(';'));
        ++t.visits;
      }
    };
    std::vector<std::thread> threads;
    // Joined however the case ends: a fault step that throws (a server that
    // does not come back) fails the case instead of ending the program.
    struct joined {
      std::atomic<bool>& stop;
      std::vector<std::thread>& threads;
      ~joined() {
        stop = true;
        for (auto& t : threads)
          if (t.joinable()) t.join();
      }
    } join_at_end{stop, threads};
    for (unsigned s = 1; s <= 4; ++s) threads.emplace_back(worker, s * 7919u);

    std::this_thread::sleep_for(400ms);
    redis.pause();
    std::this_thread::sleep_for(1500ms);
    redis.resume();
    std::this_thread::sleep_for(400ms);
    redis.kill_hard();
    std::this_thread::sleep_for(800ms);
    redis.start();
    std::this_thread::sleep_for(600ms);
    stop = true;
    for (auto& t : threads) t.join();

    MESSAGE("opened ", n.opened.load(), ", undecided (503) ", n.undecided.load(),
            ", revoked refused ", n.revoked_refused.load());
    CHECK(n.undecided > 0);  // the faults were felt
    CHECK(n.opened > 0);
    CHECK(n.refused_valid == 0);
    CHECK(n.deletions == 0);
    CHECK(n.writes_while_undecided == 0);
    CHECK(n.wrong_data == 0);
    CHECK(n.opened_revoked == 0);
    CHECK(n.revoked_refused > 0);

    // Redis is back: every session opens with its data, the revoked stay out.
    for (std::size_t i = 0; i < all.size(); ++i) {
      CAPTURE(i);
      auto r = sessions.load(all[i]->cookie);
      if (all[i]->revoked) {
        // revoked; or, for an overflowed one, its entry was removed: expired
        CHECK(r.outcome() == outcome::refused);
        continue;
      }
      REQUIRE(r.outcome() == outcome::opened);
      CHECK(r.session().get<std::int64_t>("visits") == all[i]->visits);
      CHECK(r.session().subject() == "user-" + std::to_string(i));
      if (i % 3 == 0)
        CHECK(r.session().get<std::string>("cart") ==
              std::string(6000, static_cast<char>('a' + i % 26)));
    }
  }

  TEST_CASE(
      "A stalled Redis holds one call at a time, the others fail at once; answered, it is whole") {
    test::redis_server redis;
    cookieseal::redis_options ro;
    ro.url = redis.url();
    ro.connect_timeout = 300ms;
    ro.io_timeout = 300ms;
    auto store = std::make_shared<cookieseal::redis_store>(ro);
    test::heard_messages heard;
    store->set_diagnostic(heard.listener());
    const cookieseal::session_id id{};
    const auto now = cookieseal::system_now();
    REQUIRE(store->is_revoked(id, "alice", now, now));

    redis.pause();
    CHECK(store->is_revoked(id, "alice", now, now).error() ==
          errc::store_unavailable);  // times out
    // Stalled: of 8 calls at once, one waits on Redis and 7 fail without waiting.
    std::atomic<int> unavailable{0};
    std::vector<std::thread> calls;
    for (int i = 0; i < 8; ++i)
      calls.emplace_back([&] {
        if (!store->is_revoked(id, "alice", now, now)) ++unavailable;
      });
    for (auto& t : calls) t.join();
    CHECK(unavailable == 8);
    CHECK(heard.containing("another call is waiting on it") >= 7);

    redis.resume();
    auto answered = store->is_revoked(id, "alice", now, now);  // the stall ends with an answer
    REQUIRE(answered);
    CHECK_FALSE(*answered);
    heard.clear();
    std::vector<std::thread> after;
    std::atomic<int> ok{0};
    for (int i = 0; i < 8; ++i)
      after.emplace_back([&] {
        if (store->is_revoked(id, "alice", now, now)) ++ok;
      });
    for (auto& t : after) t.join();
    CHECK(ok == 8);
    CHECK(heard.messages().empty());
  }
}
