/// @file limits.hpp
/// Limits set by browsers, declared once for every layer.
#pragma once

#include <cookieseal/export.hpp>  // the C++20 check

#include <cstddef>

namespace cookieseal {

/// Browsers keep a cookie only while name + value is at most this many bytes
/// (RFC 6265bis); the codec's default limit and the Set-Cookie builder's bound.
inline constexpr std::size_t browser_cookie_limit = 4096;

}  // namespace cookieseal
