// Fixed keys and clock shared by the fuzz targets, matching the frozen vectors
// (tests/vectors/envelope_v1.txt), so the seed corpus stays valid forever.
#pragma once

#include <cookieseal/codec.hpp>

#include "detail/payload.hpp"

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace fuzz {

inline constexpr cookieseal::time_point t0{std::chrono::seconds{1795316400}};

inline const cookieseal::codec& fixed_codec() {
  static const cookieseal::codec c = [] {
    std::array<std::byte, 32> k;
    for (unsigned i = 0; i < k.size(); ++i) k[i] = static_cast<std::byte>(i);
    auto keys = cookieseal::keyring{}.with_key(
        {0x9f3a01c2, t0 - std::chrono::hours(24), t0 - std::chrono::hours(24), std::nullopt}, k);
    cookieseal::codec_options o;
    o.clock = [] { return t0; };
    return cookieseal::codec(keys, o);
  }();
  return c;
}

/// Whether two sessions encode to the same bytes. Not value equality: a NaN
/// double is never equal to itself, yet it round-trips bit for bit.
inline bool same_encoding(const cookieseal::session& a, const cookieseal::session& b) {
  cookieseal::detail::wiped_bytes ea, eb;
  return cookieseal::detail::encode_inline(a, ea) && cookieseal::detail::encode_inline(b, eb) &&
         ea == eb;
}

/// Stops the run loudly: the fuzzer (or the TAP replay) reports the input.
[[noreturn]] inline void fail(const char* why) {
  std::fprintf(stderr, "fuzz invariant broken: %s\n", why);
  std::abort();
}

}  // namespace fuzz
