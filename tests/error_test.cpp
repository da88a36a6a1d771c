#include <cookieseal/error.hpp>
#include <cookieseal/result.hpp>

#include <doctest/doctest.h>

#include <set>
#include <string>

using cookieseal::errc;
using cookieseal::result;

TEST_SUITE("error") {
  TEST_CASE("every error has its stable value, a unique name and a message") {
    const std::pair<errc, int> table[] = {
        {errc::malformed, 1},   {errc::unsupported_version, 2},
        {errc::unknown_key, 3}, {errc::authentication_failed, 4},
        {errc::expired, 5},     {errc::invalid_payload, 6},
        {errc::too_large, 7},   {errc::store_unavailable, 8},
        {errc::revoked, 9},     {errc::key_not_loaded, 10},
        {errc::ambiguous, 11},  {errc::header_truncated, 12},
    };
    std::set<std::string_view> names;
    for (const auto& entry : table) {
      const errc e = entry.first;
      const int v = entry.second;
      CAPTURE(v);
      CHECK(static_cast<int>(e) == v);
      CHECK(to_string(e) != "unknown");
      CHECK(names.insert(to_string(e)).second);
      CHECK(message(e).size() > 10);
    }
    CHECK(to_string(errc::authentication_failed) == "authentication_failed");
    CHECK(to_string(static_cast<errc>(99)) == "unknown");
  }

  TEST_CASE("a result holds a value or an error") {
    result<int> ok = 42;
    CHECK(ok.has_value());
    CHECK(static_cast<bool>(ok));
    CHECK(*ok == 42);
    CHECK(ok.value() == 42);
    CHECK(ok.error() == errc{});

    result<int> bad = errc::expired;
    CHECK_FALSE(bad.has_value());
    CHECK(bad.error() == errc::expired);
    CHECK(bad.value_or(7) == 7);
    CHECK_THROWS_AS((void)bad.value(), cookieseal::bad_result_access);
    try {
      (void)bad.value();
    } catch (const cookieseal::bad_result_access& e) {
      CHECK(e.error() == errc::expired);
    }
  }

  TEST_CASE("result<void> reports success or an error") {
    result<void> ok;
    CHECK(ok.has_value());
    CHECK_NOTHROW(ok.value());
    result<void> bad = cookieseal::unexpected{errc::too_large};
    CHECK_FALSE(bad);
    CHECK(bad.error() == errc::too_large);
    CHECK_THROWS_AS(bad.value(), cookieseal::bad_result_access);
  }

  TEST_CASE("a result moves its value out") {
    result<std::string> r = std::string(100, 'x');
    std::string s = std::move(r).value();
    CHECK(s.size() == 100);
  }
}
