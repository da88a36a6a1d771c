// A real Redis Cluster on loopback: three primaries with a replica each
// (ports 17320-17325, made by redis-cli --cluster create), the store at
// redis+cluster://: every store operation and the CLI's store commands, then
// 4 threads of requests through a resharding (redis-cli --cluster reshard)
// and a killed primary whose replica is promoted. Sessions wrongly refused or
// cleared: 0; every acknowledged write survives.
#include <cookieseal/redis_store.hpp>
#include <cookieseal/session_manager.hpp>

#include "fleet_traffic.hpp"
#include "redis_server.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <memory>
#include <set>
#include <string>
#include <vector>

using namespace std::chrono_literals;

namespace {

constexpr int first_port = 17320;
constexpr int node_count = 6;

bool cluster_ok(int port) {
  return test::ask_redis(port, {"CLUSTER", "INFO"}).find("cluster_state:ok") != std::string::npos;
}

int run(const std::string& command) { return std::system((command + " >/dev/null 2>&1").c_str()); }

std::string cli() {
  const char* p = std::getenv("COOKIESEAL_REDIS_CLI");
  REQUIRE(p != nullptr);
  return p;
}

// The ports of the primaries, by asking each live node its role.
std::vector<int> primaries(const std::set<int>& dead = {}) {
  std::vector<int> out;
  for (int p = first_port; p < first_port + node_count; ++p)
    if (!dead.count(p) && test::ask_redis(p, {"ROLE"}).rfind("master", 0) == 0) out.push_back(p);
  return out;
}

}  // namespace

TEST_SUITE("redis_fleet") {
  TEST_CASE("Cluster: every operation, a resharding and a killed primary lose no session") {
    std::vector<std::unique_ptr<test::redis_server>> nodes;
    std::string create = cli() + " --cluster create";
    for (int i = 0; i < node_count; ++i) {
      nodes.push_back(std::make_unique<test::redis_server>(
          first_port + i,
          std::vector<std::string>{"--cluster-enabled", "yes", "--cluster-config-file",
                                   "nodes.conf", "--cluster-node-timeout", "1000",
                                   "--repl-diskless-sync-delay", "0"}));
      create += " 127.0.0.1:" + std::to_string(first_port + i);
    }
    REQUIRE(run(create + " --cluster-replicas 1 --cluster-yes") == 0);
    REQUIRE(test::eventually(
        [] {
          for (int p = first_port; p < first_port + node_count; ++p)
            if (!cluster_ok(p)) return false;
          return true;
        },
        30s));

    cookieseal::redis_options ro;
    ro.url = "redis+cluster://127.0.0.1:17320,127.0.0.1:17321";  // seeds; ?wait: every replica
    ro.connect_timeout = 300ms;
    ro.io_timeout = 300ms;
    auto store = std::make_shared<cookieseal::redis_store>(ro);

    // Every operation, on keys spread over the three primaries.
    std::vector<cookieseal::entry_id> ids(60);
    for (std::size_t i = 0; i < ids.size(); ++i) {
      ids[i][0] = static_cast<std::byte>(i);
      ids[i][1] = std::byte{0x5a};
      REQUIRE(store->put(ids[i], std::vector<std::byte>(100 + i, std::byte{7}), test::t0 + 1h));
    }
    for (std::size_t i = 0; i < ids.size(); ++i)
      CHECK(store->get(ids[i], test::t0)->value().size() == 100 + i);
    REQUIRE(store->expire_by(ids[0], test::t0 + 10min));
    CHECK_FALSE(store->get(ids[0], test::t0 + 10min)->has_value());
    REQUIRE(store->erase(ids[1]));
    CHECK_FALSE(store->get(ids[1], test::t0)->has_value());
    for (int p : primaries())
      CHECK(std::stoi(test::ask_redis(p, {"DBSIZE"})) >= 5);  // every primary holds some
    const cookieseal::session s(test::t0 - 1s);
    CHECK_FALSE(*store->is_revoked(s.id(), "alice", test::t0 - 1s, test::t0));
    REQUIRE(store->revoke_subject("alice", test::t0, test::t0 + 1h));
    CHECK(*store->is_revoked(s.id(), "alice", test::t0 - 1s, test::t0));
    REQUIRE(store->revoke_session(s.id(), test::t0 + 1h));
    CHECK(*store->is_revoked(s.id(), "", test::t0 - 1s, test::t0));
    auto stats = store->stats();
    REQUIRE(stats);
    CHECK(stats->entries == ids.size() - 1);  // counted over every primary
    CHECK(stats->revocations == 2);
    CHECK(store->collect_garbage(test::t0));

    // The CLI's store commands on this URL.
    if (const char* tool = std::getenv("COOKIESEAL_CLI")) {
      const std::string t = tool;
      CHECK(run(t + " store stats " + ro.url +
                " | grep -q 'entries: " + std::to_string(ids.size() - 1) + "'") == 0);
      CHECK(run(t + " revoke-subject --store " + ro.url + " bob") == 0);
      CHECK(run(t + " store stats " + ro.url + " | grep -q 'revocations: 3'") == 0);
      CHECK(run(t + " store gc " + ro.url) == 0);
    }

    cookieseal::codec_options o;
    o.overflow_store = store;
    o.revocation_store = store;
    cookieseal::codec codec(test::fixed_keyring(), o);
    const cookieseal::session_manager sessions(codec);
    test::fleet_traffic traffic(codec, sessions, 24);
    REQUIRE(traffic.log_in_all());
    traffic.start();
    std::this_thread::sleep_for(500ms);

    // 1. A resharding: 2000 slots move from one primary to another under traffic.
    traffic.begin_fault();
    const auto before = primaries();
    REQUIRE(before.size() == 3);
    const std::string from = test::ask_redis(before[0], {"CLUSTER", "MYID"});
    const std::string to = test::ask_redis(before[1], {"CLUSTER", "MYID"});
    CHECK(run(cli() + " --cluster reshard 127.0.0.1:" + std::to_string(before[0]) +
              " --cluster-from " + from + " --cluster-to " + to +
              " --cluster-slots 2000 --cluster-yes") == 0);
    std::this_thread::sleep_for(1s);
    const auto reshard_window = traffic.window();
    const auto reshard_unsaved = traffic.unsaved_window();

    // 2. A primary crashes; its replica takes over.
    traffic.begin_fault();
    const int victim = before[2];
    nodes[static_cast<std::size_t>(victim - first_port)]->kill_hard();
    CHECK(test::eventually([&] { return cluster_ok(before[0]) && primaries({victim}).size() == 3; },
                           30s));
    std::this_thread::sleep_for(1500ms);
    const auto crash_window = traffic.window();
    const auto crash_unsaved = traffic.unsaved_window();
    traffic.stop();

    const auto f = traffic.totals();
    const int lost = traffic.lost_acknowledged_writes();
    MESSAGE("Cluster: opened ", f.opened, ", saved ", f.saves, ", logouts ", f.logouts,
            ", saves not acknowledged ", f.failed_saves, ", undecided ", f.undecided,
            "; resharding 2000 slots: undecided window ", reshard_window.count(),
            " ms, unacknowledged-save window ", reshard_unsaved.count(),
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
    CHECK(crash_window < 15s);
    auto after = store->stats();  // the new primary counted, the dead one not asked
    REQUIRE(after);
    CHECK(after->revocations >= static_cast<std::uint64_t>(f.logouts));
  }
}
