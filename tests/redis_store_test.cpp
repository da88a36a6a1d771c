#include <cookieseal/codec.hpp>
#include <cookieseal/redis_store.hpp>

#include "redis_server.hpp"
#include "revocation_checks.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <fmt/format.h>

#include <atomic>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

using cookieseal::errc;
using cookieseal::redis_options;
using cookieseal::redis_store;
using cookieseal::session;
using namespace std::chrono_literals;

namespace {

std::shared_ptr<redis_store> store_at(const std::string& url) {
  redis_options o;
  o.url = url;
  o.prefix = "test:";
  return std::make_shared<redis_store>(o);
}

cookieseal::codec codec_with(std::shared_ptr<redis_store> st, const test::manual_clock& clock) {
  auto o = test::options_with(clock);
  o.overflow_store = st;
  o.revocation_store = st;
  return cookieseal::codec(test::fixed_keyring(), o);
}

session big_session(std::size_t bytes, char fill = 'x') {
  session s(test::t0);
  s.set("blob", std::string(bytes, fill));
  return s;
}

}  // namespace

// Every key under test:, by a raw hiredis connection (what a dump would show).
std::vector<std::string> all_keys(const test::redis_server& server) {
  std::vector<std::string> out;
  redisContext* c = redisConnect("127.0.0.1", server.port());
  REQUIRE(c != nullptr);
  auto* r = static_cast<redisReply*>(redisCommand(c, "KEYS *"));
  REQUIRE(r != nullptr);
  for (std::size_t i = 0; i < r->elements; ++i)
    out.emplace_back(r->element[i]->str, r->element[i]->len);
  freeReplyObject(r);
  redisFree(c);
  return out;
}

void raw_command(const test::redis_server& server, const std::vector<std::string>& args) {
  redisContext* c = redisConnect("127.0.0.1", server.port());
  REQUIRE(c != nullptr);
  std::vector<const char*> argv;
  std::vector<std::size_t> lens;
  for (const auto& a : args) argv.push_back(a.data()), lens.push_back(a.size());
  auto* r = static_cast<redisReply*>(
      redisCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lens.data()));
  REQUIRE(r != nullptr);
  CHECK(r->type != REDIS_REPLY_ERROR);
  freeReplyObject(r);
  redisFree(c);
}

// A counter from INFO stats (total_connections_received, ...), by a raw connection.
long long redis_stat(const test::redis_server& server, std::string_view name) {
  redisContext* c = redisConnect("127.0.0.1", server.port());
  REQUIRE(c != nullptr);
  auto* r = static_cast<redisReply*>(redisCommand(c, "INFO stats"));
  REQUIRE(r != nullptr);
  const std::string info(r->str, r->len);
  freeReplyObject(r);
  redisFree(c);
  const auto at = info.find(std::string(name) + ":");
  REQUIRE(at != std::string::npos);
  return std::stoll(info.substr(at + name.size() + 1));
}

TEST_SUITE("redis_store") {
  TEST_CASE("an oversized value in Redis is refused without reading it whole") {
    test::redis_server server;
    auto st = store_at(server.url());
    std::vector<std::string> said;
    st->set_diagnostic([&](std::string_view m) { said.emplace_back(m); });
    cookieseal::entry_id id{};
    id[0] = std::byte{9};
    std::string hex;
    for (auto b : id) hex += fmt::format("{:02x}", std::to_integer<unsigned>(b));
    raw_command(server, {"SET", "test:e:" + hex, std::string(3 << 20, 'x')});  // 3 MiB
    auto got = st->get(id, test::t0);
    REQUIRE_FALSE(got);
    CHECK(got.error() == errc::store_unavailable);
    REQUIRE(said.size() == 1);
    CHECK(said[0].find("not one this store wrote") != std::string::npos);
    const std::vector<std::byte> limit(cookieseal::max_entry_bytes, std::byte{1});
    REQUIRE(st->put(id, limit, test::t0 + 1h));  // the largest entry still reads back
    CHECK(st->get(id, test::t0)->value().size() == cookieseal::max_entry_bytes);
  }

  TEST_CASE("subjects are stored keyed-hashed, never in clear") {
    test::redis_server server;
    auto st = store_at(server.url());
    REQUIRE(st->revoke_subject("alice@example.com", test::t0, test::t0 + 1h));
    session s(test::t0 - 1s);
    CHECK(*st->is_revoked(s.id(), "alice@example.com", test::t0 - 1s, test::t0));
    for (const auto& k : all_keys(server)) {
      CAPTURE(k);
      CHECK(k.find("alice") == std::string::npos);
    }
    // A second store (another prefix, another secret) names the subject differently.
    redis_options o;
    o.url = server.url();
    o.prefix = "other:";
    auto other = std::make_shared<redis_store>(o);
    REQUIRE(other->revoke_subject("alice@example.com", test::t0, test::t0 + 1h));
    std::set<std::string> hashed;
    for (const auto& k : all_keys(server))
      if (k.find(":k:") != std::string::npos) hashed.insert(k.substr(k.find(":k:") + 3));
    CHECK(hashed.size() == 2);
  }

  TEST_CASE("a store that cannot be reached says why") {
    auto st = store_at("redis://127.0.0.1:1");
    std::vector<std::string> said;
    st->set_diagnostic([&](std::string_view m) { said.emplace_back(m); });
    CHECK(st->get({}, test::t0).error() == errc::store_unavailable);
    REQUIRE_FALSE(said.empty());
    CHECK(said[0].find("cannot connect: Redis at 127.0.0.1:1: Connection refused") !=
          std::string::npos);
    test::redis_server server({"--requirepass", "s3cret-pw"});
    auto wrong = store_at("redis://:wrong-pw@127.0.0.1:" + std::to_string(server.port()));
    said.clear();
    wrong->set_diagnostic([&](std::string_view m) { said.emplace_back(m); });
    CHECK(wrong->get({}, test::t0).error() == errc::store_unavailable);
    REQUIRE_FALSE(said.empty());
    CHECK(said[0].find("refused AUTH") != std::string::npos);
    CHECK(said[0].find("wrong-pw") == std::string::npos);
    CHECK(cookieseal::redact_store_url("redis://user:pw@h:1/2") == "redis://***@h:1/2");
    CHECK(cookieseal::redact_store_url("redis://h:1") == "redis://h:1");
    CHECK(cookieseal::redact_store_url("redis+sentinel://:pw@h:1,h:2/m") ==
          "redis+sentinel://***@h:1,h:2/m");
    CHECK(cookieseal::redact_store_url("redis+cluster://u:pw@h:1,h:2") ==
          "redis+cluster://***@h:1,h:2");
    CHECK(cookieseal::redact_store_url("/var/lib/x@y") == "/var/lib/x@y");
  }

  TEST_CASE("Redis URLs are parsed strictly and rediss:// is refused with the reason") {
    for (const char* good :
         {"redis://127.0.0.1", "redis://localhost:6380/2", "redis://:pw@host:1/0",
          "redis://user:pw@host", "redis://[::1]:6379", "unix:///run/redis.sock",
          "unix:///run/redis.sock?db=3", "redis+sentinel://10.0.0.1:26379,10.0.0.2:26379/mymaster",
          "redis+sentinel://:pw@[::1]:26379/m/2?wait=0",
          "redis+cluster://10.0.0.1:7000,10.0.0.2:7000", "redis+cluster://u:pw@h:7000?wait=2"}) {
      CAPTURE(good);
      CHECK_NOTHROW(store_at(good));
    }
    CHECK_THROWS_WITH_AS(store_at("rediss://host:6380"), doctest::Contains("no TLS"),
                         cookieseal::store_url_error);
    for (const char* bad :
         {"http://host", "redis://", "redis://host:notaport", "redis://host:70000",
          "redis://host/x", "redis://pwonly@host", "unix://relative.sock", "unix:///s?database=1",
          "redis://[::1", "redis+sentinel://h:26379", "redis+sentinel://h:26379/",
          "redis+sentinel://h:1,/m", "redis+sentinel://h:1/m/x", "redis+cluster://h:7000/0",
          "redis+cluster://h:7000?wait=x", "redis+cluster://h:7000?db=1", "redis+cluster://"}) {
      CAPTURE(bad);
      CHECK_THROWS_AS(store_at(bad), cookieseal::store_url_error);
    }
  }

  TEST_CASE("entries and revocations round-trip through a real Redis") {
    test::redis_server server;
    auto st = store_at(server.url());
    cookieseal::entry_id id{};
    id[0] = std::byte{1};
    const std::vector<std::byte> data(5000, std::byte{7});
    REQUIRE(st->put(id, data, test::t0 + 1h));
    CHECK(st->get(id, test::t0)->value() == data);
    CHECK_FALSE(st->get(id, test::t0 + 1h)->has_value());  // logical expiry, injected clock
    REQUIRE(st->expire_by(id, test::t0 + 10min));
    CHECK_FALSE(st->get(id, test::t0 + 10min)->has_value());
    REQUIRE(st->expire_by(id, test::t0 + 2h));  // never lengthens
    CHECK_FALSE(st->get(id, test::t0 + 30min)->has_value());
    auto stats = st->stats();
    REQUIRE(stats);
    CHECK(stats->entries == 1);
    CHECK(stats->bytes == data.size() + 8);
    CHECK(stats->oldest_expiry == test::t0 + 10min);
    REQUIRE(st->erase(id));
    CHECK_FALSE(st->get(id, test::t0)->has_value());
    CHECK(st->expire_by(id, test::t0));  // absent is fine and does not recreate it
    CHECK_FALSE(st->get(id, test::t0)->has_value());

    session s(test::t0);
    CHECK_FALSE(*st->is_revoked(s.id(), "alice", test::t0, test::t0));
    REQUIRE(st->revoke_session(s.id(), test::t0 + 1h));
    CHECK(*st->is_revoked(s.id(), "", test::t0, test::t0));
    CHECK_FALSE(*st->is_revoked(s.id(), "", test::t0, test::t0 + 1h));
    REQUIRE(st->revoke_subject("alice", test::t0, test::t0 + 8 * 24h));
    session other(test::t0);
    CHECK(*st->is_revoked(other.id(), "alice", test::t0 - 1s, test::t0));
    CHECK_FALSE(*st->is_revoked(other.id(), "alice", test::t0, test::t0));
    CHECK_FALSE(*st->is_revoked(other.id(), "bob", test::t0 - 1s, test::t0));
    REQUIRE(st->revoke_subject("alice", test::t0 - 1h, test::t0 + 8 * 24h));  // keeps the later
    CHECK(*st->is_revoked(other.id(), "alice", test::t0 - 1s, test::t0));
    CHECK(st->stats()->revocations == 2);
    CHECK(*st->collect_garbage(test::t0) == 0);
  }

  TEST_CASE(
      "sessions overflow into Redis and back; tampering, grace and revocation behave as with "
      "files") {
    test::redis_server server;
    auto st = store_at(server.url());
    test::manual_clock clock;
    auto c = codec_with(st, clock);
    session s = big_session(100);
    s.login("user-9", clock());
    std::string first_big;
    for (std::size_t size : {100u, 5000u, 65536u, 5000u, 100u}) {
      CAPTURE(size);
      s.set("blob", std::string(size, 'q'));
      auto sealed = c.seal("session", s);
      REQUIRE(sealed);
      CHECK(sealed->cookie.size() < 4096);
      CHECK(sealed->overflow == (size > 3000));
      if (size == 5000u && first_big.empty()) first_big = sealed->cookie;
      auto opened = c.open("session", sealed->cookie);
      REQUIRE(opened);
      CHECK(opened->session.get<std::string>("blob")->size() == size);
      s = std::move(opened->session);
    }
    // The first overflowed cookie was replaced: it lives 60 s more, then it is gone.
    CHECK(c.open("session", first_big));
    clock.advance(60s);
    CHECK(c.open("session", first_big).error() == errc::expired);

    s.set("blob", std::string(9000, 'r'));
    auto big = c.seal("session", s);
    REQUIRE(big);
    REQUIRE(big->overflow);
    std::string tampered = big->cookie;
    tampered[90] = tampered[90] == 'A' ? 'B' : 'A';
    CHECK(c.open("session", tampered).error() == errc::authentication_failed);
    REQUIRE(st->revoke_subject("user-9", clock() + 1s, clock() + 8 * 24h));
    CHECK(c.open("session", big->cookie).error() == errc::revoked);
  }

  TEST_CASE("two log outs everywhere in one second both hold, exactly") {
    test::redis_server server;
    test::manual_clock clock;
    auto c = codec_with(store_at(server.url()), clock);
    test::check_log_outs_in_one_second(c, clock);
  }

  TEST_CASE("Redis going away gives store_unavailable, and a restart is picked up by itself") {
    test::redis_server server;
    auto st = store_at(server.url());
    test::manual_clock clock;
    auto c = codec_with(st, clock);
    const auto before = c.seal("session", big_session(9000))->cookie;
    REQUIRE(c.open("session", before));

    server.stop();
    CHECK(c.open("session", before).error() == errc::store_unavailable);
    CHECK(c.seal("session", big_session(9000)).error() == errc::store_unavailable);
    // Small sessions need no store... but revocation checks do: refused, not silently allowed.
    CHECK(c.open("session", c.seal("session", big_session(10))->cookie).error() ==
          errc::store_unavailable);

    server.start();  // same port, empty (no persistence): old entries are gone
    CHECK(c.open("session", before).error() == errc::expired);
    auto after = c.seal("session", big_session(9000));
    REQUIRE(after);
    CHECK(c.open("session", after->cookie));
  }

  TEST_CASE("many threads share the store safely") {
    test::redis_server server;
    auto st = store_at(server.url());
    test::manual_clock clock;
    auto c = codec_with(st, clock);
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t)
      threads.emplace_back([&, t] {
        for (int i = 0; i < 25; ++i) {
          auto sealed = c.seal("session", big_session(6000, static_cast<char>('a' + t)));
          if (!sealed) {
            ++failures;
            continue;
          }
          auto opened = c.open("session", sealed->cookie);
          if (!opened || opened->session.get<std::string>("blob")->front() != 'a' + t) ++failures;
        }
      });
    for (auto& th : threads) th.join();
    CHECK(failures.load() == 0);
    CHECK(st->stats()->entries == 200);
  }

  TEST_CASE("a server's threads reuse their Redis connections instead of opening one per call") {
    // 48 calls in flight at once, as a web server's threads make them: with
    // fewer idle connections kept than that, the surplus is closed as the
    // calls return and opened again by the next ones (under wrk, the shop
    // opened a connection every 16 requests, leaving 24,000 in TIME_WAIT).
    test::redis_server server;
    auto st = store_at(server.url());
    const auto before = redis_stat(server, "total_connections_received");
    constexpr int threads_n = 48, rounds = 4;
    std::atomic<int> round{0}, done{0}, failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < threads_n; ++t)
      threads.emplace_back([&] {
        const cookieseal::session_id id{};
        for (int r = 1; r <= rounds; ++r) {
          while (round.load() < r) std::this_thread::yield();
          if (!st->is_revoked(id, "alice", test::t0, test::t0)) ++failures;
          ++done;
        }
      });
    for (int r = 1; r <= rounds; ++r) {
      server.pause();  // every thread's call waits in flight, then all return at once
      round = r;
      std::this_thread::sleep_for(100ms);
      server.resume();
      while (done.load() < r * threads_n) std::this_thread::yield();
    }
    for (auto& th : threads) th.join();
    CHECK(failures.load() == 0);
    const auto opened = redis_stat(server, "total_connections_received") - before;
    CHECK_MESSAGE(opened <= threads_n + 1, "connections opened: " << opened);  // + redis_stat's
  }

  TEST_CASE("a password-protected Redis and a Unix socket") {
    test::redis_server server({"--requirepass", "s3cret"});
    cookieseal::entry_id id{};
    REQUIRE(store_at("redis://:s3cret@127.0.0.1:" + std::to_string(server.port()))
                ->put(id, std::vector<std::byte>(3), std::nullopt));
    CHECK(store_at("redis://:wrong@127.0.0.1:" + std::to_string(server.port()))
              ->get(id, test::t0)
              .error() == errc::store_unavailable);
    CHECK(store_at(server.url())->get(id, test::t0).error() == errc::store_unavailable);
    redis_options o;
    o.url = "unix://" + server.socket_path();
    o.prefix = "test:";
    // The socket needs the password too.
    CHECK(redis_store(o).get(id, test::t0).error() == errc::store_unavailable);
    test::redis_server open_server;
    o.url = "unix://" + open_server.socket_path() + "?db=1";
    redis_store unix_store(o);
    REQUIRE(unix_store.put(id, std::vector<std::byte>(3), std::nullopt));
    CHECK(unix_store.get(id, test::t0)->has_value());
    CHECK_FALSE(store_at(open_server.url())->get(id, test::t0)->has_value());  // db 0, not db 1
  }
}
