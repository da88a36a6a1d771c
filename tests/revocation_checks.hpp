// "Log out everywhere" checks that every revocation_list must pass, run
// against each real store (store_test.cpp, redis_store_test.cpp).
#pragma once

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <string>

namespace test {

/// A session logged in (this request) at the clock's time, sealed: its cookie.
inline std::string logged_in_cookie(const cookieseal::codec& c, const manual_clock& clock,
                                    const std::string& subject) {
  cookieseal::session s(clock());
  s.login(subject, clock());
  auto sealed = c.seal("session", s);
  REQUIRE(sealed);
  return sealed->cookie;
}

/// Two "log out everywhere" in one second: a session created between them
/// does not survive the second, one created after both holds, and a login
/// that came before a revocation in a later second is refused.
inline void check_log_outs_in_one_second(const cookieseal::codec& c, manual_clock& clock) {
  const std::string before_both = logged_in_cookie(c, clock, "alice");
  REQUIRE(c.revoke_subject("alice"));
  const std::string between = logged_in_cookie(c, clock, "alice");
  CHECK(c.open("session", between));   // the first cut-off lets it through
  REQUIRE(c.revoke_subject("alice"));  // the same second
  CHECK(c.open("session", before_both).error() == cookieseal::errc::revoked);
  CHECK(c.open("session", between).error() == cookieseal::errc::revoked);
  const std::string after_both = logged_in_cookie(c, clock, "alice");
  CHECK(c.open("session", after_both));
  REQUIRE(c.revoke_subject("alice"));  // a third time, still the same second
  CHECK(c.open("session", after_both).error() == cookieseal::errc::revoked);
  const std::string after_three = logged_in_cookie(c, clock, "alice");
  CHECK(c.open("session", after_three));
  clock.advance(std::chrono::seconds{5});
  CHECK(c.open("session", after_three));

  // A login during a request that a revocation in a later second overtakes.
  cookieseal::session slow(clock());
  slow.login("alice", clock());
  clock.advance(std::chrono::seconds{1});
  REQUIRE(c.revoke_subject("alice"));
  CHECK(c.seal("session", slow).error() == cookieseal::errc::revoked);
  CHECK(c.open("session", logged_in_cookie(c, clock, "alice")));
}

}  // namespace test
