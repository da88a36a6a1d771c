#include <cookieseal/keyring.hpp>

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <set>
#include <stdexcept>
#include <vector>

using cookieseal::key_state;
using cookieseal::keyring;
using namespace std::chrono_literals;

TEST_SUITE("keyring") {
  TEST_CASE("rotate tells the new key's id; the only key that can seal cannot be removed") {
    const auto k = test::fixed_keyring();
    const auto r = k.rotate(test::t0, 0s);
    REQUIRE(r.keys.size() == 2);
    CHECK(k.find(r.new_key_id) == nullptr);
    CHECK(r.keys.find(r.new_key_id) != nullptr);
    CHECK(r.keys.sealing_key(test::t0)->id == r.new_key_id);
    CHECK(cookieseal::key_id_hex(0x0badc0de) == "0badc0de");
    CHECK(cookieseal::key_id_hex(r.new_key_id).size() == 8);
    // Removing the replaced key is fine; the sealing one then cannot go.
    const auto one = r.keys.without_key(0x9f3a01c2, test::t0);
    CHECK(one.size() == 1);
    CHECK_THROWS_AS((void)one.without_key(r.new_key_id, test::t0), std::invalid_argument);
    // A pending rotation does not seal yet: the active key cannot go either.
    const auto pending = k.rotate(test::t0, 1h);
    CHECK_THROWS_AS((void)pending.keys.without_key(0x9f3a01c2, test::t0), std::invalid_argument);
    CHECK(pending.keys.without_key(pending.new_key_id, test::t0).size() == 1);
  }

  TEST_CASE("an empty keyring neither seals nor finds") {
    keyring k;
    CHECK(k.empty());
    CHECK(k.sealing_key(test::t0) == nullptr);
    CHECK(k.find(1) == nullptr);
  }

  TEST_CASE("generate makes one random key active from now") {
    keyring k = keyring::generate(test::t0);
    REQUIRE(k.size() == 1);
    const auto& info = k.keys()[0];
    CHECK(k.sealing_key(test::t0) == &info);
    CHECK(k.find(info.id) == &info);
    CHECK(k.state(info, test::t0) == key_state::active);
    CHECK(keyring::generate(test::t0).keys()[0].id != info.id);  // random ids
  }

  TEST_CASE("with_key refuses a wrong length and a duplicate id") {
    auto bytes = test::fixed_key_bytes();
    keyring k = test::fixed_keyring();
    CHECK_THROWS_AS((void)k.with_key({1, test::t0, test::t0, {}}, std::span(bytes).first(31)),
                    std::invalid_argument);
    CHECK_THROWS_AS((void)k.with_key({0x9f3a01c2, test::t0, test::t0, {}}, bytes),
                    std::invalid_argument);
  }

  TEST_CASE("the key with the latest passed activation seals; others open until they expire") {
    keyring k1 = test::fixed_keyring();
    const auto old_id = k1.keys()[0].id;
    keyring k2 = k1.with_new_key(test::t0, test::t0 + 1h).with_expiry(old_id, test::t0 + 30 * 24h);
    CHECK(k1.size() == 1);  // the old keyring is unchanged
    REQUIRE(k2.size() == 2);
    const auto* old_key = k2.find(old_id);
    const auto* new_key = &k2.keys()[1];
    CHECK(new_key->id != old_id);

    SUBCASE("before activation the old key still seals") {
      CHECK(k2.sealing_key(test::t0 + 59min)->id == old_id);
      CHECK(k2.state(*new_key, test::t0) == key_state::pending);
      CHECK(k2.state(*old_key, test::t0) == key_state::active);
    }
    SUBCASE("after activation the new key seals and the old one is replaced") {
      CHECK(k2.sealing_key(test::t0 + 1h)->id == new_key->id);
      CHECK(k2.state(*old_key, test::t0 + 2h) == key_state::replaced);
      CHECK(k2.state(*new_key, test::t0 + 2h) == key_state::active);
    }
    SUBCASE("after its expiry the old key is expired") {
      CHECK(k2.state(*old_key, test::t0 + 30 * 24h) == key_state::expired);
    }
    SUBCASE("an expired latest key hands sealing back to the one before") {
      keyring k3 = k2.with_expiry(new_key->id, test::t0 + 2h);
      CHECK(k3.sealing_key(test::t0 + 3h)->id == old_id);
    }
  }

  TEST_CASE("without_key removes one key at once") {
    keyring k = test::fixed_keyring().with_new_key(test::t0, test::t0);
    const auto id = k.keys()[0].id;
    keyring k2 = k.without_key(id);
    CHECK(k2.size() == 1);
    CHECK(k2.find(id) == nullptr);
    CHECK(k.find(id) != nullptr);
  }

  TEST_CASE("a removed key leaves a tombstone: its id is never reused") {
    const auto r = test::fixed_keyring().rotate(test::t0, 0s);
    const keyring k = r.keys.without_key(0x9f3a01c2, test::t0 + 5s);
    REQUIRE(k.tombstones().size() == 1);
    const auto& gone = k.tombstones()[0];
    CHECK(gone.id == 0x9f3a01c2);
    CHECK(gone.created == test::t0 - 24h);
    CHECK(gone.activates == test::t0 - 24h);
    CHECK(gone.removed == test::t0 + 5s);
    CHECK(k.find(0x9f3a01c2) == nullptr);
    CHECK(k.find_tombstone(0x9f3a01c2) == &gone);
    CHECK(k.find_tombstone(r.new_key_id) == nullptr);
    CHECK(cookieseal::to_string(key_state::revoked) == "revoked");
    // The id cannot come back, by any road.
    CHECK_THROWS_WITH_AS(
        (void)k.with_key({0x9f3a01c2, test::t0, test::t0, std::nullopt}, test::fixed_key_bytes(7)),
        "cookieseal: duplicate key id 9f3a01c2", std::invalid_argument);
    const auto bytes = test::fixed_key_bytes(7);
    const keyring::entry e{{0x9f3a01c2, test::t0, test::t0, std::nullopt}, bytes};
    CHECK_THROWS_AS((void)keyring::from_keys({&e, 1}, std::nullopt, k.tombstones()),
                    std::invalid_argument);
    CHECK_THROWS_AS((void)k.without_key(0x9f3a01c2, test::t0), std::invalid_argument);
    // Every other change keeps the tombstones.
    CHECK(k.rotated(test::t0).tombstones().size() == 1);
    CHECK(k.pruned(test::t0 + 1000h).tombstones().size() == 1);
    CHECK(k.with_end_sessions_before(test::t0).tombstones().size() == 1);
    CHECK(k.with_expiry(r.new_key_id, std::nullopt).tombstones().size() == 1);
    // Many new keys never take a tombstoned id.
    keyring many = k;
    for (int i = 0; i < 200; ++i) many = many.with_new_key(test::t0, test::t0);
    for (const auto& info : many.keys()) CHECK(info.id != 0x9f3a01c2);
  }

  TEST_CASE("with_expiry of an absent key throws") {
    CHECK_THROWS_AS((void)test::fixed_keyring().with_expiry(1, std::nullopt),
                    std::invalid_argument);
  }

  TEST_CASE("end_sessions_before is carried through every change") {
    keyring k = test::fixed_keyring().with_end_sessions_before(test::t0);
    CHECK(k.end_sessions_before() == test::t0);
    CHECK(k.with_new_key(test::t0, test::t0).end_sessions_before() == test::t0);
    CHECK(k.with_end_sessions_before(std::nullopt).end_sessions_before() == std::nullopt);
  }

  TEST_CASE("a thousand keys have unique ids and O(1) lookup") {
    keyring k;
    for (int i = 0; i < 1000; ++i) k = k.with_new_key(test::t0, test::t0 + std::chrono::seconds(i));
    std::set<std::uint32_t> ids;
    for (const auto& info : k.keys()) {
      ids.insert(info.id);
      CHECK(k.find(info.id) == &info);
    }
    CHECK(ids.size() == 1000);
    CHECK(k.sealing_key(test::t0 + 999s) == &k.keys().back());
  }

  TEST_CASE("rotated adds a pending key and gives the old keys an expiry after its activation") {
    keyring k1 = test::fixed_keyring();
    keyring k2 = k1.rotated(test::t0);  // defaults: activate in 1 h, old expires 30 d later
    REQUIRE(k2.size() == 2);
    const auto* old_key = k2.find(0x9f3a01c2);
    const auto& new_key = k2.keys()[1];
    CHECK(new_key.created == test::t0);
    CHECK(new_key.activates == test::t0 + 1h);
    CHECK_FALSE(new_key.expires);
    CHECK(old_key->expires == test::t0 + 1h + 30 * 24h);
    CHECK(k2.sealing_key(test::t0)->id == 0x9f3a01c2);
    CHECK(k2.sealing_key(test::t0 + 1h)->id == new_key.id);

    SUBCASE("custom delays") {
      keyring k3 = k1.rotated(test::t0, 0s, 7 * 24h);
      CHECK(k3.sealing_key(test::t0)->id == k3.keys()[1].id);
      CHECK(k3.find(0x9f3a01c2)->expires == test::t0 + 7 * 24h);
    }
    SUBCASE("a key that already has an expiry keeps it") {
      keyring k3 = k1.with_expiry(0x9f3a01c2, test::t0 + 2h).rotated(test::t0);
      CHECK(k3.find(0x9f3a01c2)->expires == test::t0 + 2h);
    }
    SUBCASE("pruned drops only expired keys") {
      CHECK(k2.pruned(test::t0 + 1h + 30 * 24h - 1s).size() == 2);
      keyring p = k2.pruned(test::t0 + 1h + 30 * 24h);
      REQUIRE(p.size() == 1);
      CHECK(p.keys()[0].id == new_key.id);
    }
  }

  TEST_CASE(
      "among keys activating in the same second, the one added last seals, also after a file round "
      "trip") {
    keyring k = keyring::generate(test::t0);
    const auto first = k.keys()[0].id;
    keyring k2 = k.with_new_key(test::t0, test::t0);
    const auto second = k2.keys()[1].id;
    CHECK(k2.sealing_key(test::t0)->id == second);
    CHECK(k2.state(*k2.find(first), test::t0) == key_state::replaced);
  }

  TEST_CASE("state names") {
    CHECK(std::string(to_string(key_state::pending)) == "pending");
    CHECK(std::string(to_string(key_state::replaced)) == "replaced");
  }
}
