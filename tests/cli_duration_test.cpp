// The CLI's duration syntax (tools/duration.hpp).
#include "duration.hpp"

#include <doctest/doctest.h>

using cli::parse_duration;
using namespace std::chrono_literals;

TEST_SUITE("cli_duration") {
  TEST_CASE("durations take s, m, h and d suffixes") {
    CHECK(parse_duration("90s") == 90s);
    CHECK(parse_duration("15m") == 15min);
    CHECK(parse_duration("12h") == 12h);
    CHECK(parse_duration("30d") == 30 * 24h);
    CHECK(parse_duration("0") == 0s);
    CHECK(parse_duration("0s") == 0s);
    for (const char* bad :
         {"", "s", "10", "-5m", "+5m", "5 m", "5w", "1.5h", "h1", "999999999999999999d"}) {
      CAPTURE(bad);
      CHECK_FALSE(parse_duration(bad));
    }
  }
}
