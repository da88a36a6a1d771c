// What both overflow stores write the same way: expiry times as big-endian
// u64 Unix seconds (all ones = none) and ids as lowercase hex.
#pragma once

#include <cookieseal/clock.hpp>

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace cookieseal::detail {

/// A stored expiry that never passes.
inline constexpr std::uint64_t store_never = ~std::uint64_t{0};

/// @p t as stored: Unix seconds, or store_never for none.
inline std::uint64_t store_time(std::optional<time_point> t) noexcept {
  if (!t) return store_never;
  return static_cast<std::uint64_t>(std::max<std::int64_t>(0, t->time_since_epoch().count()));
}

/// Whether a stored expiry has passed at @p now.
inline bool stored_expiry_passed(std::uint64_t expires, time_point now) noexcept {
  return expires != store_never &&
         static_cast<std::int64_t>(expires) <= now.time_since_epoch().count();
}

inline void append_be64(std::string& out, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}

inline std::uint64_t read_be64(const char* p) noexcept {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = v << 8 | static_cast<unsigned char>(p[i]);
  return v;
}

/// Lowercase hex of a non-empty id (libsodium's constant-time encoder).
inline std::string hex_of(std::span<const std::byte> b) {
  std::string out(b.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), reinterpret_cast<const unsigned char*>(b.data()),
                 b.size());
  out.pop_back();
  return out;
}

/// Bytes of the per-store secret that keys subject hashes.
inline constexpr std::size_t subject_secret_bytes = 32;
using subject_secret = std::array<unsigned char, subject_secret_bytes>;

/**
 * How a store names a subject: BLAKE2b-256 keyed with the store's own random
 * secret, in hex. A dump of the store holds no user id, and a dictionary of
 * user ids cannot be hashed ahead without the secret (which the store holds:
 * whoever reads all of it can still test guesses).
 */
inline std::string subject_hash_hex(std::string_view subject, const subject_secret& secret) {
  std::array<unsigned char, 32> h;
  crypto_generichash(h.data(), h.size(), reinterpret_cast<const unsigned char*>(subject.data()),
                     subject.size(), secret.data(), secret.size());
  return hex_of(std::as_bytes(std::span(h)));
}

/// The unkeyed BLAKE2b-256 name earlier versions gave a subject (read for old records).
inline std::string legacy_subject_hash_hex(std::string_view subject) {
  std::array<unsigned char, 32> h;
  crypto_generichash(h.data(), h.size(), reinterpret_cast<const unsigned char*>(subject.data()),
                     subject.size(), nullptr, 0);
  return hex_of(std::as_bytes(std::span(h)));
}

}  // namespace cookieseal::detail
