// How numbers are written in cookies and in the stores, in one place: Unix
// seconds, the "never" sentinel, big-endian integers and hex.
#pragma once

#include <cookieseal/clock.hpp>

#include <sodium.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace cookieseal::detail {

/// A u64 time meaning "never" (no expiry): all ones.
inline constexpr std::uint64_t unix_never = ~std::uint64_t{0};

/// No real cookie or store record carries a time past 2^62 seconds: input
/// times are refused above it, so adding any policy duration cannot overflow.
inline constexpr std::uint64_t max_input_seconds = std::uint64_t{1} << 62;

/// @p t as Unix seconds; times before 1970 (never produced) clamp to 0.
inline std::uint64_t unix_seconds(time_point t) noexcept {
  return static_cast<std::uint64_t>(std::max<std::int64_t>(0, t.time_since_epoch().count()));
}

/// Unix seconds @p s as a time point (callers bound @p s to int64 first where it is input).
inline time_point from_unix_seconds(std::uint64_t s) noexcept {
  return time_point{std::chrono::seconds{static_cast<std::int64_t>(s)}};
}

/// @p t as Unix seconds, or unix_never for none.
inline std::uint64_t unix_seconds_or_never(std::optional<time_point> t) noexcept {
  return t ? unix_seconds(*t) : unix_never;
}

/// The time @p s names, or nullopt for unix_never.
inline std::optional<time_point> from_unix_seconds_or_never(std::uint64_t s) noexcept {
  if (s == unix_never) return std::nullopt;
  return from_unix_seconds(s);
}

/// Whether expiry @p expires (Unix seconds or unix_never) has passed at @p now.
inline bool unix_expiry_passed(std::uint64_t expires, time_point now) noexcept {
  return expires != unix_never &&
         static_cast<std::int64_t>(expires) <= now.time_since_epoch().count();
}

/// Writes the low @p bytes bytes of @p v big-endian at @p p.
inline void put_be(unsigned char* p, std::uint64_t v, std::size_t bytes) noexcept {
  for (std::size_t i = bytes; i-- > 0; v >>= 8) p[i] = static_cast<unsigned char>(v);
}

/// Reads a @p bytes-byte big-endian integer at @p p.
inline std::uint64_t get_be(const unsigned char* p, std::size_t bytes) noexcept {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < bytes; ++i) v = v << 8 | p[i];
  return v;
}

inline void append_be64(std::string& out, std::uint64_t v) {
  unsigned char b[8];
  put_be(b, v, 8);
  out.append(reinterpret_cast<const char*>(b), 8);
}

inline std::uint64_t read_be64(const char* p) noexcept {
  return get_be(reinterpret_cast<const unsigned char*>(p), 8);
}

/// Lowercase hex of a non-empty id (libsodium's constant-time encoder).
inline std::string hex_of(std::span<const std::byte> b) {
  std::string out(b.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), reinterpret_cast<const unsigned char*>(b.data()),
                 b.size());
  out.pop_back();
  return out;
}

}  // namespace cookieseal::detail
