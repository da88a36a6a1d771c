// The request path under store, keyring and clock trouble: a request's cookie
// is opened, refused or undecided, and only a refused one is ever cleared.
#include <cookieseal/file_store.hpp>
#include <cookieseal/keyring_file.hpp>
#include <cookieseal/keyring_watcher.hpp>
#include <cookieseal/session_manager.hpp>

#include "flaky_store.hpp"
#include "temp_dir.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

using cookieseal::errc;
using cookieseal::outcome;
using namespace std::chrono_literals;

namespace {

using headers = std::vector<cookieseal::http::header>;

// The Set-Cookie values among @p h.
std::vector<std::string> set_cookies(const headers& h) {
  std::vector<std::string> out;
  for (const auto& x : h)
    if (x.name == "Set-Cookie") out.push_back(x.value);
  return out;
}

// "name=value" for the next request's Cookie header, from a Set-Cookie value.
std::string cookie_pair(const std::string& set_cookie) {
  return set_cookie.substr(0, set_cookie.find(';'));
}

bool has_header(const headers& h, std::string_view name, std::string_view value) {
  for (const auto& x : h)
    if (x.name == name && x.value == value) return true;
  return false;
}

// A codec over a file store behind a switch, and a manager for "__Host-session".
struct store_fixture {
  test::temp_dir dir;
  test::manual_clock clock;
  std::shared_ptr<cookieseal::file_store> real =
      std::make_shared<cookieseal::file_store>(dir / "store");
  std::shared_ptr<test::flaky_store> store = std::make_shared<test::flaky_store>(real);
  std::vector<std::string> heard;  // the codec's diagnostic function
  cookieseal::codec codec{test::fixed_keyring(), [this] {
                            auto o = test::options_with(clock);
                            o.overflow_store = store;
                            o.revocation_store = store;
                            o.diagnostic = [this](std::string_view m) { heard.emplace_back(m); };
                            return o;
                          }()};
  cookieseal::session_manager sessions{codec};

  // A cookie for a new session with @p values set (and a cart of @p cart_bytes).
  std::string cookie_with(std::string subject, std::size_t cart_bytes = 0) {
    auto r = sessions.load("");
    if (!subject.empty()) r.session().login(subject, clock());
    r.session().set("visits", 1);
    if (cart_bytes) r.session().set("cart", std::string(cart_bytes, 'c'));
    auto h = sessions.save(r);
    REQUIRE(h);
    REQUIRE(set_cookies(*h).size() == 1);
    return cookie_pair(set_cookies(*h)[0]);
  }
};

}  // namespace

TEST_SUITE("faults") {
  TEST_CASE(
      "an unreachable store leaves the request undecided: save sends nothing, even after changes") {
    store_fixture f;
    const std::string inline_cookie = f.cookie_with("alice");
    const std::string overflow_cookie = f.cookie_with("bob", 6000);
    f.store->down = true;
    for (const auto& cookie : {inline_cookie, overflow_cookie}) {
      CAPTURE(cookie.size());
      auto r = f.sessions.load(cookie);
      CHECK(r.outcome() == outcome::undecided);
      CHECK(r.undecided() == errc::store_unavailable);
      CHECK_FALSE(r.refused());
      r.session().set("visits", 99);  // the handler changed it anyway
      auto h = f.sessions.save(r);
      REQUIRE_FALSE(h);
      CHECK(h.error() == errc::store_unavailable);
      CHECK(cookieseal::outcome_of(h.error()) == outcome::undecided);
    }
    // The codec said why, for each load (the inline cookie needs the revocation
    // list; the overflow one its entry first).
    REQUIRE(f.heard.size() == 2);
    CHECK(f.heard[0] == "open: the revocation list could not answer");
    CHECK(f.heard[1] == "open: the overflow store could not be read");
    SUBCASE("destroy on an undecided request ends nothing") {
      auto r = f.sessions.load(inline_cookie);
      r.destroy();
      CHECK_FALSE(f.sessions.save(r));
      f.store->down = false;
      CHECK(f.sessions.load(inline_cookie).session().subject() == "alice");
    }
    SUBCASE("when the store is back every session opens whole") {
      f.store->down = false;
      auto a = f.sessions.load(inline_cookie);
      CHECK(a.session().subject() == "alice");
      auto b = f.sessions.load(overflow_cookie);
      CHECK(b.session().get<std::string>("cart") == std::string(6000, 'c'));
    }
  }

  TEST_CASE("a refused cookie is cleared; the reasons are refused ones") {
    store_fixture f;
    auto r = f.sessions.load("__Host-session=garbage!");
    CHECK(r.outcome() == outcome::refused);
    auto h = f.sessions.save(r);
    REQUIRE(h);
    REQUIRE(set_cookies(*h).size() == 1);
    CHECK(set_cookies(*h)[0].find("Max-Age=0") != std::string::npos);
    for (auto e : {errc::malformed, errc::unsupported_version, errc::unknown_key,
                   errc::authentication_failed, errc::expired, errc::invalid_payload, errc::revoked,
                   errc::ambiguous})
      CHECK(cookieseal::outcome_of(e) == outcome::refused);
    CHECK(cookieseal::outcome_of(errc::key_not_loaded) == outcome::undecided);
    CHECK(cookieseal::outcome_of(errc::header_truncated) == outcome::undecided);
  }

  TEST_CASE("a Cookie header cut at the parser's limit never clears a cookie") {
    store_fixture f;
    const std::string cookie = f.cookie_with("alice");
    cookieseal::session_options o;
    o.limits.max_header_bytes = cookie.size() + 2;
    cookieseal::session_manager small(f.codec, o);
    SUBCASE("the session cookie cut in half") {
      const std::string header = "a=1; " + cookie;  // the limit falls 3 bytes before its end
      auto r = small.load(header);
      CHECK(r.undecided() == errc::header_truncated);
      auto h = small.save(r);
      CHECK_FALSE(h);  // no deletion, no overwrite
    }
    SUBCASE("over the pair limit with the cookie past it") {
      cookieseal::session_options few;
      few.limits.max_cookies = 3;
      cookieseal::session_manager m(f.codec, few);
      auto r = m.load("a=1; b=2; c=3; d=4; " + cookie);
      CHECK(r.undecided() == errc::header_truncated);
      CHECK_FALSE(m.save(r));
    }
    SUBCASE("a whole cookie before the cut still opens") {
      auto r = small.load(cookie + "; pad=" + std::string(400, 'p'));
      CHECK(r.session().subject() == "alice");
      CHECK(small.save(r));
    }
  }

  TEST_CASE("responses carry Vary: Cookie, and Cache-Control: no-store with a Set-Cookie") {
    store_fixture f;
    auto r = f.sessions.load("");
    auto quiet = f.sessions.save(r);
    REQUIRE(quiet);
    CHECK(set_cookies(*quiet).empty());
    CHECK(has_header(*quiet, "Vary", "Cookie"));
    CHECK_FALSE(has_header(*quiet, "Cache-Control", "no-store"));
    r.session().set("n", 1);
    auto loud = f.sessions.save(r);
    REQUIRE(loud);
    CHECK(set_cookies(*loud).size() == 1);
    CHECK(has_header(*loud, "Cache-Control", "no-store"));
    CHECK(has_header(*loud, "Vary", "Cookie"));
  }

  TEST_CASE("a flash after destroy is delivered in a fresh session") {
    store_fixture f;
    const std::string cookie = f.cookie_with("alice");
    auto r = f.sessions.load(cookie);
    const auto old_id = r.session().id();
    r.destroy();
    CHECK(r.session().subject().empty());
    r.session().flash("notice", "You are logged out");
    auto h = f.sessions.save(r);
    REQUIRE(h);
    const auto sc = set_cookies(*h);
    REQUIRE(sc.size() == 1);
    CHECK(sc[0].find("Max-Age=0") == std::string::npos);  // a new cookie, not a deletion
    auto next = f.sessions.load(cookie_pair(sc[0]));
    CHECK(next.session().id() != old_id);
    CHECK(next.session().subject().empty());
    const auto flashes = next.session().take_flashes("notice");
    REQUIRE(flashes.size() == 1);
    CHECK(flashes[0].as<std::string>() == "You are logged out");
    CHECK(f.sessions.load(cookie).refused() == errc::revoked);  // the old one stays ended
  }

  TEST_CASE("several cookies of the name: a planted one cannot become the user's session") {
    store_fixture f;
    cookieseal::session_options o;
    o.name = "sid";  // no __Host- prefix: a sibling subdomain can plant one
    o.attributes.secure = true;
    cookieseal::session_manager m(f.codec, o);
    auto make = [&](const char* who) {
      auto r = m.load("");
      r.session().login(who, f.clock());
      return cookie_pair(set_cookies(*m.save(r))[0]);
    };
    const std::string victim = make("victim"), attacker = make("attacker");
    auto r = m.load(victim + "; " + attacker);
    CHECK(r.refused() == errc::ambiguous);
    CHECK(r.session().subject().empty());
    auto h = m.save(r);
    REQUIRE(h);
    CHECK(set_cookies(*h).empty());  // a deletion could not reach the planted one

    SUBCASE("two copies of one session are not ambiguous") {
      CHECK(m.load(victim + "; " + victim).session().subject() == "victim");
    }
    SUBCASE("a refused copy beside one that opens is ignored") {
      CHECK(m.load("sid=junk; " + victim).session().subject() == "victim");
    }
    SUBCASE("under __Host- the first that opens is taken") {
      const std::string a = f.cookie_with("one"), b = f.cookie_with("two");
      CHECK(f.sessions.load(a + "; " + b).session().subject() == "one");
    }
    SUBCASE("one that opens beside one that is undecided is undecided") {
      auto o2 = test::options_with(f.clock);
      o2.overflow_store = f.store;  // no revocation store: inline cookies open while it is down
      cookieseal::codec c2(test::fixed_keyring(), o2);
      cookieseal::session_manager m2(c2, o);
      auto seal_with = [&](std::size_t cart) {
        auto x = m2.load("");
        x.session().set("cart", std::string(cart, 'c'));
        return cookie_pair(set_cookies(*m2.save(x))[0]);
      };
      const std::string small = seal_with(10), big = seal_with(6000);
      f.store->down = true;
      CHECK(m2.load(small).outcome() == outcome::opened);
      CHECK(m2.load(small + "; " + big).undecided() == errc::store_unavailable);
    }
  }

  TEST_CASE("log out everywhere ends every earlier session of the subject and none after it") {
    store_fixture f;
    const std::string earlier = f.cookie_with("alice");
    f.clock.advance(5s);
    const std::string same_second_before = f.cookie_with("alice");
    REQUIRE(f.codec.revoke_subject("alice"));  // the request that asks for it
    // A login right after, in the same second (the clock did not move).
    const std::string after = f.cookie_with("alice");
    CHECK(f.sessions.load(earlier).refused() == errc::revoked);
    CHECK(f.sessions.load(same_second_before).refused() == errc::revoked);
    auto held = f.sessions.load(after);
    CHECK(held.session().subject() == "alice");
    CHECK(f.sessions.load(f.cookie_with("bob")).session().subject() == "bob");

    SUBCASE("and for as long as any of them could open") {
      // The last second a session of t0 + 5 s could open (renewed all along):
      // created_at + max_age + leeway. The record must still be there.
      f.clock.advance(7 * 24h + 60s);
      auto still = f.real->is_revoked(cookieseal::session_id{}, "alice", test::t0 + 5s, f.clock());
      REQUIRE(still);
      CHECK(*still);
    }
    SUBCASE("a revocation store that cannot answer refuses the login (503), never lets one slip") {
      f.store->down = true;
      auto r = f.sessions.load("");
      r.session().login("alice", f.clock());
      auto h = f.sessions.save(r);
      REQUIRE_FALSE(h);
      CHECK(h.error() == errc::store_unavailable);
    }
  }

  TEST_CASE("end-sessions-before cuts at the second: a new session of that second holds") {
    test::manual_clock clock;
    auto keys = test::fixed_keyring();
    cookieseal::codec c(keys, test::options_with(clock));
    cookieseal::session_manager m(c);
    auto old = m.load("");
    old.session().set("n", 1);
    const std::string old_cookie = cookie_pair(set_cookies(*m.save(old))[0]);
    c.set_keyring(std::make_shared<const cookieseal::keyring>(
        keys.with_end_sessions_before(cookieseal::revocation_cutoff(clock()))));
    CHECK(m.load(old_cookie).refused() == errc::revoked);
    auto fresh = m.load("");
    fresh.session().set("n", 2);
    auto h = m.save(fresh);
    REQUIRE(h);
    CHECK(m.load(cookie_pair(set_cookies(*h)[0])).session().get<int>("n") == 2);
  }

  TEST_CASE("a destroyed session stays refused through its last valid second") {
    store_fixture f;
    const std::string cookie = f.cookie_with("alice");
    auto r = f.sessions.load(cookie);
    REQUIRE(f.codec.destroy(r.session()));
    // Renewed copies of it would open until created_at + max_age + leeway inclusive.
    f.clock.advance(7 * 24h + 60s);
    auto fake_renewed =
        f.real->is_revoked(r.session().id(), "", r.session().created_at(), f.clock());
    REQUIRE(fake_renewed);
    CHECK(*fake_renewed);
  }

  TEST_CASE("with max_age 0 a revocation is kept for as long as the cookie can exist") {
    cookieseal::codec_options o;
    o.max_age = 0s;
    CHECK(cookieseal::revocation_end(o, test::t0) == cookieseal::revocation_forever);
    o.max_age = 1h;
    CHECK(cookieseal::revocation_end(o, test::t0) == test::t0 + 1h + 61s);
  }

  TEST_CASE("cookies from the future are refused") {
    test::manual_clock clock;
    cookieseal::codec c(test::fixed_keyring(), test::options_with(clock));
    test::manual_clock fast(test::t0 + 10min);
    cookieseal::codec fast_codec(test::fixed_keyring(), test::options_with(fast));
    auto from_fast = fast_codec.seal("session", test::typical_session(test::t0));
    REQUIRE(from_fast);
    CHECK(c.open("session", from_fast->cookie).error() == errc::invalid_payload);
    // created_at ahead of issued_at: a session made by a fast clock, sealed by a slow one.
    auto ahead = c.seal("session", test::typical_session(test::t0 + 10min));
    REQUIRE(ahead);
    CHECK(c.open("session", ahead->cookie).error() == errc::invalid_payload);
    // Within the leeway both are fine.
    fast.set(test::t0 + 59s);
    CHECK(c.open("session", fast_codec.seal("session", test::typical_session(test::t0))->cookie));
  }

  TEST_CASE("durations are bounded: no overflow, no cookie the library calls malformed") {
    cookieseal::codec_options o;
    o.max_age = cookieseal::max_policy_duration;
    o.idle_timeout = cookieseal::max_policy_duration;
    o.leeway = cookieseal::max_policy_duration;
    cookieseal::codec c(test::fixed_keyring(), o);
    auto sealed = c.seal("session", c.new_session());
    REQUIRE(sealed);
    CHECK(c.open("session", sealed->cookie));
    const auto too_long = cookieseal::max_policy_duration + 1s;
    for (int which = 0; which < 3; ++which) {
      CAPTURE(which);
      auto bad = o;
      (which == 0 ? bad.max_age : which == 1 ? bad.idle_timeout : bad.leeway) = too_long;
      CHECK_THROWS_AS(cookieseal::codec(test::fixed_keyring(), bad), std::invalid_argument);
    }
  }

  TEST_CASE(
      "a file store moved away and replaced by an empty directory keeps revoked sessions refused") {
    store_fixture f;
    const std::string cookie = f.cookie_with("alice");
    const std::string big = f.cookie_with("bob", 6000);
    auto r = f.sessions.load(cookie);
    REQUIRE(f.codec.destroy(r.session()));
    REQUIRE(f.sessions.load(cookie).refused() == errc::revoked);

    std::filesystem::rename(f.dir / "store", f.dir / "moved");
    CHECK(f.sessions.load(cookie).undecided() == errc::store_unavailable);
    CHECK(f.sessions.load(big).undecided() == errc::store_unavailable);  // not "expired"

    std::filesystem::create_directory(f.dir / "store");  // an empty one at the path
    CHECK(f.sessions.load(cookie).undecided() == errc::store_unavailable);
    CHECK(f.sessions.load(big).undecided() == errc::store_unavailable);
    // A new store created there by another process is another store.
    cookieseal::file_store other(f.dir / "store");
    CHECK(f.sessions.load(cookie).undecided() == errc::store_unavailable);

    // The store put back (a restore carries the same store id): all as before.
    std::filesystem::remove_all(f.dir / "store");
    std::filesystem::rename(f.dir / "moved", f.dir / "store");
    CHECK(f.sessions.load(cookie).refused() == errc::revoked);
    CHECK(f.sessions.load(big).session().subject() == "bob");

    SUBCASE("an unreadable store is unavailable too") {
      if (::geteuid() != 0) {  // root reads anything: chmod cannot simulate it
        std::filesystem::permissions(f.dir / "store" / "r", std::filesystem::perms::none);
        CHECK(f.sessions.load(cookie).undecided() == errc::store_unavailable);
        std::filesystem::permissions(f.dir / "store" / "r", std::filesystem::perms::owner_all);
      } else {
        std::filesystem::remove_all(f.dir / "store" / "r" / "s");
        std::ofstream(f.dir / "store" / "r" / "s") << "not a directory";
        CHECK(f.sessions.load(cookie).undecided() == errc::store_unavailable);
      }
    }
  }

  TEST_CASE("a non-empty directory that is not a store is refused at construction") {
    test::temp_dir dir;
    std::ofstream(dir / "important.txt") << "data";
    CHECK_THROWS_AS(cookieseal::file_store(dir.path()), cookieseal::config_error);
  }

  TEST_CASE("emergency rotation on one server: the other opens its cookies without a logout") {
    test::temp_dir dir;
    const auto file = dir / "keyring";
    cookieseal::create_keyring_file(file, cookieseal::keyring::generate());
    cookieseal::keyring_watcher watcher_a(file), watcher_b(file);
    std::vector<std::string> heard_b;
    cookieseal::codec_options options_b;
    options_b.diagnostic = [&](std::string_view m) { heard_b.emplace_back(m); };
    cookieseal::codec a(watcher_a.current()), b(watcher_b.current(), options_b);
    watcher_a.attach(a);
    watcher_b.attach(b);
    cookieseal::session_manager ma(a), mb(b);

    cookieseal::update_keyring_file(file, [](const cookieseal::keyring& k) {
      return k.rotated(cookieseal::system_now(), 0s);  // rotate --activate-in 0
    });
    REQUIRE(watcher_a.reload_if_changed().reloaded);  // A polls first; B has not yet
    auto r = ma.load("");
    r.session().set("who", "me");
    const std::string cookie = cookie_pair(set_cookies(*ma.save(r))[0]);
    REQUIRE(b.current_keyring()->find(a.current_keyring()->sealing_key(a.now())->id) == nullptr);

    auto on_b = mb.load(cookie);  // B checks its file at once on the unknown id
    CHECK(on_b.outcome() == outcome::opened);
    CHECK(on_b.session().get<std::string>("who") == "me");

    SUBCASE("a key the file does not have is refused once the file confirms it") {
      auto stranger = cookieseal::codec(cookieseal::keyring::generate())
                          .seal("__Host-session", b.new_session());
      REQUIRE(stranger);
      // The file was checked for the first cookie a moment ago: rate-limited,
      // and this cookie is newer than that check: undecided.
      auto soon = mb.load("__Host-session=" + stranger->cookie);
      CHECK(soon.undecided() == errc::key_not_loaded);
      CHECK_FALSE(mb.save(soon));
      REQUIRE(heard_b.size() == 1);
      CHECK(heard_b[0] == "open: key " + cookieseal::key_id_hex(stranger->key_id) +
                              " is not loaded here and the keyring file, checked under a second "
                              "ago, was read before this cookie was sealed");
      std::this_thread::sleep_for(1100ms);
      auto later = mb.load("__Host-session=" + stranger->cookie);
      CHECK(later.refused() == errc::unknown_key);
    }
    SUBCASE("a keyring file that fails to load never turns cookies into deletions") {
      cookieseal::update_keyring_file(file, [](const cookieseal::keyring& k) {
        return k.rotated(cookieseal::system_now(), 0s);
      });
      REQUIRE(watcher_a.reload_if_changed().reloaded);
      auto r2 = ma.load("");
      r2.session().set("who", "again");
      const std::string newer = cookie_pair(set_cookies(*ma.save(r2))[0]);
      std::filesystem::permissions(file, std::filesystem::perms::others_read,
                                   std::filesystem::perm_options::add);  // B refuses a 0604 file
      std::this_thread::sleep_for(1100ms);
      auto on_b2 = mb.load(newer);
      CHECK(on_b2.undecided() == errc::key_not_loaded);
      CHECK_FALSE(mb.save(on_b2));
      REQUIRE(heard_b.size() == 1);
      CHECK(heard_b[0].find(
                "is not loaded here and the keyring file fails to load: " + file.string() +
                ": the keyring is accessible to group or others") != std::string::npos);
    }
    SUBCASE("without a watcher a missing key is simply unknown") {
      cookieseal::codec alone(cookieseal::keyring::generate());
      CHECK(alone.open("__Host-session", cookie.substr(cookie.find('=') + 1)).error() ==
            errc::unknown_key);
    }
  }

  TEST_CASE("a watcher and a codec may be destroyed in either order") {
    test::temp_dir dir;
    const auto file = dir / "keyring";
    cookieseal::create_keyring_file(file, cookieseal::keyring::generate());
    SUBCASE("codec first") {
      cookieseal::keyring_watcher w(file);
      {
        cookieseal::codec c(w.current());
        w.attach(c);
      }
      cookieseal::update_keyring_file(file, [](const cookieseal::keyring& k) {
        return k.rotated(cookieseal::system_now(), 0s);
      });
      CHECK(w.reload_if_changed().reloaded);  // would call into the dead codec
    }
    SUBCASE("watcher first") {
      auto w = std::make_unique<cookieseal::keyring_watcher>(file);
      cookieseal::codec c(w->current());
      w->attach(c);
      w.reset();
      auto other = cookieseal::codec(cookieseal::keyring::generate()).seal("s", c.new_session());
      CHECK(c.open("s", other->cookie).error() ==
            errc::unknown_key);  // no call into the dead watcher
    }
    SUBCASE("two watchers on one codec, the codec first") {
      cookieseal::keyring_watcher w1(file), w2(file);
      {
        cookieseal::codec c(w1.current());
        w1.attach(c);
        w2.attach(c);
      }
      cookieseal::update_keyring_file(file, [](const cookieseal::keyring& k) {
        return k.rotated(cookieseal::system_now(), 0s);
      });
      CHECK(w1.reload_if_changed().reloaded);  // would call into the dead codec (ASan)
      CHECK(w2.reload_if_changed().reloaded);
    }
    SUBCASE("two watchers on one codec, the first one gone: the second still answers") {
      auto w1 = std::make_unique<cookieseal::keyring_watcher>(file);
      cookieseal::keyring_watcher w2(file);
      cookieseal::codec c(w1->current()), fresh(w2.current());
      w1->attach(c);
      w2.attach(c);
      w1.reset();
      cookieseal::update_keyring_file(file, [](const cookieseal::keyring& k) {
        return k.rotated(cookieseal::system_now(), 0s);
      });
      // A server that loaded the new key already seals with it; c checks w2's file at once.
      cookieseal::keyring_watcher loaded(file);
      fresh.set_keyring(loaded.current());
      auto sealed = fresh.seal("s", fresh.new_session());
      REQUIRE(sealed);
      CHECK(c.open("s", sealed->cookie));
    }
  }
}
