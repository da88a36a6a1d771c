// The codec's door to a session's overflow origin; not part of the public API.
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
};

}  // namespace cookieseal::detail
