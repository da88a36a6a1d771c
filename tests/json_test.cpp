#include <cookieseal/json.hpp>

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>

using cookieseal::value;

TEST_SUITE("json") {
  TEST_CASE("values are written as compact JSON that reads back the same") {
    CHECK(cookieseal::value_to_json(value()) == "null");
    CHECK(cookieseal::value_to_json(value(true)) == "true");
    CHECK(cookieseal::value_to_json(value(std::int64_t{-42})) == "-42");
    CHECK(cookieseal::value_to_json(value(1.0)) == "1.0");  // stays a double
    CHECK(cookieseal::value_to_json(value(2.5)) == "2.5");
    CHECK(cookieseal::value_to_json(value(1e300)) == "1e+300");
    CHECK(cookieseal::value_to_json(value(std::numeric_limits<double>::quiet_NaN())) == "null");
    CHECK(cookieseal::value_to_json(value("a\"b\\c\n\t\x01")) == R"("a\"b\\c\n\t\u0001")");
    CHECK(cookieseal::value_to_json(value("h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x8D\xAA")) ==
          "\"h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x8D\xAA\"");
    // Invalid UTF-8 becomes U+FFFD, as nlohmann-json's replace handler does.
    CHECK(cookieseal::value_to_json(value("x\xFFy\xC3")) == "\"x\xEF\xBF\xBDy\xEF\xBF\xBD\"");
    CHECK(cookieseal::value_to_json(value("\xED\xA0\x80")) ==
          "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");  // a surrogate is not UTF-8
    const value nested(value::map{{"b", value::list{1, 2.5, "s", value(), false}},
                                  {"a", value::bytes{std::byte{0}, std::byte{1}, std::byte{2}}},
                                  {"o", value::object{"t.v1", {std::byte{0xFF}}}}});
    const std::string text = cookieseal::value_to_json(nested);
    CHECK(
        text ==
        R"({"a":{"$bytes":"AAEC"},"b":[1,2.5,"s",null,false],"o":{"$object":"t.v1","$bytes":"_w"}})");
    CHECK(cookieseal::value_from_json(text) == nested);
    for (double d : {0.1, -0.0, 123456789.123456789, 5e-324, 1.7976931348623157e308}) {
      CAPTURE(d);
      CHECK(cookieseal::value_from_json(cookieseal::value_to_json(value(d))) == value(d));
    }
  }

  TEST_CASE("a session is written with its meta; bad JSON is a json_error") {
    cookieseal::session s(test::t0);
    s.set("n", 1);
    s.flash("notice", "hi");
    const std::string j = cookieseal::session_to_json(s);
    CHECK(j.rfind(R"({"values":{"n":1},"constants":{},"flashes":{"notice":["hi"]},)"
                  R"("lifetime":{"max_age":null,"idle_timeout":null,"browser_session":false},)"
                  R"("meta":{"id":")",
                  0) == 0);
    CHECK(
        j.find(
            R"("created_at":"2026-11-22T03:00:00Z","issued_at":null,"expires_at":null,"key_id":null)") !=
        std::string::npos);
    CHECK(cookieseal::session_to_json(s, nullptr, 2).find("\n  \"flashes\"") != std::string::npos);
    CHECK_THROWS_AS((void)cookieseal::value_from_json("{nope"), cookieseal::json_error);
    CHECK_THROWS_AS((void)cookieseal::value_from_json("18446744073709551615"),
                    cookieseal::json_error);
    CHECK_THROWS_AS((void)cookieseal::session_from_json(R"({"bogus":1})", true, test::t0),
                    cookieseal::json_error);
    CHECK_THROWS_AS((void)cookieseal::map_from_json("[1]", "values"), cookieseal::json_error);
    std::string deep;
    for (int i = 0; i < 40; ++i) deep += "[";
    for (int i = 0; i < 40; ++i) deep += "]";
    CHECK_THROWS_AS((void)cookieseal::value_from_json(deep), cookieseal::json_error);
  }

  TEST_CASE("a session's own lifetime is read from \"lifetime\" and written back") {
    using namespace std::chrono_literals;
    auto s = cookieseal::session_from_json(
        R"({"values":{},"lifetime":{"max_age":2592000,"idle_timeout":0,"browser_session":true}})",
        true, test::t0);
    CHECK(s.lifetime().max_age == 2592000s);
    CHECK(s.lifetime().idle_timeout == 0s);
    CHECK(s.lifetime().browser_session);
    CHECK(cookieseal::session_to_json(s).find(
              R"("lifetime":{"max_age":2592000,"idle_timeout":0,"browser_session":true})") !=
          std::string::npos);

    SUBCASE("each member is optional; null is absent (the codec's)") {
      auto partial = cookieseal::session_from_json(
          R"({"lifetime":{"idle_timeout":900,"max_age":null}})", true, test::t0);
      CHECK_FALSE(partial.lifetime().max_age);
      CHECK(partial.lifetime().idle_timeout == 900s);
      CHECK_FALSE(partial.lifetime().browser_session);
      CHECK(cookieseal::session_from_json(R"({"lifetime":{}})", true, test::t0)
                .lifetime()
                .follows_codec());
    }
    SUBCASE("what is not a lifetime is refused with a message naming it") {
      for (const char* bad : {
               R"({"lifetime":3600})",
               R"({"lifetime":{"max_age":-1}})",
               R"({"lifetime":{"max_age":1.5}})",
               R"({"lifetime":{"max_age":"1h"}})",
               R"({"lifetime":{"idle_timeout":3162240001}})",
               R"({"lifetime":{"browser_session":1}})",
               R"({"lifetime":{"maxAge":60}})",
           }) {
        CAPTURE(bad);
        CHECK_THROWS_AS((void)cookieseal::session_from_json(bad, true, test::t0),
                        cookieseal::json_error);
      }
      CHECK_THROWS_WITH_AS(
          (void)cookieseal::session_from_json(R"({"lifetime":{"maxAge":60}})", true, test::t0),
          doctest::Contains("maxAge"), cookieseal::json_error);
    }
  }
}
