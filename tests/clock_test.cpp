#include <cookieseal/clock.hpp>

#include "test_support.hpp"

#include <doctest/doctest.h>

using namespace std::chrono_literals;
using cookieseal::parse_rfc3339;

TEST_SUITE("clock") {
  TEST_CASE("RFC 3339 UTC times format and parse back exactly") {
    CHECK(cookieseal::format_rfc3339(test::t0) == "2026-11-22T03:00:00Z");
    CHECK(parse_rfc3339("2026-11-22T03:00:00Z") == test::t0);
    CHECK(parse_rfc3339("1970-01-01T00:00:00Z") == cookieseal::time_point{});
    CHECK(parse_rfc3339("2024-02-29T23:59:59Z").has_value());
    for (auto t : {test::t0, test::t0 + 86399s, cookieseal::time_point{} + 951782400s})
      CHECK(parse_rfc3339(cookieseal::format_rfc3339(t)) == t);
  }

  TEST_CASE("malformed or out-of-range times are refused") {
    for (const char* bad : {"", "2026-11-22", "2026-11-22T03:00:00", "2026-11-22T03:00:00+00:00",
                            "2026-11-22 03:00:00Z", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z",
                            "2023-02-29T00:00:00Z", "2026-11-22T24:00:00Z", "2026-11-22T03:60:00Z",
                            "1969-12-31T23:59:59Z", "2026-11-22T03:00:00.5Z",
                            "20x6-11-22T03:00:00Z", "2026-11-22t03:00:00z"}) {
      CAPTURE(bad);
      CHECK_FALSE(parse_rfc3339(bad));
    }
  }
}
