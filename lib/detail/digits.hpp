// Fixed-width decimal digits written in place: the dates of every opened
// session's JSON and every Set-Cookie, where fmt cost more than the rest.
#pragma once

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

}  // namespace cookieseal::detail
