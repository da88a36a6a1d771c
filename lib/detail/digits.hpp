// Fixed-width decimal digits written in place: the dates of every opened
// session's JSON and every Set-Cookie, where fmt cost more than the rest.
#pragma once

#include <cookieseal/clock.hpp>
#include <cookieseal/session.hpp>

#include <cstddef>

namespace cookieseal::detail {

/// @p v (0..99) as two digits at @p at.
inline void put_two_digits(char* at, unsigned v) noexcept {
  at[0] = static_cast<char>('0' + v / 10);
  at[1] = static_cast<char>('0' + v % 10);
}

/// @p year (0..9999) as four digits at @p at.
inline void put_four_digits(char* at, unsigned year) noexcept {
  put_two_digits(at, year / 100);
  put_two_digits(at + 2, year % 100);
}

/// @p t as RFC 3339 (2026-12-01T19:09:33Z) in @p s, 20 characters and a NUL,
/// when its year is 0..9999, else false (format_rfc3339 writes those).
bool write_rfc3339(char (&s)[21], time_point t) noexcept;

/// @p id in lowercase hex: 32 characters, no NUL.
void write_hex(char (&s)[32], const session_id& id) noexcept;

}  // namespace cookieseal::detail
