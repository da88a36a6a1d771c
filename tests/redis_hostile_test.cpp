// A Redis that answers what no Redis would (a fake on loopback, test/fake_redis.hpp):
// every odd reply (a sentinel naming no primary, a slot map of the wrong shape,
// redirects without end included) is store_unavailable, never "not revoked"; loops are
// bounded; Redis's words reach diagnostics escaped; a connection that saw an
// error is never used again.
#include <cookieseal/redis_store.hpp>

#include "fake_redis.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <vector>

using cookieseal::errc;
using namespace std::chrono_literals;

namespace {

std::shared_ptr<cookieseal::redis_store> store_at(const test::fake_redis& fake) {
  cookieseal::redis_options o;
  o.url = fake.url();
  o.prefix = "test:";
  return std::make_shared<cookieseal::redis_store>(o);
}

// A fake whose only answer to GET and MGET is @p reply (the subject key is a good one).
std::string answer_lookups(const std::vector<std::string>& args, const std::string& reply) {
  if (args[0] == "SET") return "+OK\r\n";
  if (args[0] == "GET" && args[1] == "test:subject-key") return test::bulk(std::string(32, 's'));
  return reply;
}

}  // namespace

TEST_SUITE("redis_hostile") {
  TEST_CASE("a SCAN cursor that never returns to 0 ends store stats with store_unavailable") {
    test::fake_redis fake([](const std::vector<std::string>& args, int) -> std::string {
      if (args[0] == "DBSIZE") return ":0\r\n";
      if (args[0] == "SCAN") return "*2\r\n" + test::bulk("1") + "*0\r\n";  // "more", forever
      return "-ERR unexpected\r\n";
    });
    auto st = store_at(fake);
    std::vector<std::string> said;
    st->set_diagnostic([&](std::string_view m) { said.emplace_back(m); });
    const auto start = std::chrono::steady_clock::now();
    auto s = st->stats();
    REQUIRE_FALSE(s);
    CHECK(s.error() == errc::store_unavailable);
    CHECK(std::chrono::steady_clock::now() - start < 30s);
    REQUIRE_FALSE(said.empty());
    CHECK(said.back().find("SCAN did not finish") != std::string::npos);
  }

  TEST_CASE("a SCAN cursor or key that is not a string is store_unavailable, not a crash") {
    for (const std::string& page : std::vector<std::string>{
             "*2\r\n:5\r\n*0\r\n", "*2\r\n" + test::bulk("0") + ":7\r\n",
             "*2\r\n" + test::bulk("0") + "*1\r\n:1\r\n", "*2\r\n" + test::bulk("x1") + "*0\r\n",
             "*1\r\n$1\r\n0\r\n", ":12\r\n"}) {
      CAPTURE(page);
      test::fake_redis fake([&](const std::vector<std::string>& args, int) -> std::string {
        if (args[0] == "DBSIZE") return ":3\r\n";
        return page;
      });
      auto s = store_at(fake)->stats();
      REQUIRE_FALSE(s);
      CHECK(s.error() == errc::store_unavailable);
    }
  }

  TEST_CASE("a revocation lookup answered in the wrong shape is undecided, never not revoked") {
    const cookieseal::session s(test::t0);
    for (const std::string& reply : std::vector<std::string>{
             "*1\r\n:1\r\n", "*0\r\n", "*3\r\n$-1\r\n$-1\r\n$-1\r\n", ":1\r\n", "+OK\r\n",
             test::bulk("not a number"), test::bulk("1 2 3"), test::bulk("99999999999 "),
             "*2\r\n" + test::bulk("1") + test::bulk("2")}) {
      CAPTURE(reply);
      test::fake_redis fake(
          [&](const std::vector<std::string>& args, int) { return answer_lookups(args, reply); });
      auto st = store_at(fake);
      for (const char* subject : {"", "alice"}) {
        CAPTURE(subject);
        auto r = st->is_revoked(s.id(), subject, test::t0, test::t0);
        REQUIRE_FALSE(r);
        CHECK(r.error() == errc::store_unavailable);
      }
    }
    // Nil is an answer: not revoked.
    test::fake_redis fake([](const std::vector<std::string>& args, int) {
      return answer_lookups(args, args[0] == "MGET" ? "*2\r\n$-1\r\n$-1\r\n" : "$-1\r\n");
    });
    CHECK_FALSE(*store_at(fake)->is_revoked(s.id(), "alice", test::t0, test::t0));
  }

  TEST_CASE("writes answered in the wrong shape are store_unavailable") {
    test::fake_redis fake([](const std::vector<std::string>& args, int) -> std::string {
      if (args[0] == "GET") return test::bulk(std::string(32, 's'));
      return "*0\r\n";  // an array where a status or an integer belongs
    });
    auto st = store_at(fake);
    const cookieseal::entry_id id{};
    const cookieseal::session s(test::t0);
    CHECK(st->put(id, std::vector<std::byte>(4), test::t0 + 1h).error() == errc::store_unavailable);
    CHECK(st->erase(id).error() == errc::store_unavailable);
    CHECK(st->expire_by(id, test::t0).error() == errc::store_unavailable);
    CHECK(st->revoke_session(s.id(), test::t0 + 1h).error() == errc::store_unavailable);
    CHECK(st->revoke_subject("alice", test::t0, test::t0 + 1h).error() == errc::store_unavailable);
  }

  TEST_CASE("Redis error text reaches the diagnostic escaped: no raw newline or escape code") {
    test::fake_redis fake([](const std::vector<std::string>&, int) -> std::string {
      return "-ERR evil\n\x1b[2J\x1b[31mFAKE LOG LINE\x07\r\n";
    });
    auto st = store_at(fake);
    std::vector<std::string> said;
    st->set_diagnostic([&](std::string_view m) { said.emplace_back(m); });
    CHECK(st->get({}, test::t0).error() == errc::store_unavailable);
    REQUIRE_FALSE(said.empty());
    for (const auto& m : said) {
      CAPTURE(m);
      for (const char c : m) CHECK((static_cast<unsigned char>(c) >= 0x20 && c != 0x7f));
    }
    CHECK(said.back().find("ERR evil\\x0a\\x1b[2J\\x1b[31mFAKE LOG LINE\\x07") !=
          std::string::npos);
  }

  TEST_CASE("a connection that got an error reply is closed, never pooled") {
    // The first command on every connection is refused as a demoted primary
    // would; what follows it works. A pooled connection would be refused
    // no more, so only a fresh connection per error shows the rule.
    std::atomic<int> commands{0};
    test::fake_redis fake([&](const std::vector<std::string>& args, int) -> std::string {
      ++commands;
      if (args[0] == "DEL") return "-READONLY You can't write against a read only replica.\r\n";
      return "$-1\r\n";
    });
    auto st = store_at(fake);
    for (int i = 0; i < 3; ++i) CHECK(st->erase({}).error() == errc::store_unavailable);
    CHECK(fake.connections() == 3);
    CHECK(st->get({}, test::t0));  // a good reply: that connection is kept
    CHECK(st->get({}, test::t0));
    CHECK(fake.connections() == 4);
    CHECK(commands == 5);
  }
}

TEST_SUITE("redis_hostile") {
  TEST_CASE("a sentinel that names no usable primary leaves the store undecided, never elsewhere") {
    int data_port = 0;
    test::fake_redis replica([](const std::vector<std::string>& args, int) -> std::string {
      if (args[0] == "ROLE") return "*2\r\n" + test::bulk("slave") + ":0\r\n";  // not a primary
      return "$-1\r\n";
    });
    data_port = replica.port();
    for (const std::string& named : std::vector<std::string>{
             "*2\r\n" + test::bulk("127.0.0.1") + test::bulk("99999"),
             "*2\r\n" + test::bulk("127.0.0.1") + ":6379\r\n", "*1\r\n" + test::bulk("127.0.0.1"),
             "$-1\r\n", "-IDONTKNOW No such master with that name\r\n",
             "*2\r\n" + test::bulk("127.0.0.1") + test::bulk(std::to_string(data_port))}) {
      CAPTURE(named);
      test::fake_redis sentinel(
          [&](const std::vector<std::string>&, int) -> std::string { return named; });
      cookieseal::redis_options o;
      o.url = "redis+sentinel://127.0.0.1:" + std::to_string(sentinel.port()) + "/m";
      cookieseal::redis_store st(o);
      std::vector<std::string> said;
      st.set_diagnostic([&](std::string_view m) { said.emplace_back(m); });
      CHECK(st.get({}, test::t0).error() == errc::store_unavailable);
      REQUIRE_FALSE(said.empty());
      CHECK(said.back().find("no primary for \"m\"") != std::string::npos);
    }
  }

  TEST_CASE("a cluster that redirects forever, or to nowhere, is store_unavailable after a bound") {
    int port = 0;
    std::atomic<int> gets{0};
    std::string redirect;
    test::fake_redis node([&](const std::vector<std::string>& args, int) -> std::string {
      if (args[0] == "CLUSTER")  // every slot here
        return "*1\r\n*3\r\n:0\r\n:16383\r\n*2\r\n" + test::bulk("127.0.0.1") + ":" +
               std::to_string(port) + "\r\n";
      if (args[0] == "ASKING") return "+OK\r\n";
      ++gets;
      return redirect;
    });
    port = node.port();
    cookieseal::redis_options o;
    o.url = "redis+cluster://127.0.0.1:" + std::to_string(port);
    for (const std::string& r :
         {"-MOVED 42 127.0.0.1:" + std::to_string(port) + "\r\n",
          "-ASK 42 127.0.0.1:" + std::to_string(port) + "\r\n",
          std::string("-TRYAGAIN Multiple keys request during rehashing\r\n"),
          std::string("-MOVED 42 nowhere\r\n"), std::string("-MOVED 99999 127.0.0.1:1\r\n")}) {
      CAPTURE(r);
      redirect = r;
      gets = 0;
      cookieseal::redis_store st(o);
      CHECK(st.get({}, test::t0).error() == errc::store_unavailable);
      CHECK(gets <= 6);
    }
    // A slot map of the wrong shape is no map.
    test::fake_redis broken([](const std::vector<std::string>&, int) -> std::string {
      return "*1\r\n*3\r\n:5\r\n:2\r\n*0\r\n";
    });
    o.url = "redis+cluster://127.0.0.1:" + std::to_string(broken.port());
    cookieseal::redis_store st(o);
    std::vector<std::string> said;
    st.set_diagnostic([&](std::string_view m) { said.emplace_back(m); });
    CHECK(st.get({}, test::t0).error() == errc::store_unavailable);
    REQUIRE_FALSE(said.empty());
    CHECK(said.back().find("no node answered CLUSTER SLOTS") != std::string::npos);
  }
}
