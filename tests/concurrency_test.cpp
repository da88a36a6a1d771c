#include <cookieseal/codec.hpp>

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
          if (!sealed) { ++failures; continue; }
          // A cookie sealed a moment ago may have a key a later swap dropped:
          // only the long-lived original key's cookie must always open.
          if (!c.open("session", old_cookie)) ++failures;
          else ++opened;
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
}
