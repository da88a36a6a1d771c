#include <cookieseal/codec.hpp>
#include <cookieseal/keyring_file.hpp>
#include <cookieseal/keyring_watcher.hpp>

#include "temp_dir.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

using namespace std::chrono_literals;

TEST_SUITE("concurrency") {
  TEST_CASE("seal and open from many threads while the keyring is swapped refuse no valid cookie") {
    test::manual_clock clock;
    const auto base = test::fixed_keyring();
    cookieseal::codec c(base, test::options_with(clock));
    // Every swapped-in keyring keeps the original key, plus a new one that seals.
    std::vector<std::shared_ptr<const cookieseal::keyring>> rings;
    for (int i = 0; i < 8; ++i)
      rings.push_back(std::make_shared<const cookieseal::keyring>(
          base.with_new_key(test::t0, test::t0 - std::chrono::seconds(i))));
    const auto old_cookie = c.seal("session", test::typical_session())->cookie;

    std::atomic<bool> stop{false};
    std::atomic<int> failures{0}, opened{0};
    std::vector<std::thread> workers;
    for (int t = 0; t < 4; ++t) {
      workers.emplace_back([&] {
        for (int i = 0; i < 300; ++i) {
          auto sealed = c.seal("session", test::typical_session());
          if (!sealed) {
            ++failures;
            continue;
          }
          // A cookie sealed a moment ago may have a key a later swap dropped:
          // only the long-lived original key's cookie must always open.
          if (!c.open("session", old_cookie))
            ++failures;
          else
            ++opened;
        }
      });
    }
    std::thread swapper([&] {
      for (std::size_t i = 0; !stop.load(); ++i) c.set_keyring(rings[i % rings.size()]);
    });
    for (auto& w : workers) w.join();
    stop = true;
    swapper.join();
    CHECK(failures.load() == 0);
    CHECK(opened.load() == 4 * 300);
  }

  TEST_CASE("a reload storm during multi-threaded traffic refuses no valid cookie") {
    test::temp_dir dir;
    const auto file = dir / "keys";
    test::manual_clock clock;
    cookieseal::create_keyring_file(file, cookieseal::keyring::generate(test::t0), test::t0);
    cookieseal::keyring_watcher watcher(file, clock);
    cookieseal::codec c(watcher.current(), test::options_with(clock));
    watcher.attach(c);

    std::atomic<bool> stop{false};
    std::atomic<int> refused{0}, round_trips{0};
    std::vector<std::thread> workers;
    for (int t = 0; t < 4; ++t) {
      workers.emplace_back([&] {
        while (!stop.load()) {
          // Rotations only add keys, so whatever seals must open, whichever
          // keyring each call happens to see.
          auto sealed = c.seal("session", test::typical_session());
          if (!sealed || !c.open("session", sealed->cookie))
            ++refused;
          else
            ++round_trips;
        }
      });
    }
    constexpr int rotations = 25;
    int reloads = 0;
    for (int i = 0; i < rotations; ++i) {
      cookieseal::update_keyring_file(
          file,
          [](const cookieseal::keyring& k) { return k.rotated(test::t0, std::chrono::seconds{0}); },
          test::t0);
      reloads += watcher.reload_if_changed().reloaded;
    }
    // Keep traffic going a moment after the last swap.
    while (round_trips.load() < 200) std::this_thread::yield();
    stop = true;
    for (auto& w : workers) w.join();
    CHECK(refused.load() == 0);
    CHECK(round_trips.load() >= 200);
    CHECK(reloads == rotations);
    CHECK(watcher.current()->size() == rotations + 1);
    CHECK(c.current_keyring()->size() == rotations + 1);
  }
}
