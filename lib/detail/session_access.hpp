// The library's door to a session's internals (its overflow origin, its
// values at once); not part of the public API.
#pragma once

#include <cookieseal/session.hpp>
#include <cookieseal/store.hpp>

#include <optional>

namespace cookieseal::detail {

struct session_access {
  static const std::optional<entry_id>& overflow_entry(const session& s) noexcept {
    return s.overflow_entry_;
  }
  static void set_overflow_entry(session& s, std::optional<entry_id> id) noexcept {
    s.overflow_entry_ = id;
  }
  /// Created or logged in here, never opened from a cookie.
  static bool fresh(const session& s) noexcept { return s.fresh_; }
  static void set_created_at(session& s, time_point t) noexcept { s.created_at_ = t; }
  /// Values all at once into a session that has none (fresh, or just
  /// cleared): what set() of each would leave (the JSON bridge's seal and
  /// the C ABI's update, without a second map built key by key).
  static void set_values(session& s, value::map values) noexcept {
    if (values.empty()) return;
    s.values_ = std::move(values);
    s.dirty_ = true;
  }
};

}  // namespace cookieseal::detail
