// Shared helpers for the unit tests: a clock the test moves, fixed keys.
#pragma once

#include <cookieseal/codec.hpp>
#include <cookieseal/keyring.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <memory>

namespace test {

using namespace std::chrono_literals;
using cookieseal::time_point;

/// 2026-11-22T03:00:00Z, the fixed "now" of the tests.
inline constexpr time_point t0{std::chrono::seconds{1795316400}};

/// A clock the test sets and advances; copies share the same time.
class manual_clock {
 public:
  explicit manual_clock(time_point t = t0) : now_(std::make_shared<time_point>(t)) {}
  time_point operator()() const { return *now_; }
  void advance(std::chrono::seconds d) { *now_ += d; }
  void set(time_point t) { *now_ = t; }

 private:
  std::shared_ptr<time_point> now_;
};

/// 32 bytes 0x00, 0x01, ... 0x1f offset by @p seed: fixed, never use such a key for real.
inline std::array<std::byte, 32> fixed_key_bytes(unsigned seed = 0) {
  std::array<std::byte, 32> k;
  for (unsigned i = 0; i < k.size(); ++i) k[i] = static_cast<std::byte>(i + seed);
  return k;
}

/// A keyring with one fixed key (id 0x9f3a01c2) active since well before t0.
inline cookieseal::keyring fixed_keyring() {
  return cookieseal::keyring{}.with_key({0x9f3a01c2, t0 - 24h, t0 - 24h, std::nullopt},
                                        fixed_key_bytes());
}

/// The values of bench/fixtures/typical.json as a session.
inline cookieseal::session typical_session(time_point created = t0) {
  using cookieseal::value;
  cookieseal::session s(created);
  s.set("user_id", 1234567);
  s.set("user_name", "alice@example.com");
  s.set("roles", value::list{"admin", "editor", "viewer"});
  s.set("csrf", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
  s.set("cart", value::list{101, 202, 303, 404, 505});
  s.set("theme", "dark");
  s.set("locale", "en-GB");
  s.set("last_seen", 1763779200);
  s.mark_clean();
  return s;
}

/// Codec options with the manual clock.
inline cookieseal::codec_options options_with(const manual_clock& c) {
  cookieseal::codec_options o;
  o.clock = c;
  return o;
}

}  // namespace test
