/// @file limits.hpp
/// Limits set by browsers, and bounds on durations, declared once for every layer.
#pragma once

#include <cookieseal/export.hpp>  // the C++20 check

#include <chrono>
#include <cstddef>

namespace cookieseal {

/// Browsers keep a cookie only while name + value is at most this many bytes
/// (RFC 6265bis); the codec's default limit and the Set-Cookie builder's bound.
inline constexpr std::size_t browser_cookie_limit = 4096;

/// The longest max_age, idle_timeout or leeway a codec, or a session's own
/// lifetime, accepts (100 years): every time computed stays far inside what a
/// cookie header can carry.
inline constexpr std::chrono::seconds max_policy_duration{100LL * 366 * 24 * 3600};

}  // namespace cookieseal
