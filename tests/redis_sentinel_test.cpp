// Real Redis Sentinel on loopback: a primary, two replicas and three
// sentinels (ports 17300-17312), the store at redis+sentinel://, 4 threads of
// requests while the primary is failed over twice: once by SENTINEL
// FAILOVER, once by killing it. Sessions wrongly refused or cleared: 0;
// every acknowledged write (update, logout) survives both.
#include <cookieseal/redis_store.hpp>
#include <cookieseal/session_manager.hpp>

#include "fleet_traffic.hpp"
#include "redis_server.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <vector>

using namespace std::chrono_literals;

namespace {

constexpr int primary_port = 17300;
constexpr int sentinel_ports[] = {17310, 17311, 17312};

std::string sentinel_config(int primary) {
  return "sentinel monitor m 127.0.0.1 " + std::to_string(primary) +
         " 2\n"
         "sentinel down-after-milliseconds m 1000\n"
         "sentinel failover-timeout m 4000\n"
         "sentinel parallel-syncs m 2\n";
}

// The port the sentinels name as primary (0 if they disagree or do not know).
int named_primary() {
  int port = 0;
  for (int s : sentinel_ports) {
    const std::string a = test::ask_redis(s, {"SENTINEL", "get-master-addr-by-name", "m"});
    const auto space = a.find(' ');
    if (space == std::string::npos) return 0;
    const int p = std::stoi(a.substr(space + 1));
    if (port != 0 && p != port) return 0;
    port = p;
  }
  return port;
}

// A primary with @p replicas replicas, every one of them in sync (online).
bool replicated(int primary, int replicas) {
  const std::string info = test::ask_redis(primary, {"INFO", "replication"});
  std::size_t online = 0;
  for (auto at = info.find("state=online"); at != std::string::npos;
       at = info.find("state=online", at + 1))
    ++online;
  return info.find("role:master") != std::string::npos &&
         info.find("connected_slaves:" + std::to_string(replicas)) != std::string::npos &&
         online == static_cast<std::size_t>(replicas);
}

bool sentinels_ready() {
  for (int s : sentinel_ports) {
    const std::string m = test::ask_redis(s, {"SENTINEL", "master", "m"});
    if (m.find("num-slaves 2") == std::string::npos ||
        m.find("num-other-sentinels 2") == std::string::npos)
      return false;
  }
  return true;
}

}  // namespace

TEST_SUITE("redis_fleet") {
  TEST_CASE("Sentinel: two failovers under 4 threads of requests lose no session and no write") {
    std::vector<std::unique_ptr<test::redis_server>> data;
    // No diskless-sync delay (5 s by default): a replica resyncs at once after a failover.
    const std::vector<std::string> node = {"--repl-diskless-sync-delay", "0"};
    data.push_back(std::make_unique<test::redis_server>(primary_port, node));
    for (int p : {primary_port + 1, primary_port + 2}) {
      auto args = node;
      args.insert(args.end(), {"--replicaof", "127.0.0.1", std::to_string(primary_port)});
      data.push_back(std::make_unique<test::redis_server>(p, args));
    }
    REQUIRE(test::eventually([] { return replicated(primary_port, 2); }, 10s));
    std::vector<std::unique_ptr<test::redis_server>> sentinels;
    for (int s : sentinel_ports)
      sentinels.push_back(std::make_unique<test::redis_server>(s, std::vector<std::string>{},
                                                               "COOKIESEAL_REDIS_SENTINEL",
                                                               sentinel_config(primary_port)));
    REQUIRE(test::eventually(sentinels_ready, 20s));

    cookieseal::redis_options ro;
    ro.url =
        "redis+sentinel://127.0.0.1:17310,127.0.0.1:17311,127.0.0.1:17312/m";  // ?wait=1: default
    ro.connect_timeout = 300ms;
    ro.io_timeout = 300ms;
    auto store = std::make_shared<cookieseal::redis_store>(ro);
    test::heard_messages heard;
    store->set_diagnostic(heard.listener());
    cookieseal::codec_options o;
    o.overflow_store = store;
    o.revocation_store = store;
    cookieseal::codec codec(test::fixed_keyring(), o);
    const cookieseal::session_manager sessions(codec);

    // What confirming a write costs: put() of a 6 KB entry, WAIT by both
    // replicas (the default) against ?wait=0 (the primary's word only).
    {
      cookieseal::redis_options unconfirmed = ro;
      unconfirmed.url += "?wait=0";
      cookieseal::redis_store fast(unconfirmed);
      const std::vector<std::byte> entry(6000, std::byte{1});
      int failed = 0;
      auto time_puts = [&](cookieseal::redis_store& st) {
        cookieseal::entry_id id{};
        const auto start = std::chrono::steady_clock::now();
        for (int i = 0; i < 300; ++i) {
          id[0] = static_cast<std::byte>(i);
          id[1] = static_cast<std::byte>(i >> 8);
          if (!st.put(id, entry, test::t0 + 1h)) ++failed;  // a loaded machine: reported
        }
        return std::chrono::duration_cast<std::chrono::microseconds>(
                   std::chrono::steady_clock::now() - start)
                   .count() /
               300;
      };
      const auto with_wait = time_puts(*store);
      const auto without = time_puts(fast);
      MESSAGE("put of a 6 KB entry: ", with_wait, " us confirmed by both replicas (WAIT), ",
              without, " us unconfirmed (?wait=0); ", failed, " of 600 not confirmed in time");
    }

    test::fleet_traffic traffic(codec, sessions, 24);
    REQUIRE(traffic.log_in_all());
    traffic.start();
    std::this_thread::sleep_for(700ms);

    // A fault under traffic: @p act, then until the sentinels agree on a new
    // primary with @p replicas replicas; the undecided and unacknowledged-save windows.
    auto fault = [&](auto act, int replicas) {
      traffic.begin_fault();
      const int old = named_primary();
      REQUIRE(old != 0);
      act(old);
      CHECK(test::eventually(
          [&] {
            const int p = named_primary();
            return p != 0 && p != old && replicated(p, replicas);
          },
          30s));
      std::this_thread::sleep_for(1500ms);
      return std::pair(traffic.window(), traffic.unsaved_window());
    };
    REQUIRE(named_primary() == primary_port);
    const auto [planned_window, planned_unsaved] = fault(
        [](int) {
          CHECK(test::ask_redis(sentinel_ports[0], {"SENTINEL", "FAILOVER", "m"}) == "OK");
        },
        2);
    const auto [crash_window, crash_unsaved] = fault(
        [&](int primary) { data[static_cast<std::size_t>(primary - primary_port)]->kill_hard(); },
        1);
    traffic.stop();

    {
      std::map<std::string, int> kinds;
      for (const auto& m : heard.messages()) ++kinds[m.substr(0, 90)];
      for (const auto& [m, k] : kinds) MESSAGE(k, " x ", m);
    }
    const auto f = traffic.totals();
    const int lost = traffic.lost_acknowledged_writes();
    MESSAGE("Sentinel: opened ", f.opened, ", saved ", f.saves, ", logouts ", f.logouts,
            ", saves not acknowledged ", f.failed_saves, ", undecided ", f.undecided,
            "; SENTINEL FAILOVER: undecided window ", planned_window.count(),
            " ms, unacknowledged-save window ", planned_unsaved.count(),
            " ms; killed primary: undecided window ", crash_window.count(),
            " ms, unacknowledged-save window ", crash_unsaved.count(), " ms; wrongly refused ",
            f.wrongly_refused, ", cleared ", f.cleared, ", lost acknowledged writes ", lost);
    CHECK(f.opened > 100);
    CHECK(f.logouts > 0);
    CHECK(f.wrongly_refused == 0);
    CHECK(f.cleared == 0);
    CHECK(f.wrong_data == 0);
    CHECK(f.revoked_opened == 0);
    CHECK(lost == 0);
    // The crash was felt and ended: requests were undecided, then opened again.
    CHECK(f.undecided > 0);
    CHECK(crash_window > 0ms);
    CHECK(crash_window < 15s);

    // The store's maintenance works through the new primary too.
    auto stats = store->stats();
    REQUIRE(stats);
    CHECK(stats->entries >= 8);
    CHECK(stats->revocations >= static_cast<std::uint64_t>(f.logouts));
    // The CLI's store commands on this URL.
    if (const char* tool = std::getenv("COOKIESEAL_CLI")) {
      const std::string t = tool;
      test::temp_dir tmp;
      const std::string out = (tmp / "out").string();
      auto run = [&](const std::string& c) {
        const int rc = std::system((c + " >" + out + " 2>&1").c_str());
        std::ifstream in(out);
        MESSAGE(c, " -> ", rc, ": ", std::string(std::istreambuf_iterator<char>(in), {}));
        return rc;
      };
      CHECK(run(t + " store stats " + ro.url + " | grep -q 'entries: '") == 0);
      // A write right after the crash counts only once every replica the
      // sentinels still list has it; until they drop the dead one it is
      // unacknowledged (exit 17, undecided), so the CLI is asked again.
      CHECK(test::eventually(
          [&] { return run(t + " revoke-subject --store " + ro.url + " bob") == 0; }, 60s));
      CHECK(test::eventually([&] { return run(t + " store gc " + ro.url) == 0; }, 60s));
      CHECK(run(t + " store stats redis+sentinel://127.0.0.1:1/m") == 3 << 8);  // exit 3: says why
    }
    for (auto& s : sentinels) s->stop();
  }
}
