#include <cookieseal/http.hpp>

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <string>

namespace http = cookieseal::http;
using namespace std::chrono_literals;

TEST_SUITE("http") {
  TEST_CASE("a Cookie header parses leniently, as browsers send it") {
    const auto p = http::parse_cookie_header(
        "  a=1;b = 2 ;; c=\"quoted\"; novalue; =nameless; d=; e=x=y ; a=again");
    REQUIRE(p.size() == 6);
    CHECK(p[0].name == "a");
    CHECK(p[0].value == "1");
    CHECK(p[1].name == "b");
    CHECK(p[1].value == "2");
    CHECK(p[2].value == "quoted");
    CHECK(p[3].name == "d");
    CHECK(p[3].value == "");
    CHECK(p[4].value == "x=y");
    CHECK(p[5].value == "again");
    CHECK(http::cookie_values("a=1; b=2; a=3", "a") == std::vector<std::string_view>{"1", "3"});
    CHECK(http::cookie_values("", "a").empty());
    CHECK(http::cookie_values("A=1", "a").empty());  // names are case-sensitive
  }

  TEST_CASE("huge headers and thousands of cookies are bounded") {
    std::string many;
    for (int i = 0; i < 5000; ++i) many += "c" + std::to_string(i) + "=v; ";
    const auto p = http::parse_cookie_header(many);
    CHECK(p.size() <= 256);
    http::cookie_limits tight;
    tight.max_cookies = 10;
    CHECK(http::parse_cookie_header(many, tight).size() == 10);
    const std::string huge = "x=" + std::string(1 << 20, 'a') + "; session=found";
    CHECK(http::cookie_values(huge, "session").empty());  // past max_header_bytes
    // The pair cut at the limit is dropped whole, never returned half.
    CHECK(http::parse_cookie_header(huge).empty());
    CHECK(http::parse_cookies(huge).truncated);
    CHECK(http::parse_cookies(many, tight).truncated);
    CHECK_FALSE(http::parse_cookies("a=1; b=2").truncated);
  }

  TEST_CASE("a header cut at the byte limit keeps only the pairs before the cut") {
    http::cookie_limits limits;
    limits.max_header_bytes = 12;
    auto p = http::parse_cookies("a=1; sid=abcdefgh", limits);  // cut inside sid's value
    CHECK(p.truncated);
    REQUIRE(p.pairs.size() == 1);
    CHECK(p.pairs[0].name == "a");
    p = http::parse_cookies("a=1; b=22222; c=3", limits);  // cut exactly at a ';'
    CHECK(p.truncated);
    CHECK(p.pairs.size() == 2);
    p = http::parse_cookies("a=1; b=22222", limits);  // exactly the limit: whole
    CHECK_FALSE(p.truncated);
    CHECK(p.pairs.size() == 2);
  }

  TEST_CASE(
      "responses that depend on the session vary on Cookie and are not stored when they set one") {
    CHECK(http::session_cache_headers(false) == std::vector<http::header>{{"Vary", "Cookie"}});
    CHECK(http::session_cache_headers(true) ==
          std::vector<http::header>{{"Cache-Control", "no-store"}, {"Vary", "Cookie"}});
  }

  TEST_CASE("Set-Cookie has the secure defaults and Max-Age/Expires from the expiry") {
    const std::string h = http::set_cookie("__Host-sid", "abc", {}, test::t0 + 24h, test::t0);
    CHECK(h ==
          "__Host-sid=abc; Max-Age=86400; Expires=Mon, 23 Nov 2026 03:00:00 GMT; Path=/; "
          "Secure; HttpOnly; SameSite=Lax");
    http::cookie_attributes browser;
    browser.browser_session = true;
    CHECK(http::set_cookie("sid", "abc", browser, test::t0 + 24h, test::t0) ==
          "sid=abc; Path=/; Secure; HttpOnly; SameSite=Lax");
    CHECK(http::set_cookie("sid", "abc", {}, std::nullopt, test::t0).find("Max-Age") ==
          std::string::npos);
    http::cookie_attributes all;
    all.domain = "example.com";
    all.path = "/app";
    all.same_site = http::same_site::none;
    all.partitioned = true;
    all.http_only = false;
    CHECK(http::set_cookie("sid", "v", all, std::nullopt, test::t0) ==
          "sid=v; Path=/app; Domain=example.com; Secure; SameSite=None; Partitioned");
    all.same_site = http::same_site::strict;
    CHECK(http::set_cookie("sid", "v", all, std::nullopt, test::t0).find("SameSite=Strict") !=
          std::string::npos);
    CHECK(http::delete_cookie("__Host-sid", {}) ==
          "__Host-sid=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; Secure; "
          "HttpOnly; SameSite=Lax");
  }

  TEST_CASE("injection attempts are refused, never emitted") {
    auto refuses = [](std::string_view name, std::string_view value, http::cookie_attributes a) {
      CAPTURE(name);
      CAPTURE(value);
      CHECK_THROWS_AS((void)http::set_cookie(name, value, a, std::nullopt, test::t0),
                      http::cookie_error);
    };
    for (const char* bad_name : {"", "a b", "a;b", "a=b", "a\r\nSet-Cookie: x=y", "a\tb", "a\"",
                                 "a,b", "\x7f", "caf\xc3\xa9"})
      refuses(bad_name, "v", {});
    for (const char* bad_value : {"a;b", "a b", "a\r\nX: y", "a,b", "a\"b", "a\\b", "\x01"})
      refuses("sid", bad_value, {});
    http::cookie_attributes a;
    a.path = "/;Domain=evil.com";
    refuses("sid", "v", a);
    a.path = "/\r\nX-Injected: 1";
    refuses("sid", "v", a);
    a = {};
    a.domain = "example.com\n";
    refuses("sid", "v", a);
    a = {};
    a.path = "/" + std::string(1024, 'p');
    refuses("sid", "v", a);
    a.path = std::string(1024, 'p');
    CHECK_NOTHROW((void)http::set_cookie("sid", "v", a, std::nullopt, test::t0));
  }

  TEST_CASE("name + value over 4096 bytes is refused: a browser would drop it silently") {
    CHECK_NOTHROW(
        (void)http::set_cookie("sid", std::string(4093, 'v'), {}, std::nullopt, test::t0));
    CHECK_THROWS_AS(
        (void)http::set_cookie("sid", std::string(4094, 'v'), {}, std::nullopt, test::t0),
        http::cookie_error);
  }

  TEST_CASE("every prefix and Secure rule is enforced") {
    http::cookie_attributes insecure;
    insecure.secure = false;
    CHECK_NOTHROW((void)http::set_cookie("plain", "v", insecure, std::nullopt, test::t0));
    CHECK_THROWS_WITH_AS(
        (void)http::set_cookie("__Secure-sid", "v", insecure, std::nullopt, test::t0),
        doctest::Contains("__Secure-"), http::cookie_error);
    CHECK_NOTHROW((void)http::set_cookie("__Secure-sid", "v", {}, std::nullopt, test::t0));
    CHECK_THROWS_AS((void)http::set_cookie("__Host-sid", "v", insecure, std::nullopt, test::t0),
                    http::cookie_error);
    http::cookie_attributes with_domain;
    with_domain.domain = "example.com";
    CHECK_THROWS_AS((void)http::set_cookie("__Host-sid", "v", with_domain, std::nullopt, test::t0),
                    http::cookie_error);
    CHECK_NOTHROW((void)http::set_cookie("__Secure-sid", "v", with_domain, std::nullopt, test::t0));
    http::cookie_attributes sub_path;
    sub_path.path = "/app";
    CHECK_THROWS_AS((void)http::set_cookie("__Host-sid", "v", sub_path, std::nullopt, test::t0),
                    http::cookie_error);
    http::cookie_attributes none_insecure = insecure;
    none_insecure.same_site = http::same_site::none;
    CHECK_THROWS_WITH_AS((void)http::set_cookie("sid", "v", none_insecure, std::nullopt, test::t0),
                         doctest::Contains("SameSite=None requires Secure"), http::cookie_error);
    http::cookie_attributes partitioned_insecure = insecure;
    partitioned_insecure.partitioned = true;
    CHECK_THROWS_AS(
        (void)http::set_cookie("sid", "v", partitioned_insecure, std::nullopt, test::t0),
        http::cookie_error);
    CHECK_THROWS_AS((void)http::delete_cookie("__Host-sid", insecure), http::cookie_error);
  }

  TEST_CASE("IMF-fixdate") {
    CHECK(http::imf_fixdate(cookieseal::time_point{std::chrono::seconds{784111777}}) ==
          "Sun, 06 Nov 1994 08:49:37 GMT");
    CHECK(http::imf_fixdate(cookieseal::time_point{}) == "Thu, 01 Jan 1970 00:00:00 GMT");
    // Past four digits of year: the same fields, the year as it is.
    const auto y10000 = std::chrono::sys_days{std::chrono::year{10000} / 1 / 1} +
                        std::chrono::hours{13} + std::chrono::minutes{4} + std::chrono::seconds{5};
    CHECK(http::imf_fixdate(std::chrono::time_point_cast<std::chrono::seconds>(y10000)) ==
          "Sat, 01 Jan 10000 13:04:05 GMT");
  }

  TEST_CASE("a Set-Cookie line: Max-Age, Expires, then the attributes in order") {
    const auto expires = test::t0 + std::chrono::hours{36};
    http::cookie_attributes a;
    a.domain = "example.com";
    a.same_site = http::same_site::strict;
    CHECK(http::set_cookie("sid", "abc_-09", a, expires, test::t0) ==
          "sid=abc_-09; Max-Age=129600; Expires=" + http::imf_fixdate(expires) +
              "; Path=/; Domain=example.com; Secure; HttpOnly; SameSite=Strict");
  }
}
