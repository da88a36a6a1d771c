// A real full disk: COOKIESEAL_FULL_DISK_DIR is a small tmpfs mounted by
// full_disk_test.sh. Writes fail with a clear error, no partial entry is left,
// and nothing already stored is lost.
#include <cookieseal/codec.hpp>
#include <cookieseal/file_store.hpp>

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <string>
#include <vector>

using cookieseal::errc;

TEST_SUITE("full_disk") {
  TEST_CASE("a full disk gives store_unavailable, leaves no partial entry and loses no session") {
    const char* dir = std::getenv("COOKIESEAL_FULL_DISK_DIR");
    REQUIRE_MESSAGE(dir != nullptr, "run through full_disk_test.sh");
    auto store = std::make_shared<cookieseal::file_store>(std::string(dir) + "/store");
    test::manual_clock clock;
    auto o = test::options_with(clock);
    o.overflow_store = store;
    cookieseal::codec c(test::fixed_keyring(), o);

    std::vector<std::string> cookies;
    std::vector<std::string> blobs;
    cookieseal::result<cookieseal::sealed> r = errc::too_large;
    for (int i = 0; i < 1000; ++i) {
      cookieseal::session s(test::t0);
      blobs.push_back(std::string(20000, static_cast<char>('a' + i % 26)) + std::to_string(i));
      s.set("blob", blobs.back());
      r = c.seal("session", s);
      if (!r) break;
      cookies.push_back(r->cookie);
    }
    REQUIRE_MESSAGE(!r, "the disk never filled up");
    CHECK(r.error() == errc::store_unavailable);
    CHECK(cookies.size() >= 2);
    MESSAGE(cookies.size() << " sessions stored before the disk was full");

    // Every session stored before is whole.
    for (std::size_t i = 0; i < cookies.size(); ++i) {
      auto opened = c.open("session", cookies[i]);
      REQUIRE(opened);
      CHECK(opened->session.get<std::string>("blob") == blobs[i]);
    }
    // No temp file or partial entry is left behind.
    std::size_t temps = 0;
    for (const auto& e : std::filesystem::recursive_directory_iterator(store->directory()))
      temps += e.path().filename().string().find(".tmp.") != std::string::npos;
    CHECK(temps == 0);
    CHECK(store->stats()->entries == cookies.size());
    // Revocations fail cleanly too, and small inline sessions still work.
    cookieseal::session id_probe(test::t0);
    (void)store->revoke_session(id_probe.id(), test::t0 + std::chrono::hours(1));
    cookieseal::session small(test::t0);
    small.set("n", 1);
    CHECK(c.open("session", c.seal("session", small)->cookie));
    // Freeing space makes the store writable again.
    clock.advance(std::chrono::hours(25));
    CHECK(*store->collect_garbage(clock()) >= cookies.size());
    cookieseal::session again(clock());
    again.set("blob", std::string(20000, 'z'));
    CHECK(c.seal("session", again));
  }
}
