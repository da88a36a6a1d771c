// What both overflow stores write the same way: expiry times as big-endian
// u64 Unix seconds (unix_never = none) and ids as lowercase hex
// (wire_numbers.hpp), and subjects as keyed hashes.
#pragma once

#include <cookieseal/clock.hpp>

#include "detail/wire_numbers.hpp"

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

}  // namespace cookieseal::detail
