#include <cookieseal/codec.hpp>
#include <cookieseal/file_store.hpp>

#include "flaky_store.hpp"
#include "sodium_base64.hpp"
#include "temp_dir.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <sodium.h>

#include <limits>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

using cookieseal::codec;
using cookieseal::errc;
using cookieseal::session;
using cookieseal::session_lifetime;
using cookieseal::value;
using namespace std::chrono_literals;

namespace {

// Decodes a cookie with libsodium (an independent decoder) for byte-level tampering.
std::vector<unsigned char> b64_decode(const std::string& c) {
  std::vector<unsigned char> out(c.size());
  size_t len = 0;
  REQUIRE(sodium_base642bin(out.data(), out.size(), c.data(), c.size(), nullptr, &len, nullptr,
                            sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0);
  out.resize(len);
  return out;
}

value nested_lists(std::size_t depth) {
  value v = 1;
  for (std::size_t i = 0; i < depth; ++i) v = value::list{v};
  return v;
}

session every_kind_session() {
  session s(value::map{{"tenant", "acme"}}, "user-7", test::t0);
  s.set("null", nullptr);
  s.set("false", false);
  s.set("true", true);
  s.set("int_max", std::numeric_limits<std::int64_t>::max());
  s.set("int_min", std::numeric_limits<std::int64_t>::min());
  s.set("zero", 0);
  s.set("double", -1.5e300);
  s.set("string", "h\xC3\xA9llo\0world");
  s.set("empty", "");
  s.set("bytes", value::bytes{std::byte{0}, std::byte{0xFF}});
  s.set("list", value::list{1, "two", 3.0, value::list{}, value::map{}});
  s.set("map", value::map{{"a", 1}, {"b", value::map{{"c", nullptr}}}});
  s.set("object", value::object{"my.type", {std::byte{1}}});
  s.flash("notice", "saved");
  s.flash("notice", 2);
  return s;
}

}  // namespace

TEST_SUITE("codec") {
  TEST_CASE("every value kind, constants, subject and flashes round-trip") {
    test::manual_clock clock;
    codec c(test::fixed_keyring(), test::options_with(clock));
    const session s = every_kind_session();
    auto sealed = c.seal("session", s);
    REQUIRE(sealed);
    auto opened = c.open("session", sealed->cookie);
    REQUIRE(opened);
    CHECK(opened->session.same_data(s));
    CHECK_FALSE(opened->session.dirty());
    CHECK(opened->session.subject() == "user-7");
    CHECK(*opened->session.constant("tenant") == value("acme"));
    CHECK(opened->info.key_id == 0x9f3a01c2);
    CHECK(opened->info.issued_at == test::t0);
    CHECK(sealed->expires_at == test::t0 + 24h);  // idle timeout is the earlier bound
    CHECK(opened->info.expires_at == sealed->expires_at);
    CHECK_FALSE(opened->info.key_replaced);

    SUBCASE("flashes read once survive exactly one round trip") {
      session s2 = std::move(opened->session);
      CHECK(s2.take_flashes("notice").size() == 2);
      auto again = c.open("session", c.seal("session", s2)->cookie);
      REQUIRE(again);
      CHECK(again->session.take_flashes("notice").empty());
    }
  }

  TEST_CASE("nesting to the depth limit round-trips and one level deeper is refused") {
    test::manual_clock clock;
    codec c(test::fixed_keyring(), test::options_with(clock));
    session s(test::t0);
    s.set("deep", nested_lists(cookieseal::max_value_depth));
    auto sealed = c.seal("session", s);
    REQUIRE(sealed);
    auto opened = c.open("session", sealed->cookie);
    REQUIRE(opened);
    CHECK(opened->session.find("deep")->depth() == cookieseal::max_value_depth);

    s.set("deep", nested_lists(cookieseal::max_value_depth + 1));
    CHECK(c.seal("session", s).error() == errc::invalid_payload);
    session f(test::t0);
    f.flash("deep", nested_lists(cookieseal::max_value_depth + 1));
    CHECK(c.seal("session", f).error() == errc::invalid_payload);
  }

  TEST_CASE("the typical session's cookie is at most 400 characters") {
    test::manual_clock clock;
    codec c(test::fixed_keyring(), test::options_with(clock));
    auto sealed = c.seal("session", test::typical_session());
    REQUIRE(sealed);
    MESSAGE("typical cookie: " << sealed->cookie.size() << " characters");
    CHECK(sealed->cookie.size() <= 400);
  }

  TEST_CASE("two seals of one session differ (fresh nonce) and both open") {
    test::manual_clock clock;
    codec c(test::fixed_keyring(), test::options_with(clock));
    const session s = test::typical_session();
    auto a = c.seal("session", s), b = c.seal("session", s);
    REQUIRE(a);
    REQUIRE(b);
    CHECK(a->cookie != b->cookie);
    CHECK(c.open("session", a->cookie));
    CHECK(c.open("session", b->cookie));
  }

  TEST_CASE("name and purpose are bound: a cookie opens only where it was sealed for") {
    test::manual_clock clock;
    codec c(test::fixed_keyring(), test::options_with(clock));
    const auto cookie = c.seal("session", test::typical_session())->cookie;
    CHECK(c.open("csrf", cookie).error() == errc::authentication_failed);
    CHECK(c.open("session", cookie, "login").error() == errc::authentication_failed);
    const auto with_purpose = c.seal("session", test::typical_session(), "login")->cookie;
    CHECK(c.open("session", with_purpose, "login"));
    CHECK(c.open("session", with_purpose).error() == errc::authentication_failed);
    CHECK(c.open("session", with_purpose, "logi").error() == errc::authentication_failed);
    // Length-prefixed binding: moving a byte between name and purpose does not collide.
    const auto ab = c.seal("ab", test::typical_session(), "c")->cookie;
    CHECK(c.open("a", ab, "bc").error() == errc::authentication_failed);
  }

  TEST_CASE("a name or purpose outside 1..255 bytes is a programmer error") {
    codec c(test::fixed_keyring());
    const session s(test::t0);
    CHECK_THROWS_AS((void)c.seal("", s), std::invalid_argument);
    CHECK_THROWS_AS((void)c.seal(std::string(256, 'n'), s), std::invalid_argument);
    CHECK_THROWS_AS((void)c.open("n", "x", std::string(256, 'p')), std::invalid_argument);
    CHECK_THROWS_AS(codec(test::fixed_keyring(),
                          [] {
                            cookieseal::codec_options o;
                            o.max_cookie_bytes = 5000;
                            return o;
                          }()),
                    std::invalid_argument);
  }

  TEST_CASE("each error of the table comes from the input that should produce it") {
    test::manual_clock clock;
    codec c(test::fixed_keyring(), test::options_with(clock));
    const auto cookie = c.seal("session", test::typical_session())->cookie;
    auto raw = b64_decode(cookie);

    SUBCASE("malformed: not base64url, bad length, too short, padding, junk, too long") {
      CHECK(c.open("session", "").error() == errc::malformed);
      CHECK(c.open("session", "abc!").error() == errc::malformed);
      CHECK(c.open("session", cookie + "=").error() == errc::malformed);
      CHECK(c.open("session", cookie + " ").error() == errc::malformed);
      CHECK(c.open("session", cookie.substr(0, 80)).error() == errc::malformed);
      CHECK(c.open("session", std::string(4090, 'A')).error() == errc::malformed);
      CHECK(c.open("session", std::string(100000, 'A')).error() == errc::malformed);
      std::string std_alphabet = cookie;
      for (auto& ch : std_alphabet) ch = ch == '-' ? '+' : ch == '_' ? '/' : ch;
      if (std_alphabet != cookie) CHECK(c.open("session", std_alphabet).error() == errc::malformed);
    }
    SUBCASE("unsupported_version") {
      for (int v : {0, 2, 0xFF}) {
        raw[0] = static_cast<unsigned char>(v);
        CHECK(c.open("session", test::sodium_base64url(raw)).error() == errc::unsupported_version);
      }
    }
    SUBCASE("unknown_key") {
      raw[1] ^= 0x01;
      CHECK(c.open("session", test::sodium_base64url(raw)).error() == errc::unknown_key);
    }
    SUBCASE("authentication_failed: ciphertext, tag, nonce or wrong key bytes") {
      raw[50] ^= 0x01;
      CHECK(c.open("session", test::sodium_base64url(raw)).error() == errc::authentication_failed);
      raw[50] ^= 0x01;
      raw.back() ^= 0x80;
      CHECK(c.open("session", test::sodium_base64url(raw)).error() == errc::authentication_failed);
      raw.back() ^= 0x80;
      raw[30] ^= 0x01;
      CHECK(c.open("session", test::sodium_base64url(raw)).error() == errc::authentication_failed);
      auto other = cookieseal::keyring{}.with_key({0x9f3a01c2, test::t0 - 24h, test::t0 - 24h, {}},
                                                  test::fixed_key_bytes(1));
      codec c2(other, test::options_with(clock));
      CHECK(c2.open("session", cookie).error() == errc::authentication_failed);
    }
    SUBCASE("expired: header expiry past") {
      clock.advance(24h + 61s);
      CHECK(c.open("session", cookie).error() == errc::expired);
    }
    SUBCASE("too_large: name + value over the limit") {
      session big(test::t0);
      big.set("blob", std::string(3500, 'x'));
      CHECK(c.seal("session", big).error() == errc::too_large);
    }
    SUBCASE("revoked: created before the keyring's end-sessions-before") {
      codec c2(test::fixed_keyring().with_end_sessions_before(test::t0 + 1s),
               test::options_with(clock));
      CHECK(c2.open("session", cookie).error() == errc::revoked);
      CHECK(c2.seal("session", test::typical_session(test::t0 - 1s)).error() == errc::revoked);
      CHECK(c2.seal("session", test::typical_session(test::t0 + 1s)));
    }
  }

  TEST_CASE("every single-bit flip and every truncation of a valid cookie is refused") {
    test::manual_clock clock;
    codec c(test::fixed_keyring(), test::options_with(clock));
    session s(test::t0);
    s.set("n", 1);
    const auto cookie = c.seal("session", s)->cookie;
    REQUIRE(c.open("session", cookie));
    const auto raw = b64_decode(cookie);

    std::size_t refused = 0, tried = 0;
    for (std::size_t i = 0; i < raw.size(); ++i) {
      for (int bit = 0; bit < 8; ++bit) {
        auto flipped = raw;
        flipped[i] ^= static_cast<unsigned char>(1u << bit);
        ++tried;
        auto r = c.open("session", test::sodium_base64url(flipped));
        if (!r)
          ++refused;
        else
          FAIL_CHECK("byte " << i << " bit " << bit << " opened");
      }
    }
    for (std::size_t i = 0; i < cookie.size(); ++i) {
      for (int bit = 0; bit < 8; ++bit) {
        auto flipped = cookie;
        flipped[i] = static_cast<char>(flipped[i] ^ (1 << bit));
        ++tried;
        if (!c.open("session", flipped))
          ++refused;
        else
          FAIL_CHECK("char " << i << " bit " << bit << " opened");
      }
    }
    for (std::size_t n = 0; n < cookie.size(); ++n) {
      ++tried;
      if (!c.open("session", cookie.substr(0, n)))
        ++refused;
      else
        FAIL_CHECK("truncation to " << n << " opened");
    }
    CHECK(refused == tried);
    CHECK(tried == raw.size() * 8 + cookie.size() * 9);
  }

  TEST_CASE("expiry is enforced from authenticated data and the policy in force") {
    test::manual_clock clock;
    auto keys = std::make_shared<const cookieseal::keyring>(test::fixed_keyring());

    SUBCASE("idle timeout: opens within the window plus leeway, not after") {
      codec c(keys, test::options_with(clock));
      const auto cookie = c.seal("session", test::typical_session())->cookie;
      clock.advance(24h + 60s);
      CHECK(c.open("session", cookie));
      clock.advance(1s);
      CHECK(c.open("session", cookie).error() == errc::expired);
    }
    SUBCASE("absolute max_age counts from created_at, even when re-sealed recently") {
      codec c(keys, test::options_with(clock));
      session s = test::typical_session(test::t0 - 7 * 24h + 1h);  // 6 days 23 h old
      const auto cookie = c.seal("session", s)->cookie;
      clock.advance(1h + 60s);
      CHECK(c.open("session", cookie));
      clock.advance(1s);
      CHECK(c.open("session", cookie).error() == errc::expired);
      CHECK(c.seal("session", s).error() == errc::expired);
    }
    SUBCASE("a policy shortened after sealing applies to cookies already out") {
      codec lenient(keys, test::options_with(clock));
      const auto cookie = lenient.seal("session", test::typical_session())->cookie;
      clock.advance(2h);
      auto strict_options = test::options_with(clock);
      strict_options.idle_timeout = 1h;
      codec strict_idle(keys, strict_options);
      CHECK(lenient.open("session", cookie));
      CHECK(strict_idle.open("session", cookie).error() == errc::expired);
      strict_options.idle_timeout = 24h;
      strict_options.max_age = 1h;
      codec strict_age(keys, strict_options);
      CHECK(strict_age.open("session", cookie).error() == errc::expired);
    }
    SUBCASE("max_age and idle timeout of 0 mean no expiry") {
      auto o = test::options_with(clock);
      o.max_age = 0s;
      o.idle_timeout = 0s;
      codec c(keys, o);
      auto sealed = c.seal("session", test::typical_session());
      REQUIRE(sealed);
      CHECK_FALSE(sealed->expires_at);
      clock.advance(3650 * 24h);
      auto opened = c.open("session", sealed->cookie);
      REQUIRE(opened);
      CHECK_FALSE(opened->info.expires_at);
      CHECK(opened->info.idle_used == 0.0);
    }
    SUBCASE("idle_used reports the share of the idle window used") {
      codec c(keys, test::options_with(clock));
      const auto cookie = c.seal("session", test::typical_session())->cookie;
      clock.advance(6h);
      auto r = c.open("session", cookie);
      REQUIRE(r);
      CHECK(r->info.idle_used == doctest::Approx(0.25));
      CHECK_FALSE(r->info.renewal_due());
      clock.advance(6h);
      CHECK(c.open("session", cookie)->info.renewal_due());
    }
  }

  TEST_CASE("a cookie of a replaced key still opens, says so, and stops once the key is gone") {
    test::manual_clock clock;
    auto k1 = test::fixed_keyring();
    codec c(k1, test::options_with(clock));
    const auto old_cookie = c.seal("session", test::typical_session())->cookie;

    auto k2 = k1.with_new_key(test::t0, test::t0 + 1h).with_expiry(0x9f3a01c2, test::t0 + 30 * 24h);
    c.set_keyring(std::make_shared<const cookieseal::keyring>(k2));
    auto before = c.open("session", old_cookie);
    REQUIRE(before);
    CHECK_FALSE(before->info.key_replaced);  // the new key has not activated yet
    CHECK(c.seal("session", test::typical_session())->key_id == 0x9f3a01c2);

    clock.advance(1h);
    auto after = c.open("session", old_cookie);
    REQUIRE(after);
    CHECK(after->info.key_replaced);
    auto resealed = c.seal("session", after->session);
    REQUIRE(resealed);
    CHECK(resealed->key_id == k2.keys()[1].id);
    CHECK_FALSE(c.open("session", resealed->cookie)->info.key_replaced);

    SUBCASE("removed (revoked) key") {
      c.set_keyring(std::make_shared<const cookieseal::keyring>(k2.without_key(0x9f3a01c2)));
      CHECK(c.open("session", old_cookie).error() == errc::unknown_key);
    }
  }

  TEST_CASE("a key that expires stops opening its cookies") {
    test::manual_clock clock;
    auto o = test::options_with(clock);
    o.idle_timeout = 0s;
    o.max_age = 0s;
    auto k = test::fixed_keyring().with_expiry(0x9f3a01c2, test::t0 + 10 * 24h);
    codec c(k, o);
    const auto cookie = c.seal("session", test::typical_session())->cookie;
    clock.advance(10 * 24h - 1s);
    CHECK(c.open("session", cookie));
    clock.advance(1s);
    CHECK(c.open("session", cookie).error() == errc::unknown_key);
    CHECK(c.seal("session", test::typical_session()).error() == errc::unknown_key);
  }

  TEST_CASE("a configured lower cookie limit is honoured on seal and open") {
    test::manual_clock clock;
    auto o = test::options_with(clock);
    o.max_cookie_bytes = 300;
    codec small(test::fixed_keyring(), o);
    codec normal(test::fixed_keyring(), test::options_with(clock));
    const auto cookie = normal.seal("session", test::typical_session())->cookie;
    CHECK(small.seal("session", test::typical_session()).error() == errc::too_large);
    CHECK(small.open("session", cookie).error() == errc::malformed);
    session tiny(test::t0);
    CHECK(small.seal("session", tiny));
  }

  TEST_CASE("the cookie never exceeds name + value = max_cookie_bytes") {
    test::manual_clock clock;
    codec c(test::fixed_keyring(), test::options_with(clock));
    const std::string name = "a-rather-long-cookie-name";
    for (std::size_t n = 2900; n < 3100; ++n) {
      session s(test::t0);
      s.set("v", std::string(n, 'x'));
      auto r = c.seal(name, s);
      CAPTURE(n);
      if (r) {
        CHECK(name.size() + r->cookie.size() <= 4096);
        CHECK(c.open(name, r->cookie));
      } else {
        CHECK(r.error() == errc::too_large);
      }
    }
  }

  TEST_CASE("new_session uses the codec's clock") {
    test::manual_clock clock(test::t0 + 5s);
    codec c(test::fixed_keyring(), test::options_with(clock));
    CHECK(c.new_session().created_at() == test::t0 + 5s);
    CHECK(c.now() == test::t0 + 5s);
  }

  TEST_CASE("a session's own lifetime shortens the codec's, never lengthens it") {
    test::manual_clock clock;
    auto keys = std::make_shared<const cookieseal::keyring>(test::fixed_keyring());
    codec c(keys, test::options_with(clock));  // max_age 7 d, idle 24 h, leeway 60 s
    session s = test::typical_session();

    SUBCASE("a shorter max_age expires the session, in the header and on open") {
      s.set_lifetime({.max_age = 2h});
      auto sealed = c.seal("session", s);
      REQUIRE(sealed);
      CHECK_FALSE(sealed->browser_session);
      CHECK(sealed->expires_at == test::t0 + 2h);
      clock.advance(2h + 60s);
      CHECK(c.open("session", sealed->cookie));
      clock.advance(1s);
      CHECK(c.open("session", sealed->cookie).error() == errc::expired);
      CHECK(c.seal("session", s).error() == errc::expired);
    }
    SUBCASE("a shorter idle timeout expires it, and idle_used counts against it") {
      s.set_lifetime({.idle_timeout = 15min});
      auto sealed = c.seal("session", s);
      REQUIRE(sealed);
      CHECK(sealed->expires_at == test::t0 + 15min);
      clock.advance(5min);
      auto opened = c.open("session", sealed->cookie);
      REQUIRE(opened);
      CHECK(opened->info.idle_used == doctest::Approx(1.0 / 3));
      CHECK(opened->session.lifetime() == s.lifetime());
      // Re-sealed, the idle window slides; the header no longer bounds it.
      auto renewed = c.seal("session", opened->session);
      REQUIRE(renewed);
      clock.advance(15min + 60s);
      CHECK(c.open("session", sealed->cookie).error() == errc::expired);
      CHECK(c.open("session", renewed->cookie));
    }
    SUBCASE("longer values are clamped to the codec's") {
      s.set_lifetime({.max_age = 30 * 24h, .idle_timeout = 30 * 24h});
      auto sealed = c.seal("session", s);
      REQUIRE(sealed);
      CHECK(sealed->expires_at == test::t0 + 24h);
      clock.advance(24h + 61s);
      CHECK(c.open("session", sealed->cookie).error() == errc::expired);
      // max_age too: a session re-sealed every hour still ends after 7 days.
      clock.set(test::t0 + 7 * 24h - 1h);
      auto late = c.seal("session", s);
      REQUIRE(late);
      CHECK(late->expires_at == test::t0 + 7 * 24h);
    }
    SUBCASE("a session's 0 (none) counts only where the codec's is 0 too") {
      s.set_lifetime({.max_age = 0s, .idle_timeout = 0s});
      CHECK(c.seal("session", s)->expires_at == test::t0 + 24h);
      auto o = test::options_with(clock);
      o.max_age = 0s;
      o.idle_timeout = 0s;
      codec unbounded(keys, o);
      CHECK_FALSE(unbounded.seal("session", s)->expires_at);
      s.set_lifetime({.max_age = 3h});
      CHECK(unbounded.seal("session", s)->expires_at == test::t0 + 3h);
    }
    SUBCASE("the lifetime is authenticated and opens with the session") {
      s.set_lifetime({.max_age = 30 * 24h, .idle_timeout = 1h, .browser_session = true});
      auto sealed = c.seal("session", s);
      REQUIRE(sealed);
      CHECK(sealed->browser_session);
      CHECK(sealed->expires_at == test::t0 + 1h);
      auto opened = c.open("session", sealed->cookie);
      REQUIRE(opened);
      CHECK(opened->session.same_data(s));
      CHECK(opened->session.lifetime() == s.lifetime());
      CHECK_FALSE(opened->session.dirty());
      CHECK(cookieseal::effective_lifetime(c.options(), s.lifetime()) ==
            session_lifetime{7 * 24h, 1h, true});
    }
    SUBCASE("open applies today's codec policy over the sealed lifetime") {
      s.set_lifetime({.max_age = 3 * 24h});
      const auto cookie = c.seal("session", s)->cookie;
      clock.advance(2h);
      auto o = test::options_with(clock);
      o.max_age = 1h;
      CHECK(codec(keys, o).open("session", cookie).error() == errc::expired);
      o.max_age = 0s;  // a codec that stopped bounding max_age still keeps the session's
      clock.advance(3 * 24h);
      CHECK(codec(keys, o).open("session", cookie).error() == errc::expired);
    }
    SUBCASE("a duration outside 0..100 years is a programmer error") {
      CHECK_THROWS_AS(s.set_lifetime({.max_age = -1s}), std::invalid_argument);
      CHECK_THROWS_AS(s.set_lifetime({.idle_timeout = cookieseal::max_policy_duration + 1s}),
                      std::invalid_argument);
      CHECK(s.lifetime().follows_codec());
    }
  }

  TEST_CASE("an overflow reference carries the lifetime: the policy runs before any fetch") {
    test::temp_dir dir;
    auto real = std::make_shared<cookieseal::file_store>(dir / "store");
    auto flaky = std::make_shared<test::flaky_store>(real);
    test::manual_clock clock;
    auto o = test::options_with(clock);
    o.overflow_store = flaky;
    codec c(test::fixed_keyring(), o);
    session s(test::t0);
    s.set("blob", std::string(6000, 'x'));
    s.set_lifetime({.max_age = 2h, .browser_session = true});
    auto sealed = c.seal("session", s);
    REQUIRE(sealed);
    REQUIRE(sealed->overflow);
    CHECK(sealed->expires_at == test::t0 + 2h);
    auto opened = c.open("session", sealed->cookie);
    REQUIRE(opened);
    CHECK(opened->session.lifetime() == s.lifetime());
    // Past the session's own max_age the cookie is refused as expired even while
    // the store is down (wire_test shows the reference alone carries the lifetime).
    flaky->down = true;
    clock.advance(1h);
    CHECK(c.open("session", sealed->cookie).error() == errc::store_unavailable);
    clock.advance(1h + 61s);
    CHECK(c.open("session", sealed->cookie).error() == errc::expired);
  }

  TEST_CASE("destroy keeps a revocation as long as the session's own lifetime lets it live") {
    cookieseal::codec_options o;
    o.max_age = 0s;
    CHECK(cookieseal::revocation_end(o, test::t0, {.max_age = 1h}) == test::t0 + 1h + 61s);
    CHECK(cookieseal::revocation_end(o, test::t0, {.max_age = 0s}) ==
          cookieseal::revocation_forever);
    o.max_age = 7 * 24h;
    CHECK(cookieseal::revocation_end(o, test::t0, {.max_age = 1h}) == test::t0 + 1h + 61s);
    CHECK(cookieseal::revocation_end(o, test::t0, {.max_age = 30 * 24h}) ==
          test::t0 + 7 * 24h + 61s);

    test::temp_dir dir;
    auto st = std::make_shared<cookieseal::file_store>(dir / "store");
    test::manual_clock clock;
    auto opts = test::options_with(clock);
    opts.revocation_store = st;
    codec c(test::fixed_keyring(), opts);
    session s(test::t0);
    s.set_lifetime({.max_age = 1h});
    REQUIRE(c.destroy(s));
    CHECK(*st->is_revoked(s.id(), "", s.created_at(), test::t0 + 1h + 61s));
    CHECK_FALSE(*st->is_revoked(s.id(), "", s.created_at(), test::t0 + 1h + 70s));
  }
}
