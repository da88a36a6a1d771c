#include <cookieseal/file_store.hpp>
#include <cookieseal/session_manager.hpp>

#include "temp_dir.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <string>

using cookieseal::errc;
using namespace std::chrono_literals;

namespace {

// The cookie value a Set-Cookie header sets.
std::string value_of(const std::string& set_cookie) {
  const auto eq = set_cookie.find('=');
  return set_cookie.substr(eq + 1, set_cookie.find(';') - eq - 1);
}

// The Set-Cookie values among save()'s headers; nullopt when save() failed.
std::optional<std::vector<std::string>> cookies(
    const cookieseal::result<std::vector<cookieseal::http::header>>& headers) {
  if (!headers) return std::nullopt;
  std::vector<std::string> out;
  for (const auto& h : *headers)
    if (h.name == "Set-Cookie") out.push_back(h.value);
  return out;
}

std::string header_for(const cookieseal::session_manager& m, const std::string& set_cookie) {
  return m.options().name + "=" + value_of(set_cookie);
}

}  // namespace

TEST_SUITE("session_manager") {
  TEST_CASE("a request without a cookie gets a fresh session and no Set-Cookie unless it changes") {
    test::manual_clock clock;
    cookieseal::codec c(test::fixed_keyring(), test::options_with(clock));
    cookieseal::session_manager m(c);
    auto r = m.load("other=1");
    CHECK(r.is_new());
    CHECK_FALSE(r.refused());
    CHECK(cookies(m.save(r))->empty());
    r.session().set("n", 1);
    auto h = cookies(m.save(r));
    REQUIRE(h);
    REQUIRE(h->size() == 1);
    CHECK(h->at(0).rfind("__Host-session=", 0) == 0);
    CHECK(h->at(0).find("; Max-Age=86400; ") != std::string::npos);
    CHECK(h->at(0).find("HttpOnly") != std::string::npos);
  }

  TEST_CASE(
      "the stored session comes back; nothing is re-sent until it changes or renewal is due") {
    test::manual_clock clock;
    cookieseal::codec c(test::fixed_keyring(), test::options_with(clock));
    cookieseal::session_manager m(c);
    auto first = m.load("");
    first.session().set("visits", 1);
    const std::string cookie = header_for(m, cookies(m.save(first))->at(0));

    auto second = m.load("theme=dark; " + cookie);
    CHECK_FALSE(second.is_new());
    CHECK(second.session().get<int>("visits") == 1);
    CHECK(cookies(m.save(second))->empty());

    clock.advance(11h);
    auto before_half = m.load(cookie);
    CHECK(cookies(m.save(before_half))->empty());
    clock.advance(1h);  // half the 24 h idle window: sliding renewal
    auto renewed = m.load(cookie);
    auto h = cookies(m.save(renewed));
    REQUIRE(h->size() == 1);
    CHECK(h->at(0).find("Max-Age=86400") != std::string::npos);
  }

  TEST_CASE(
      "an invalid, expired or tampered cookie gives a fresh session with the reason, and is "
      "cleared") {
    test::manual_clock clock;
    cookieseal::codec c(test::fixed_keyring(), test::options_with(clock));
    cookieseal::session_manager m(c);
    auto r = m.load("__Host-session=garbage!");
    CHECK(r.is_new());
    CHECK(r.refused() == errc::malformed);
    auto h = cookies(m.save(r));
    REQUIRE(h->size() == 1);
    CHECK(h->at(0).find("Max-Age=0") != std::string::npos);

    auto s = m.load("");
    s.session().set("n", 1);
    const auto cookie = header_for(m, cookies(m.save(s))->at(0));
    clock.advance(25h);
    CHECK(m.load(cookie).refused() == errc::expired);
  }

  TEST_CASE("duplicate cookies of one name: each is tried until one opens") {
    test::manual_clock clock;
    cookieseal::codec c(test::fixed_keyring(), test::options_with(clock));
    cookieseal::session_manager m(c);
    auto s = m.load("");
    s.session().set("who", "me");
    const auto good = header_for(m, cookies(m.save(s))->at(0));
    auto r = m.load("__Host-session=stale-from-another-path; " + good);
    CHECK_FALSE(r.is_new());
    CHECK(r.session().get<std::string>("who") == "me");
  }

  TEST_CASE("a cookie of a replaced key is re-sealed with the current key") {
    test::manual_clock clock;
    auto keys = test::fixed_keyring();
    cookieseal::codec c(keys, test::options_with(clock));
    cookieseal::session_manager m(c);
    auto s = m.load("");
    s.session().set("n", 1);
    const auto cookie = header_for(m, cookies(m.save(s))->at(0));
    c.set_keyring(std::make_shared<const cookieseal::keyring>(keys.rotated(test::t0, 0s)));
    auto r = m.load(cookie);
    REQUIRE(r.info());
    CHECK(r.info()->key_replaced);
    auto h = cookies(m.save(r));
    REQUIRE(h->size() == 1);
    auto again = m.load(header_for(m, h->at(0)));
    CHECK_FALSE(again.info()->key_replaced);
  }

  TEST_CASE("destroy sends a deletion cookie and ends the session server-side") {
    test::temp_dir dir;
    test::manual_clock clock;
    auto store = std::make_shared<cookieseal::file_store>(dir / "store");
    auto o = test::options_with(clock);
    o.overflow_store = store;
    o.revocation_store = store;
    cookieseal::codec c(test::fixed_keyring(), o);
    cookieseal::session_manager m(c);
    auto s = m.load("");
    s.session().set("cart", std::string(10000, 'c'));  // overflows
    const auto cookie = header_for(m, cookies(m.save(s))->at(0));
    CHECK(store->stats()->entries == 1);
    auto r = m.load(cookie);
    REQUIRE_FALSE(r.is_new());
    r.destroy();
    auto h = cookies(m.save(r));
    REQUIRE(h->size() == 1);
    CHECK(h->at(0).find("Max-Age=0") != std::string::npos);
    CHECK(store->stats()->entries == 0);
    CHECK(m.load(cookie).is_new());  // a copy of the old cookie no longer works
  }

  TEST_CASE("several named sessions in one request") {
    test::manual_clock clock;
    cookieseal::codec c(test::fixed_keyring(), test::options_with(clock));
    cookieseal::session_options auth_opts;
    auth_opts.name = "__Host-auth";
    cookieseal::session_options prefs_opts;
    prefs_opts.name = "__Host-prefs";
    prefs_opts.attributes.same_site = cookieseal::http::same_site::strict;
    cookieseal::session_manager auth(c, auth_opts), prefs(c, prefs_opts);

    cookieseal::session_registry first("");
    first.get(auth).session().login("user-1", clock());
    first.get(prefs).session().set("theme", "dark");
    auto headers = cookies(first.save());
    REQUIRE(headers);
    REQUIRE(headers->size() == 2);
    std::string cookie_header;
    for (const auto& h : *headers) cookie_header += h.substr(0, h.find(';')) + "; ";

    cookieseal::session_registry second(cookie_header);
    CHECK(second.get(auth).session().subject() == "user-1");
    CHECK(second.get(prefs).session().get<std::string>("theme") == "dark");
    CHECK(cookies(second.save())->empty());
    // A cookie sealed as "auth" does not open as "prefs": name-bound.
    const auto auth_value =
        value_of((*headers)[0].rfind("__Host-auth", 0) == 0 ? (*headers)[0] : (*headers)[1]);
    CHECK(prefs.load("__Host-prefs=" + auth_value).refused() == errc::authentication_failed);
  }

  TEST_CASE("several sessions saved together: a failure in one changes no session's state") {
    test::manual_clock clock;
    cookieseal::codec c(test::fixed_keyring(), test::options_with(clock));  // no store
    cookieseal::session_options auth_opts, prefs_opts;
    auth_opts.name = "__Host-auth";
    prefs_opts.name = "__Host-prefs";
    cookieseal::session_manager auth(c, auth_opts), prefs(c, prefs_opts);
    auto opened = auth.load("");
    opened.session().set("user", "alice");
    const auto cookie = header_for(auth, cookies(auth.save(opened))->at(0));

    auto a = auth.load(cookie);  // ends its session, and starts a new one with a flash
    REQUIRE_FALSE(a.is_new());
    a.destroy();
    a.session().flash("notice", "logged out");
    auto p = prefs.load("");
    p.session().set("big", std::string(5000, 'x'));  // too large without a store
    const cookieseal::session_registry::entry both[] = {{&auth, &a}, {&prefs, &p}};
    std::size_t failed = 99;
    CHECK(cookieseal::session_registry::save_all(both, &failed).error() == errc::too_large);
    CHECK(failed == 1);
    // Nothing of the first session's save was kept: it is still to be ended and sent.
    CHECK(a.destroyed());
    CHECK(a.session().dirty());
    CHECK(p.session().dirty());

    // The caller fixes the cause and saves again: everything is sent this time.
    p.session().set("big", "small");
    const auto sent = cookies(cookieseal::session_registry::save_all(both, &failed));
    REQUIRE(sent);
    CHECK(sent->size() == 2);
    CHECK_FALSE(a.destroyed());
    CHECK_FALSE(a.session().dirty());
    CHECK(auth.load(header_for(auth, sent->at(0))).session().take_flashes("notice").size() == 1);

    // One session's save keeps the same rule.
    auto b = auth.load(cookie);
    b.destroy();
    b.session().set("big", std::string(5000, 'x'));
    CHECK(auth.save(b).error() == errc::too_large);
    CHECK(b.destroyed());
    CHECK(b.session().dirty());
  }

  TEST_CASE("several sessions saved together: an undecided one is named, nothing changes") {
    test::manual_clock clock;
    cookieseal::codec c(test::fixed_keyring(), test::options_with(clock));
    cookieseal::session_options prefs_opts;
    prefs_opts.name = "__Host-prefs";
    cookieseal::session_manager auth(c), prefs(c, prefs_opts);
    auto a = auth.load("");
    a.session().set("n", 1);
    auto p = prefs.load("pad=" + std::string(20000, 'a'));  // a header cut at its limits
    REQUIRE(p.undecided() == errc::header_truncated);
    const cookieseal::session_registry::entry both[] = {{&auth, &a}, {&prefs, &p}};
    std::size_t failed = 99;
    CHECK(cookieseal::session_registry::save_all(both, &failed).error() == errc::header_truncated);
    CHECK(failed == 1);
    CHECK(a.session().dirty());
  }

  TEST_CASE("unsafe options are refused at construction") {
    cookieseal::codec c(test::fixed_keyring());
    cookieseal::session_options o;
    o.attributes.secure = false;  // __Host- needs Secure
    CHECK_THROWS_AS(cookieseal::session_manager(c, o), cookieseal::http::cookie_error);
    o.name = "bad name";
    o.attributes.secure = true;
    CHECK_THROWS_AS(cookieseal::session_manager(c, o), cookieseal::http::cookie_error);
    // A save's Set-Cookie is not checked again (detail::set_cookie_line): an
    // attribute that would inject one must never make a manager.
    for (const std::string bad : {"/; Domain=evil.example", "/\r\nX-Injected: 1", "/\n", "/\x7f"}) {
      cookieseal::session_options p;
      p.name = "sid";
      p.attributes.path = bad;
      CHECK_THROWS_AS(cookieseal::session_manager(c, p), cookieseal::http::cookie_error);
      p.attributes.path = "/";
      p.attributes.domain = "example.com" + bad.substr(1);
      CHECK_THROWS_AS(cookieseal::session_manager(c, p), cookieseal::http::cookie_error);
    }
  }

  TEST_CASE("a browser-session cookie has no Max-Age while the server-side expiry holds") {
    test::manual_clock clock;
    cookieseal::codec c(test::fixed_keyring(), test::options_with(clock));
    cookieseal::session_options o;
    o.attributes.browser_session = true;
    cookieseal::session_manager m(c, o);
    auto s = m.load("");
    s.session().set("n", 1);
    const auto h = cookies(m.save(s))->at(0);
    CHECK(h.find("Max-Age") == std::string::npos);
    clock.advance(25h);
    CHECK(m.load(header_for(m, h)).refused() == errc::expired);
  }

  TEST_CASE("a session's own lifetime sets its cookie's Max-Age and its renewal window") {
    test::manual_clock clock;
    cookieseal::codec c(test::fixed_keyring(), test::options_with(clock));
    cookieseal::session_manager m(c);
    auto r = m.load("");
    r.session().set("user", "alice");

    SUBCASE("Max-Age follows the shorter effective expiry") {
      r.session().set_lifetime({.max_age = 2h});
      const auto h = cookies(m.save(r))->at(0);
      CHECK(h.find("; Max-Age=7200; ") != std::string::npos);
      clock.advance(2h + 61s);
      CHECK(m.load(header_for(m, h)).refused() == errc::expired);
    }
    SUBCASE("a longer lifetime is clamped: Max-Age stays the codec's") {
      r.session().set_lifetime({.max_age = 30 * 24h, .idle_timeout = 30 * 24h});
      CHECK(cookies(m.save(r))->at(0).find("; Max-Age=86400; ") != std::string::npos);
    }
    SUBCASE("a browser session gets no Max-Age/Expires, and still expires server-side") {
      r.session().set_lifetime({.browser_session = true});
      const auto h = cookies(m.save(r))->at(0);
      CHECK(h.find("Max-Age") == std::string::npos);
      CHECK(h.find("Expires") == std::string::npos);
      auto back = m.load(header_for(m, h));
      REQUIRE_FALSE(back.is_new());
      CHECK(back.session().lifetime().browser_session);
      clock.advance(25h);
      CHECK(m.load(header_for(m, h)).refused() == errc::expired);
    }
    SUBCASE("sliding renewal is due after half the session's own idle window") {
      r.session().set_lifetime({.idle_timeout = 10min});
      const auto h = cookies(m.save(r))->at(0);
      CHECK(h.find("; Max-Age=600; ") != std::string::npos);
      clock.advance(4min);
      auto early = m.load(header_for(m, h));
      CHECK(cookies(m.save(early))->empty());
      clock.advance(1min);
      auto due = m.load(header_for(m, h));
      const auto renewed = cookies(m.save(due));
      REQUIRE(renewed->size() == 1);
      CHECK(renewed->at(0).find("; Max-Age=600; ") != std::string::npos);
    }
    SUBCASE("changing the lifetime of an opened session re-sends its cookie") {
      const auto h = cookies(m.save(r))->at(0);
      auto back = m.load(header_for(m, h));
      CHECK(cookies(m.save(back))->empty());
      back.session().set_lifetime({.max_age = 30min});
      CHECK(cookies(m.save(back))->at(0).find("; Max-Age=1800; ") != std::string::npos);
    }
  }
}
