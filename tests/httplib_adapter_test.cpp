// The C++ adapter (examples/httplib_adapter.hpp) on cpp-httplib's own request
// and response objects: the headers a real response ends with.
#include "httplib_adapter.hpp"
#include "test_support.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace {

std::vector<std::string> values_of(const httplib::Response& res, const std::string& name) {
  std::vector<std::string> out;
  const auto [first, last] = res.headers.equal_range(name);  // names compare case-blind
  for (auto it = first; it != last; ++it) out.push_back(it->second);
  return out;
}

}  // namespace

TEST_SUITE("examples") {
  TEST_CASE(
      "a response that sets the cookie ends with one Cache-Control, no-store, the app's replaced") {
    test::manual_clock clock;
    cookieseal::codec c(test::fixed_keyring(), test::options_with(clock));
    cookieseal::session_manager m(c);
    httplib::Request req;
    httplib::Response res;
    shop::with_session(m, req, res, [&](cookieseal::request_session& s) {
      res.set_header("cache-control", "public, max-age=3600");  // a cacheable catalogue page
      s.session().set("seen", 1);
    });
    CHECK(values_of(res, "Set-Cookie").size() == 1);
    CHECK(values_of(res, "Cache-Control") == std::vector<std::string>{"no-store"});
    CHECK(values_of(res, "Vary") == std::vector<std::string>{"Cookie"});

    // Nothing to set: the app's own caching stays.
    httplib::Response quiet;
    shop::with_session(m, req, quiet, [&](cookieseal::request_session&) {
      quiet.set_header("Cache-Control", "public, max-age=3600");
    });
    CHECK(values_of(quiet, "Set-Cookie").empty());
    CHECK(values_of(quiet, "Cache-Control") == std::vector<std::string>{"public, max-age=3600"});
  }

  TEST_CASE("a session that cannot be saved answers 503 with one Cache-Control, no-store") {
    test::manual_clock clock;
    cookieseal::codec c(test::fixed_keyring(), test::options_with(clock));  // no store
    cookieseal::session_manager m(c);
    httplib::Request req;
    httplib::Response res;
    shop::with_session(m, req, res, [&](cookieseal::request_session& s) {
      res.set_header("Cache-Control", "public, max-age=3600");
      s.session().set("big", std::string(5000, 'x'));  // too_large without a store
    });
    CHECK(res.status == 503);
    CHECK(values_of(res, "Cache-Control") == std::vector<std::string>{"no-store"});
  }
}
