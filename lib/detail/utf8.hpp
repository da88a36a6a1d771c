// UTF-8 well-formedness, shared by the JSON bridge's reader (which refuses
// ill-formed text) and its writer (which replaces it).
#pragma once

#include <cstddef>

namespace cookieseal::detail {

// The length of the well-formed UTF-8 sequence at p (Unicode table 3-7), or
// 0 and in @p bad the length of its maximal subpart (at least 1): the bytes
// that one U+FFFD replaces.
inline std::size_t utf8_sequence(const unsigned char* p, const unsigned char* end,
                                 std::size_t& bad) {
  const unsigned char c = *p;
  std::size_t n = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // the range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;  // overlong
    if (c == 0xED) hi = 0x9F;  // surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;  // overlong
    if (c == 0xF4) hi = 0x8F;  // past U+10FFFF
  } else {
    bad = 1;  // 80..C1, F5..FF: no sequence starts here
    return 0;
  }
  std::size_t i = 1;
  for (; i < n && p + i < end; ++i) {
    const unsigned char lower = i == 1 ? lo : 0x80, upper = i == 1 ? hi : 0xBF;
    if (p[i] < lower || p[i] > upper) break;
  }
  if (i == n) return n;
  bad = i;
  return 0;
}

}  // namespace cookieseal::detail
