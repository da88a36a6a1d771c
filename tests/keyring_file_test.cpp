#include <cookieseal/codec.hpp>
#include <cookieseal/keyring_file.hpp>
#include <cookieseal/keyring_watcher.hpp>

#include "temp_dir.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

using cookieseal::keyring;
using cookieseal::keyring_file_error;
using namespace std::chrono_literals;

namespace {

// Two fixed keys: "AAECAwQF..." is bytes 00..1f; the second is bytes 20..3f.
const std::string key0 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
const std::string key1 = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8";

const std::string good_text =
    "cookieseal-keyring 1\n"
    "# a comment\n"
    "\n"
    "key 9f3a01c2 2026-11-21T03:00:00Z 2026-11-21T03:00:00Z never " +
    key0 +
    "\n"
    "key 51d0e7aa 2026-10-01T00:00:00Z 2026-10-01T00:00:00Z 2026-12-22T04:00:00Z " +
    key1 +
    "\n"
    "end-sessions-before 2026-11-01T00:00:00Z\n";

// The message of the keyring_file_error that parsing @p text throws.
std::string parse_error(const std::string& text) {
  try {
    (void)cookieseal::parse_keyring(text, "FILE");
  } catch (const keyring_file_error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_SUITE("keyring_file") {
  TEST_CASE("a keyring file parses, and formats back to text that parses to the same keyring") {
    const keyring k = cookieseal::parse_keyring(good_text);
    REQUIRE(k.size() == 2);
    CHECK(k.find(0x9f3a01c2)->activates == cookieseal::parse_rfc3339("2026-11-21T03:00:00Z"));
    CHECK_FALSE(k.find(0x9f3a01c2)->expires);
    CHECK(k.find(0x51d0e7aa)->expires == cookieseal::parse_rfc3339("2026-12-22T04:00:00Z"));
    CHECK(k.end_sessions_before() == cookieseal::parse_rfc3339("2026-11-01T00:00:00Z"));

    const auto text = cookieseal::format_keyring(k);
    CHECK(text.find(key0) != std::string::npos);
    const keyring back = cookieseal::parse_keyring(text);
    REQUIRE(back.size() == 2);
    for (std::size_t i = 0; i < 2; ++i) CHECK(back.keys()[i] == k.keys()[i]);
    CHECK(back.end_sessions_before() == k.end_sessions_before());
    CHECK(cookieseal::format_keyring(back) == text);

    // A removed key's tombstone survives the round trip.
    const keyring removed = k.without_key(0x51d0e7aa, test::t0);
    const keyring removed_back = cookieseal::parse_keyring(cookieseal::format_keyring(removed));
    CHECK(removed_back.size() == 1);
    REQUIRE(removed_back.tombstones().size() == 1);
    CHECK(removed_back.tombstones()[0] == removed.tombstones()[0]);

    // Same key bytes: a cookie sealed under one opens under the other.
    test::manual_clock clock;
    cookieseal::codec a(k, test::options_with(clock)), b(back, test::options_with(clock));
    CHECK(b.open("s", a.seal("s", test::typical_session())->cookie));
    // ...and the fixed key is the test key: interoperable with the frozen vectors.
    cookieseal::codec fixed(test::fixed_keyring(), test::options_with(clock));
    CHECK(fixed.open("s", a.seal("s", test::typical_session())->cookie));
  }

  TEST_CASE("each parse error names the line, and no message contains key bytes") {
    const std::string h = "cookieseal-keyring 1\n";
    const std::string k = "key 9f3a01c2 2026-11-21T03:00:00Z 2026-11-21T03:00:00Z never ";
    struct bad_case {
      std::string text, expect;
    };
    const bad_case cases[] = {
        {"", "empty keyring"},
        {"hello\n", "FILE:1: not a cookieseal keyring"},
        {"cookieseal-keyring 2\n", "FILE:1: unsupported keyring version"},
        {h + "\n# c\n" + k + key0 + " extra\n", "FILE:4: a key line is"},
        {h + "key 9f3a01c 2026-11-21T03:00:00Z 2026-11-21T03:00:00Z never " + key0 + "\n",
         "FILE:2: the key id must be 8 hex digits"},
        {h + "key 9f3a01cg 2026-11-21T03:00:00Z 2026-11-21T03:00:00Z never " + key0 + "\n",
         "FILE:2: the key id must be 8 hex digits"},
        {h + k + key0 + "\n" + k + key1 + "\n", "FILE:3: duplicate key id 9f3a01c2"},
        {h + "key 9f3a01c2 2026-11-21 2026-11-21T03:00:00Z never " + key0 + "\n",
         "FILE:2: bad created time"},
        {h + "key 9f3a01c2 2026-11-21T03:00:00Z 2026-13-21T03:00:00Z never " + key0 + "\n",
         "FILE:2: bad activates time"},
        {h + "key 9f3a01c2 2026-11-21T03:00:00Z 2026-11-21T03:00:00Z soon " + key0 + "\n",
         "FILE:2: bad expires time"},
        {h + k + key0.substr(0, 42) + "\n", "FILE:2: key 9f3a01c2: the key must be 32 bytes"},
        {h + k + key0 + "A\n", "FILE:2: key 9f3a01c2: the key must be 32 bytes"},
        {h + k + key0.substr(0, 42) + "+\n", "FILE:2: key 9f3a01c2: the key must be 32 bytes"},
        {h + k + key0.substr(0, 42) + "9\n",
         "FILE:2: key 9f3a01c2: the key must be 32 bytes"},  // non-canonical tail
        {h + "end-sessions-before yesterday\n", "FILE:2: bad time"},
        {h + "end-sessions-before 2026-11-01T00:00:00Z\nend-sessions-before 2026-11-01T00:00:00Z\n",
         "FILE:3: end-sessions-before appears twice"},
        {h + key0 + "\n", "FILE:2: unknown directive"},
        {h + "revoked 9f3a01c2 2026-11-21T03:00:00Z 2026-11-21T03:00:00Z\n",
         "FILE:2: a revoked line is: revoked ID CREATED ACTIVATES REMOVED"},
        {h + "revoked 9f3a01c2 2026-11-21T03:00:00Z 2026-11-21T03:00:00Z yesterday\n",
         "FILE:2: bad removed time"},
        {h + k + key0 +
             "\n# gone\nrevoked 9f3a01c2 2026-11-21T03:00:00Z 2026-11-21T03:00:00Z "
             "2026-11-22T03:00:00Z\n",
         "FILE:4: duplicate key id 9f3a01c2"},
        {h + "revoked 9f3a01c2 2026-11-21T03:00:00Z 2026-11-21T03:00:00Z 2026-11-22T03:00:00Z\n" +
             k + key0 + "\n",
         "FILE:3: duplicate key id 9f3a01c2"},
    };
    for (const auto& c : cases) {
      CAPTURE(c.text);
      const std::string msg = parse_error(c.text);
      CHECK(msg.find(c.expect) != std::string::npos);
      CHECK(msg.find(key0.substr(0, 20)) == std::string::npos);
      CHECK(msg.find(key1.substr(0, 20)) == std::string::npos);
    }
  }

  TEST_CASE("the example in docs/KEYRING.md parses as documented") {
    const char* docs = std::getenv("COOKIESEAL_DOCS");
    REQUIRE(docs != nullptr);
    std::ifstream in(std::string(docs) + "/KEYRING.md");
    REQUIRE(in.good());
    std::string line, block;
    bool inside = false, done = false;
    while (!done && std::getline(in, line)) {
      if (line.rfind("```", 0) == 0) {
        if (inside) done = true;
        inside = !inside;
      } else if (inside) {
        block += line + "\n";
      }
    }
    const keyring k = cookieseal::parse_keyring(block, "KEYRING.md");
    REQUIRE(k.size() == 2);
    CHECK(k.find(0x9f3a01c2)->activates == cookieseal::parse_rfc3339("2026-11-22T04:00:00Z"));
    CHECK(k.end_sessions_before() == cookieseal::parse_rfc3339("2026-11-01T00:00:00Z"));
    REQUIRE(k.find_tombstone(0x0c7e55d1) != nullptr);
    CHECK(k.find_tombstone(0x0c7e55d1)->removed ==
          cookieseal::parse_rfc3339("2026-10-02T09:30:00Z"));
  }

  TEST_CASE("CRLF line endings and tabs are accepted") {
    std::string text = good_text;
    std::string crlf;
    for (char ch : text) {
      if (ch == '\n')
        crlf += "\r\n";
      else
        crlf += ch == ' ' ? '\t' : ch;
    }
    CHECK(cookieseal::parse_keyring(crlf).size() == 2);
  }

  TEST_CASE("loading refuses a file group or others can access, naming the fix") {
    test::temp_dir dir;
    const auto file = dir / "keys";
    for (mode_t mode : {0644u, 0640u, 0604u, 0620u, 0602u, 0660u}) {
      test::write_text(file, good_text, mode);
      CAPTURE(mode);
      try {
        (void)cookieseal::load_keyring_file(file, test::t0);
        FAIL("a group- or world-accessible keyring loaded");
      } catch (const keyring_file_error& e) {
        const std::string msg = e.what();
        CHECK(msg.find("chmod 600 " + file.string()) != std::string::npos);
        CHECK(msg.find(key0.substr(0, 20)) == std::string::npos);
      }
    }
    for (mode_t mode : {0600u, 0400u}) {
      test::write_text(file, good_text, mode);
      CHECK(cookieseal::load_keyring_file(file, test::t0).size() == 2);
    }
  }

  TEST_CASE("loading refuses a file owned by another user, naming the fix" *
            doctest::skip(::geteuid() != 0)) {  // only root can give a file away
    test::temp_dir dir;
    const auto file = dir / "keys";
    test::write_text(file, good_text);
    REQUIRE(::chown(file.c_str(), 4321, 4321) == 0);
    CHECK_THROWS_WITH_AS(
        (void)cookieseal::load_keyring_file(file, test::t0),
        doctest::Contains("owned by uid 4321, not by this user (uid 0) or root; run: chown 0"),
        keyring_file_error);
    REQUIRE(::chown(file.c_str(), 0, 0) == 0);
    CHECK(cookieseal::load_keyring_file(file, test::t0).size() == 2);
  }

  TEST_CASE("a FIFO or a device at the path is refused at once, never waited on") {
    test::temp_dir dir;
    const auto fifo = dir / "keys";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    CHECK_THROWS_WITH_AS((void)cookieseal::load_keyring_file(fifo, test::t0),
                         doctest::Contains("not a regular file"), keyring_file_error);
    CHECK_THROWS_WITH_AS((void)cookieseal::load_keyring_file("/dev/zero", test::t0),
                         doctest::Contains("not a regular file"), keyring_file_error);
    cookieseal::create_keyring_file(dir / "real", cookieseal::keyring::generate(test::t0),
                                    test::t0);
    cookieseal::keyring_watcher w(dir / "real", [] { return test::t0; });
    std::filesystem::remove(dir / "real");
    REQUIRE(::mkfifo((dir / "real").c_str(), 0600) == 0);
    CHECK(std::string_view(w.reload_if_changed().error->what()).find("not a regular file") !=
          std::string::npos);
  }

  TEST_CASE("loading refuses a missing file, a directory, and a keyring that cannot seal") {
    test::temp_dir dir;
    CHECK_THROWS_WITH_AS((void)cookieseal::load_keyring_file(dir / "absent", test::t0),
                         doctest::Contains("no such file"), keyring_file_error);
    CHECK_THROWS_AS((void)cookieseal::load_keyring_file(dir.path(), test::t0), keyring_file_error);
    const auto file = dir / "keys";
    test::write_text(
        file,
        "cookieseal-keyring 1\nkey 9f3a01c2 2026-11-21T03:00:00Z 2030-01-01T00:00:00Z never " +
            key0 + "\n");
    CHECK_THROWS_WITH_AS((void)cookieseal::load_keyring_file(file, test::t0),
                         doctest::Contains("no key can seal"), keyring_file_error);
    test::write_text(file, "cookieseal-keyring 1\n");
    CHECK_THROWS_WITH_AS((void)cookieseal::load_keyring_file(file, test::t0),
                         doctest::Contains("no key can seal"), keyring_file_error);
  }

  TEST_CASE("a keyring loads from an environment variable") {
    ::setenv("COOKIESEAL_TEST_KEYRING", good_text.c_str(), 1);
    CHECK(cookieseal::load_keyring_env("COOKIESEAL_TEST_KEYRING", test::t0).size() == 2);
    ::setenv("COOKIESEAL_TEST_KEYRING", "garbage", 1);
    CHECK_THROWS_WITH_AS((void)cookieseal::load_keyring_env("COOKIESEAL_TEST_KEYRING", test::t0),
                         doctest::Contains("$COOKIESEAL_TEST_KEYRING:1:"), keyring_file_error);
    ::unsetenv("COOKIESEAL_TEST_KEYRING");
    CHECK_THROWS_WITH_AS((void)cookieseal::load_keyring_env("COOKIESEAL_TEST_KEYRING", test::t0),
                         doctest::Contains("not set"), keyring_file_error);
  }

  TEST_CASE("update_keyring_file creates, changes and refuses atomically") {
    test::temp_dir dir;
    const auto file = dir / "keys";
    auto generate = [](const keyring&) { return keyring::generate(test::t0); };
    const keyring created =
        cookieseal::create_keyring_file(file, keyring::generate(test::t0), test::t0);
    struct stat st {};
    REQUIRE(::stat(file.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK(cookieseal::load_keyring_file(file, test::t0).keys()[0] == created.keys()[0]);

    SUBCASE("create refuses an existing file; change refuses a missing one") {
      CHECK_THROWS_WITH_AS(
          cookieseal::create_keyring_file(file, keyring::generate(test::t0), test::t0),
          doctest::Contains("already exists"), keyring_file_error);
      CHECK_THROWS_WITH_AS(cookieseal::update_keyring_file(dir / "nope", generate, test::t0),
                           doctest::Contains("no such file"), keyring_file_error);
    }
    SUBCASE("a change that leaves no sealing key is refused and the file stays whole") {
      const auto before = cookieseal::format_keyring(cookieseal::load_keyring_file(file, test::t0));
      const auto id = created.keys()[0].id;
      CHECK_THROWS_WITH_AS(
          cookieseal::update_keyring_file(
              file, [id](const keyring& k) { return k.with_expiry(id, test::t0 - 1s); }, test::t0),
          doctest::Contains("no key can seal"), keyring_file_error);
      CHECK(cookieseal::format_keyring(cookieseal::load_keyring_file(file, test::t0)) == before);
    }
    SUBCASE("an exception from the change leaves the file whole") {
      CHECK_THROWS_AS(
          cookieseal::update_keyring_file(
              file, [](const keyring&) -> keyring { throw std::runtime_error("x"); }, test::t0),
          std::runtime_error);
      CHECK(cookieseal::load_keyring_file(file, test::t0).size() == 1);
    }
    SUBCASE("a missing directory: a clear error naming it, and nothing is created") {
      const auto missing = dir / "no-such-dir" / "keys";
      CHECK_THROWS_WITH_AS(
          cookieseal::create_keyring_file(missing, keyring::generate(test::t0), test::t0),
          doctest::Contains("no-such-dir"), keyring_file_error);
      CHECK_FALSE(std::filesystem::exists(dir / "no-such-dir"));
      CHECK(cookieseal::load_keyring_file(file, test::t0).size() == 1);  // the other file untouched
    }
    SUBCASE("threads rotating at once lose no key") {
      std::vector<std::thread> threads;
      for (int i = 0; i < 8; ++i)
        threads.emplace_back([&] {
          cookieseal::update_keyring_file(
              file, [](const keyring& k) { return k.rotated(test::t0); }, test::t0);
        });
      for (auto& t : threads) t.join();
      CHECK(cookieseal::load_keyring_file(file, test::t0).size() == 9);
      std::size_t leftovers = 0;
      for (const auto& e : std::filesystem::directory_iterator(dir.path()))
        leftovers += e.path().filename().string().find(".tmp.") != std::string::npos;
      CHECK(leftovers == 0);
    }
  }

  TEST_CASE("a rotation drill with an injected clock") {
    test::temp_dir dir;
    const auto file = dir / "keys";
    test::manual_clock clock;
    auto o = test::options_with(clock);
    o.max_age = 0s;  // let keys, not session policy, decide what opens
    o.idle_timeout = 0s;
    cookieseal::create_keyring_file(file, keyring::generate(test::t0), test::t0);
    cookieseal::keyring_watcher w(file, clock);
    cookieseal::codec c(w.current(), o);
    w.attach(c);
    const auto k1 = w.current()->keys()[0].id;

    const auto k1_cookie = c.seal("s", test::typical_session())->cookie;
    cookieseal::update_keyring_file(
        file, [](const keyring& k) { return k.rotated(test::t0); }, test::t0);
    CHECK(w.reload_if_changed().reloaded);
    const auto k2 = w.current()->keys()[1].id;

    // Before activation K1 still seals.
    clock.advance(59min);
    CHECK(c.seal("s", test::typical_session())->key_id == k1);
    // After it, K2 seals and K1 cookies open, saying key_replaced.
    clock.advance(1min);
    CHECK(c.seal("s", test::typical_session())->key_id == k2);
    auto opened = c.open("s", k1_cookie);
    REQUIRE(opened);
    CHECK(opened->info.key_replaced);
    // K1 expires 30 days after K2's activation: then its cookies are unknown_key.
    clock.advance(30 * 24h - 1s);
    CHECK(c.open("s", k1_cookie));
    clock.advance(1s);
    CHECK(c.open("s", k1_cookie).error() == cookieseal::errc::unknown_key);
    // Prune removes it from the file.
    cookieseal::update_keyring_file(
        file, [&](const keyring& k) { return k.pruned(clock()); }, clock());
    CHECK(w.reload_if_changed().reloaded);
    CHECK(w.current()->size() == 1);

    // end-sessions refuses older sessions only.
    const auto old_cookie = c.seal("s", test::typical_session(clock() - 1h))->cookie;
    cookieseal::update_keyring_file(
        file, [&](const keyring& k) { return k.with_end_sessions_before(clock() - 30min); },
        clock());
    CHECK(w.reload_if_changed().reloaded);
    CHECK(c.open("s", old_cookie).error() == cookieseal::errc::revoked);
    CHECK(c.open("s", c.seal("s", test::typical_session(clock() - 10min))->cookie));
  }

  TEST_CASE("a revoked key stays in the file as a tombstone, and is refused without a file check") {
    test::temp_dir dir;
    const auto file = dir / "keys";
    test::manual_clock clock;
    cookieseal::create_keyring_file(file, keyring::generate(test::t0), test::t0);
    cookieseal::keyring_watcher w(file, clock);
    cookieseal::codec c(w.current(), test::options_with(clock));
    w.attach(c);
    const auto k1 = w.current()->keys()[0].id;
    const auto k1_cookie = c.seal("s", test::typical_session())->cookie;

    // The leak drill: a key that seals now, then the leaked one removed.
    cookieseal::update_keyring_file(
        file,
        [](const keyring& k) {
          return k.rotated(test::t0, 0s).without_key(k.keys()[0].id, test::t0);
        },
        test::t0);
    const auto text = cookieseal::format_keyring(cookieseal::load_keyring_file(file, test::t0));
    CHECK(std::string_view(text).find(
              "revoked " + cookieseal::key_id_hex(k1) +
              " 2026-11-22T03:00:00Z 2026-11-22T03:00:00Z 2026-11-22T03:00:00Z\n") !=
          std::string::npos);
    CHECK(w.reload_if_changed().reloaded);
    const auto& loaded = *w.current();
    REQUIRE(loaded.tombstones().size() == 1);
    CHECK(loaded.tombstones()[0].id == k1);
    CHECK(c.open("s", k1_cookie).error() == cookieseal::errc::unknown_key);

    // A file that then fails to load changes nothing: the tombstone in force
    // still refuses (not undecided), since the removal was already seen.
    clock.advance(2s);
    std::filesystem::permissions(file, std::filesystem::perms::group_read,
                                 std::filesystem::perm_options::add);
    CHECK(std::string_view(w.reload_if_changed().error->what()).find("accessible to group") !=
          std::string::npos);
    CHECK(c.open("s", k1_cookie).error() == cookieseal::errc::unknown_key);
  }

  TEST_CASE(
      "the watcher reloads a renamed-over file and a swapped symlink, and keeps the last good "
      "keyring") {
    test::temp_dir dir;
    const auto real1 = dir / "v1", real2 = dir / "v2", link = dir / "keys";
    test::write_text(real1, good_text);
    std::filesystem::create_symlink(real1, link);
    cookieseal::keyring_watcher w(link, [] { return test::t0; });
    CHECK(w.current()->size() == 2);
    CHECK_FALSE(w.reload_if_changed().changed);

    SUBCASE("Kubernetes-style symlink swap") {
      test::write_text(real2, cookieseal::format_keyring(w.current()->rotated(test::t0)));
      const auto tmp_link = dir / "keys.new";
      std::filesystem::create_symlink(real2, tmp_link);
      std::filesystem::rename(tmp_link, link);  // atomic swap
      const auto r = w.reload_if_changed();
      CHECK(r.reloaded);
      CHECK(w.current()->size() == 3);
    }
    SUBCASE("a corrupt replacement is refused once and the old keyring keeps working") {
      cookieseal::codec c(w.current(), test::options_with(test::manual_clock()));
      w.attach(c);
      const auto cookie = c.seal("s", test::typical_session())->cookie;
      test::write_text(real2, "cookieseal-keyring 1\nkey 9f3a01c2 half-writ");
      std::filesystem::rename(real2, real1);
      auto r = w.reload_if_changed();
      CHECK(r.changed);
      CHECK_FALSE(r.reloaded);
      CHECK(std::string_view(r.error->what()).find(":2:") != std::string::npos);
      CHECK_FALSE(w.reload_if_changed().changed);  // reported once, not on every poll
      CHECK(w.current()->size() == 2);
      CHECK(c.open("s", cookie));
      SUBCASE("wrong permissions are refused too") {
        test::write_text(real2, good_text, 0644);
        std::filesystem::rename(real2, real1);
        r = w.reload_if_changed();
        CHECK(std::string_view(r.error->what()).find("chmod 600") != std::string::npos);
        CHECK(c.open("s", cookie));
      }
      SUBCASE("a deleted file is refused") {
        std::filesystem::remove(real1);
        CHECK_FALSE(w.reload_if_changed().reloaded);
        CHECK(c.open("s", cookie));
      }
    }
  }

  TEST_CASE("the background watcher picks up a change by itself") {
    test::temp_dir dir;
    const auto file = dir / "keys";
    test::write_text(file, good_text);
    cookieseal::keyring_watcher w(file, [] { return test::t0; });
    std::atomic<int> events{0};
    w.start(20ms, [&](const cookieseal::reload_result& r) {
      if (r.reloaded) ++events;
    });
    cookieseal::update_keyring_file(
        file, [](const keyring& k) { return k.rotated(test::t0); }, test::t0);
    for (int i = 0; i < 250 && events.load() == 0; ++i) std::this_thread::sleep_for(20ms);
    w.stop();
    CHECK(events.load() == 1);
    CHECK(w.current()->size() == 3);
  }
}
