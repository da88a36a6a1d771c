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
    // Invalid UTF-8 becomes U+FFFD, one for each maximal subpart (FORMAT.md section 6).
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

  TEST_CASE(
      "out of the bridge comes valid UTF-8: each maximal subpart of a bad sequence is one U+FFFD") {
    const std::string r = "\xEF\xBF\xBD";
    auto json_of = [](std::string s) { return cookieseal::value_to_json(value(std::move(s))); };
    // Lead bytes F5..FF start no sequence: each byte is its own subpart.
    CHECK(json_of("\xF8\x80\x80") == "\"" + r + r + r + "\"");
    CHECK(json_of("\xFF\xBF\xBF") == "\"" + r + r + r + "\"");
    // Unicode 15, section 3.9, table 3-8: the standard's own example.
    CHECK(json_of("\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64") ==
          "\"a" + r + r + r + "b" + r + "c" + r + r + "d\"");
    CHECK(json_of("\xE2\x82") == "\"" + r + "\"");                      // a truncated sequence: one
    CHECK(json_of("\xF0\x9F\x8D") == "\"" + r + "\"");                  // a truncated sequence: one
    CHECK(json_of("\xF4\x90\x80\x80") == "\"" + r + r + r + r + "\"");  // past U+10FFFF
    CHECK(json_of("\xC0\xAF") == "\"" + r + r + "\"");                  // overlong
    CHECK(json_of("\xE0\x80\xAF") == "\"" + r + r + r + "\"");          // overlong
    CHECK(json_of("\xF4\x8F\xBF\xBF") == "\"\xF4\x8F\xBF\xBF\"");       // U+10FFFF itself

    // Every string of a lead byte and two more bytes comes out as JSON that a
    // strict parser (nlohmann-json's, which refuses bad UTF-8) reads back.
    const unsigned char thirds[] = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90,
                                    0x9F, 0xA0, 0xBF, 0xC0, 0xFF};
    std::size_t bad = 0;
    for (unsigned lead = 0x80; lead <= 0xFF; ++lead)
      for (unsigned second = 0; second <= 0xFF; ++second)
        for (unsigned char third : thirds) {
          const std::string s{static_cast<char>(lead), static_cast<char>(second),
                              static_cast<char>(third)};
          try {
            (void)cookieseal::value_from_json(json_of(s));
          } catch (const cookieseal::json_error&) {
            if (bad++ == 0) FAIL_CHECK("not valid JSON for bytes ", lead, " ", second, " ", +third);
          }
        }
    CHECK(bad == 0);
  }

  TEST_CASE("map keys are made valid UTF-8 too, and keys that become equal are written once") {
    const value m(value::map{{"\xF8", 1}, {"\xF9", 2}, {"\xEF\xBF\xBD", 3}, {"k\xC3", 4}});
    // The first in byte order is kept (here the key that was U+FFFD already).
    CHECK(cookieseal::value_to_json(m) == "{\"k\xEF\xBF\xBD\":4,\"\xEF\xBF\xBD\":3}");
    // Ordered as written: what reads back writes the same again.
    CHECK(cookieseal::value_to_json(value(value::map{{"\xF8", 1}, {"\xF0\x9F\x98\x80", 2}})) ==
          "{\"\xEF\xBF\xBD\":1,\"\xF0\x9F\x98\x80\":2}");
    cookieseal::session s(test::t0);
    s.set("\xF8", 1);
    s.set("\xF9", 2);
    s.flash("\xFE", "x\xFF");
    const std::string j = cookieseal::session_to_json(s);
    CHECK(j.rfind("{\"values\":{\"\xEF\xBF\xBD\":1},\"constants\":{},\"flashes\":{\"\xEF\xBF\xBD\":"
                  "[\"x\xEF\xBF\xBD\"]},",
                  0) == 0);
    CHECK_NOTHROW((void)cookieseal::session_to_json(s, nullptr, 2));  // the CLI's pretty print
  }

  TEST_CASE(
      "map keys that look like the bridge's tags round-trip: a nested key with $ gets one more") {
    const value m(value::map{{"$bytes", "hello!"},
                             {"$object", value::map{{"$", 1}, {"$$x", 2}, {"plain", 3}}},
                             {"b", value::bytes{std::byte{1}}}});
    const std::string text = cookieseal::value_to_json(m);
    CHECK(text ==
          R"({"$$bytes":"hello!","$$object":{"$$":1,"$$$x":2,"plain":3},"b":{"$bytes":"AQ"}})");
    CHECK(cookieseal::value_from_json(text) == m);
    CHECK(cookieseal::value_from_json(R"({"$$bytes":"AQ"})") ==
          value(value::map{{"$bytes", "AQ"}}));
    // A single $ is the bridge's: unknown tags and mixed members are refused.
    CHECK_THROWS_AS((void)cookieseal::value_from_json(R"({"$foo":1})"), cookieseal::json_error);
    CHECK_THROWS_AS((void)cookieseal::value_from_json(R"({"$bytes":"AQ","x":1})"),
                    cookieseal::json_error);
    CHECK_THROWS_AS((void)cookieseal::value_from_json(R"({"$object":"t"})"),
                    cookieseal::json_error);

    // The session's own maps (values, constants, flashes) are maps, never tags:
    // their keys are written as they are.
    cookieseal::session s(value::map{{"$object", "c"}}, "", test::t0);
    s.set("$bytes", m);
    s.set("$$", 1);
    s.flash("$bytes", value::map{{"$x", 1}});
    const std::string j = cookieseal::session_to_json(s);
    CHECK(j.rfind(R"({"values":{"$$":1,"$bytes":{"$$bytes":"hello!",)", 0) == 0);
    CHECK(j.find(R"("constants":{"$object":"c"},"flashes":{"$bytes":[{"$$x":1}]})") !=
          std::string::npos);
    const auto back = cookieseal::session_from_json(R"({"values":{"$$":1,"$bytes":)" + text +
                                                        R"(},"constants":{"$object":"c"},)"
                                                        R"("flashes":{"$bytes":[{"$$x":1}]}})",
                                                    true, test::t0);
    CHECK(back.values() == s.values());
    CHECK(back.constants() == s.constants());
    CHECK(back.flashes() == s.flashes());
    CHECK(cookieseal::map_from_json(R"({"$bytes":"hello!"})") == value::map{{"$bytes", "hello!"}});
  }

  TEST_CASE("integers outside int64 are an error, never a double") {
    CHECK(cookieseal::value_from_json("9223372036854775807") == value(INT64_MAX));
    CHECK(cookieseal::value_from_json("-9223372036854775808") == value(INT64_MIN));
    for (const char* big : {"9223372036854775808", "18446744073709551616", "-9223372036854775809",
                            "100000000000000000000000", "[1,{\"a\":-99999999999999999999}]"}) {
      CAPTURE(big);
      CHECK_THROWS_WITH_AS((void)cookieseal::value_from_json(big),
                           doctest::Contains("does not fit in 64 signed bits"),
                           cookieseal::json_error);
    }
    CHECK(cookieseal::value_from_json("1e20") ==
          value(1e20));  // a number with an exponent is a double
    CHECK(cookieseal::value_from_json("-5.0") == value(-5.0));
  }

  TEST_CASE("JSON text is bounded in size and depth before it is parsed") {
    std::string big(cookieseal::max_json_bytes + 1, ' ');
    big[0] = '1';
    CHECK_THROWS_WITH_AS((void)cookieseal::value_from_json(big), doctest::Contains("larger than"),
                         cookieseal::json_error);
    CHECK_THROWS_WITH_AS((void)cookieseal::session_from_json(big, true, test::t0),
                         doctest::Contains("larger than"), cookieseal::json_error);
    std::string deep(1 << 20, '[');
    CHECK_THROWS_WITH_AS((void)cookieseal::value_from_json(deep), doctest::Contains("nesting"),
                         cookieseal::json_error);
    // The session's own two levels come on top of a value's 32.
    std::string v32;
    for (std::size_t i = 0; i < cookieseal::max_value_depth; ++i) v32 += "[";
    for (std::size_t i = 0; i < cookieseal::max_value_depth; ++i) v32 += "]";
    CHECK_NOTHROW(
        (void)cookieseal::session_from_json(R"({"values":{"a":)" + v32 + "}}", true, test::t0));
    CHECK_THROWS_AS(
        (void)cookieseal::session_from_json(R"({"values":{"a":[)" + v32 + "]}}", true, test::t0),
        cookieseal::json_error);
  }
}

TEST_SUITE("json") {
  TEST_CASE("the reader is strict JSON (RFC 8259) and reads what nlohmann-json read") {
    // Escapes, surrogate pairs, \u0000, and UTF-8 as it is.
    CHECK(cookieseal::value_from_json(R"("a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00\u0000z")") ==
          value(std::string("a\"\\/\b\f\n\r\t\xC3\xA9\xF0\x9F\x98\x80", 15) + std::string(1, '\0') +
                "z"));
    CHECK(cookieseal::value_from_json("\"h\xC3\xA9llo\"") == value("h\xC3\xA9llo"));
    CHECK(cookieseal::value_from_json(" \t\r\n[ 1 , -0 , 0.5e1 , true , null ] ") ==
          value(value::list{1, 0, 5.0, true, value()}));
    CHECK(cookieseal::value_from_json("\xEF\xBB\xBF{}") == value(value::map{}));  // a BOM
    CHECK(cookieseal::value_from_json("1e-400") == value(0.0));  // underflow reads as 0
    // Of duplicate keys the last holds, wherever it is.
    CHECK(cookieseal::value_from_json(R"({"a":1,"b":2,"a":{"$bad":1},"a":3})") ==
          value(value::map{{"a", 3}, {"b", 2}}));
    CHECK(cookieseal::map_from_json(R"({"k":"x","k":"y"})") == value::map{{"k", "y"}});
    CHECK(cookieseal::value_from_json(R"({"$bytes":"AA","$bytes":"AQ"})") ==
          value(value::bytes{std::byte{1}}));
    for (const char* bad : {"",
                            " ",
                            "[1,]",
                            "[1 2]",
                            "{\"a\" 1}",
                            "{\"a\":1,}",
                            "{1:2}",
                            "tru",
                            "nul",
                            "01",
                            "-",
                            "1.",
                            ".5",
                            "+1",
                            "1e",
                            "[1]x",
                            "\"abc",
                            "\"\\x\"",
                            "\"\\u12\"",
                            "\"\\ud800\"",
                            "\"\\udc00\"",
                            "\"\\ud800\\u0041\"",
                            "\"a\tb\"",
                            "\"\xC3\"",
                            "\"\xED\xA0\x80\"",
                            "\"\xF8\"",
                            "1e400",
                            "-1e400",
                            "'a'",
                            "[1]]",
                            "{\"a\":1}}",
                            "NaN",
                            "Infinity",
                            "\xEF\xBB"}) {
      CAPTURE(bad);
      CHECK_THROWS_WITH_AS((void)cookieseal::value_from_json(bad), doctest::Contains("JSON"),
                           cookieseal::json_error);
    }
    // A NUL byte does not end the text. nlohmann-json took it for the end and
    // ignored what followed ("1\0x" read as 1, "{...}\0anything" as the object);
    // the reader refuses it like any other text after the value.
    const std::string sealed = R"({"values":{"a":1}})";
    for (const std::string& bad : {std::string("1\0x", 3), std::string("[1]\0", 4),
                                   sealed + std::string(1, '\0') + R"({"values":{"b":)"}) {
      CAPTURE(bad);
      CHECK_THROWS_WITH_AS((void)cookieseal::value_from_json(bad),
                           doctest::Contains("unexpected text after the value"),
                           cookieseal::json_error);
    }
    CHECK_THROWS_WITH_AS(
        (void)cookieseal::session_from_json(sealed + std::string(1, '\0') + "x", true, test::t0),
        doctest::Contains("unexpected text after the value"), cookieseal::json_error);
    CHECK_THROWS_WITH_AS((void)cookieseal::value_from_json("[1,\n  x]"),
                         doctest::Contains("line 2, column 3"), cookieseal::json_error);
    // -0 is an integer, but not the unsigned one a duration must be.
    CHECK_THROWS_AS(
        (void)cookieseal::session_from_json(R"({"lifetime":{"max_age":-0}})", true, test::t0),
        cookieseal::json_error);
    // The first unknown member in key order is named, as before.
    CHECK_THROWS_WITH_AS(
        (void)cookieseal::session_from_json(R"({"zz":1,"values":{},"bb":2})", true, test::t0),
        doctest::Contains("\"bb\""), cookieseal::json_error);
  }

  TEST_CASE("a sealed session's values come from the last of duplicate members") {
    const auto s = cookieseal::session_from_json(
        R"({"values":{"a":1},"subject":"x","values":{"b":2,"b":3},"subject":"y"})", true, test::t0);
    CHECK(s.values() == value::map{{"b", 3}});
    CHECK(s.subject() == "y");
    CHECK(s.dirty());
    const auto empty = cookieseal::session_from_json(R"({"values":{}})", true, test::t0);
    CHECK(empty.values().empty());
    CHECK_FALSE(empty.dirty());  // as set() of no value left it
  }
}
