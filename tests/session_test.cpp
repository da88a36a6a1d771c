#include <cookieseal/session.hpp>

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <stdexcept>
#include <type_traits>

#include <string>
#include <vector>

using cookieseal::session;
using cookieseal::value;
using namespace std::chrono_literals;

TEST_SUITE("session") {
  TEST_CASE("pointers never turn into booleans; UTF-8 literals are text") {
    using cookieseal::value;
    static_assert(!std::is_constructible_v<value, std::string*>);
    static_assert(!std::is_constructible_v<value, const std::string*>);
    static_assert(!std::is_constructible_v<value, const wchar_t*>);
    static_assert(!std::is_constructible_v<value, const char16_t*>);
    static_assert(!std::is_constructible_v<value, int*>);
    static_assert(!std::is_constructible_v<value, void*>);
    static_assert(std::is_constructible_v<value, const char*>);
    static_assert(std::is_constructible_v<value, char*>);
    static_assert(std::is_constructible_v<value, const char8_t*>);
    static_assert(std::is_constructible_v<value, bool>);
    cookieseal::session s(test::t0);
    s.set("u8", u8"caf\u00e9");
    CHECK(s.get<std::string>("u8") == "caf\xC3\xA9");
    char buf[] = "mutable";
    s.set("chars", buf);
    CHECK(s.get<std::string>("chars") == "mutable");
    s.set("flag", true);
    CHECK(s.get<bool>("flag") == true);
  }

  TEST_CASE("typed reads return the value of the right kind and nothing otherwise") {
    session s(test::t0);
    s.set("n", 42);
    s.set("name", "alice");
    s.set("pi", 3.5);
    s.set("flag", true);
    s.set("raw", value::bytes{std::byte{1}, std::byte{2}});

    CHECK(s.get<std::int64_t>("n") == 42);
    CHECK(s.get<int>("n") == 42);
    CHECK(s.get<std::string>("name") == "alice");
    CHECK(s.get<double>("pi") == 3.5);
    CHECK(s.get<bool>("flag") == true);
    CHECK(s.get<value::bytes>("raw")->size() == 2);

    SUBCASE("a missing key is nullopt") { CHECK_FALSE(s.get<std::int64_t>("absent")); }
    SUBCASE("a wrong kind is nullopt, never a throw") {
      CHECK_FALSE(s.get<std::string>("n"));
      CHECK_FALSE(s.get<std::int64_t>("name"));
      CHECK_FALSE(s.get<double>("n"));
      CHECK_FALSE(s.get<bool>("n"));
      CHECK_FALSE(s.get<std::string>("raw"));  // bytes are not a string
    }
    SUBCASE("an integer that does not fit the asked type is nullopt") {
      s.set("big", std::int64_t{1} << 40);
      CHECK_FALSE(s.get<int>("big"));
      CHECK(s.get<std::int64_t>("big") == (std::int64_t{1} << 40));
      s.set("neg", -1);
      CHECK_FALSE(s.get<unsigned>("neg"));
    }
    SUBCASE("get_or falls back on a missing key or a wrong kind") {
      CHECK(s.get_or("n", std::int64_t{0}) == 42);
      CHECK(s.get_or("absent", 7) == 7);
      CHECK(s.get_or("name", 7) == 7);
      CHECK(s.get_or("name", "bob") == "alice");
      CHECK(s.get_or("n", "bob") == "bob");
    }
  }

  TEST_CASE("set, erase, clear, size and iteration in key order") {
    session s(test::t0);
    CHECK(s.empty());
    s.set("b", 2);
    s.set("a", 1);
    s.set("c", 3);
    s.set("b", 20);
    CHECK(s.size() == 3);
    std::vector<std::string> keys;
    for (const auto& [k, v] : s) keys.push_back(k);
    CHECK(keys == std::vector<std::string>{"a", "b", "c"});
    CHECK(s.get<int>("b") == 20);
    CHECK(s.erase("a"));
    CHECK_FALSE(s.erase("a"));
    CHECK(s.size() == 2);
    CHECK(s.contains("c"));
    s.clear();
    CHECK(s.empty());
  }

  TEST_CASE("dirty tracking marks every change and only changes") {
    session s(test::t0);
    CHECK_FALSE(s.dirty());
    (void)s.get<int>("x");
    (void)s.find("x");
    CHECK_FALSE(s.dirty());
    SUBCASE("set") {
      s.set("x", 1);
      CHECK(s.dirty());
    }
    SUBCASE("erase of a present key") {
      s.set("x", 1);
      s.mark_clean();
      CHECK_FALSE(s.erase("y"));
      CHECK_FALSE(s.dirty());
      CHECK(s.erase("x"));
      CHECK(s.dirty());
    }
    SUBCASE("clear of a non-empty session") {
      s.clear();
      CHECK_FALSE(s.dirty());
      s.set("x", 1);
      s.mark_clean();
      s.clear();
      CHECK(s.dirty());
    }
    SUBCASE("flash and take_flashes") {
      s.flash("notice", "saved");
      CHECK(s.dirty());
      s.mark_clean();
      CHECK(s.take_flashes("none").empty());
      CHECK_FALSE(s.dirty());
      CHECK(s.take_flashes("notice").size() == 1);
      CHECK(s.dirty());
    }
    SUBCASE("regenerate_id") {
      s.regenerate_id();
      CHECK(s.dirty());
    }
  }

  TEST_CASE("flash messages are read once") {
    session s(test::t0);
    s.flash("notice", "one");
    s.flash("notice", "two");
    s.flash("error", 500);
    CHECK(s.flashes().size() == 2);
    auto notices = s.take_flashes("notice");
    REQUIRE(notices.size() == 2);
    CHECK(notices[0] == value("one"));
    CHECK(notices[1] == value("two"));
    CHECK(s.take_flashes("notice").empty());
    CHECK(s.take_flashes("error") == value::list{500});
    CHECK(s.flashes().empty());
  }

  TEST_CASE("constants are fixed at creation and read-only afterwards") {
    session s(value::map{{"tenant", "acme"}, {"ip", "192.0.2.1"}}, "", test::t0);
    REQUIRE(s.constant("tenant") != nullptr);
    CHECK(*s.constant("tenant") == value("acme"));
    CHECK(s.constant("absent") == nullptr);
    CHECK(s.constants().size() == 2);
    // No mutator exists for constants; clear() and set() leave them alone.
    s.set("tenant", "other");
    s.clear();
    CHECK(*s.constant("tenant") == value("acme"));
  }

  TEST_CASE("login fixes the subject and regenerates the id") {
    session s(test::t0);
    CHECK(s.subject().empty());
    const auto before = s.id();
    CHECK(s.login("user-42", test::t0 + 5s));
    CHECK(s.subject() == "user-42");
    CHECK(s.id() != before);
    CHECK(s.created_at() == test::t0 + 5s);  // the authenticated session starts at login
    CHECK_FALSE(s.login("user-43"));
    CHECK(s.subject() == "user-42");
    CHECK(s.login("user-42"));  // the same subject again is fine
  }

  TEST_CASE("new sessions get distinct random ids and the given creation time") {
    session a(test::t0), b(test::t0);
    CHECK(a.id() != b.id());
    CHECK(a.created_at() == test::t0);
    CHECK(cookieseal::to_hex(a.id()).size() == 32);
    const auto id = a.id();
    a.regenerate_id();
    CHECK(a.id() != id);
  }

  TEST_CASE("value depth counts nested lists and maps") {
    CHECK(value(1).depth() == 0);
    CHECK(value(value::list{}).depth() == 1);
    CHECK(value(value::list{value::map{{"a", value::list{1}}}}).depth() == 3);
  }

  TEST_CASE("value kinds are reported and compared") {
    CHECK(value().type() == value::kind::null);
    CHECK(value(nullptr).is_null());
    CHECK(value(true).type() == value::kind::boolean);
    CHECK(value(7).type() == value::kind::integer);
    CHECK(value(std::uint16_t{7}).type() == value::kind::integer);
    CHECK(value(7.0).type() == value::kind::real);
    CHECK(value("s").type() == value::kind::string);
    CHECK(value(value::bytes{}).type() == value::kind::bytes);
    CHECK(value(value::list{}).type() == value::kind::list);
    CHECK(value(value::map{}).type() == value::kind::map);
    CHECK(value(value::object{"t", {}}).type() == value::kind::object);
    CHECK(value(7) != value(7.0));
    CHECK(value("a") == value(std::string("a")));
  }

  TEST_CASE("a session's own lifetime is unset until set; setting it marks the session dirty") {
    session s(test::t0);
    s.mark_clean();
    CHECK(s.lifetime().follows_codec());
    session copy = s;
    s.set_lifetime({.max_age = 30 * 24h, .browser_session = true});
    CHECK(s.dirty());
    CHECK(s.lifetime().max_age == 30 * 24h);
    CHECK_FALSE(s.lifetime().idle_timeout);
    CHECK_FALSE(s.lifetime().follows_codec());
    CHECK_FALSE(s.same_data(copy));
    s.set_lifetime({});
    CHECK(s.same_data(copy));
    CHECK_THROWS_AS(s.set_lifetime({.idle_timeout = -1s}), std::invalid_argument);
    CHECK_THROWS_AS(session(s.id(), test::t0, "", {}, {}, {}, {.max_age = -1s}),
                    std::invalid_argument);
  }
}
