// The plaintext inside an envelope: a kind byte, then an inline session record
// or an overflow reference, in the compact cereal encoding (docs/FORMAT.md).
#pragma once

#include <cookieseal/detail/compact_archive.hpp>
#include <cookieseal/result.hpp>
#include <cookieseal/session.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

namespace cookieseal::detail {

/// The kind byte. Kinds 2 and 3 are kinds 0 and 1 preceded by the session's own
/// lifetime; a session without one seals as kind 0 or 1, byte for byte as before.
enum class payload_kind : std::uint8_t {
  inline_session = 0,
  overflow_reference = 1,
  inline_session_with_lifetime = 2,
  overflow_reference_with_lifetime = 3,
};

inline constexpr std::size_t entry_id_bytes = 32;
inline constexpr std::size_t entry_key_bytes = 32;

/// Kind 1 (or 3): where the session lives in the overflow store, and the key that opens it.
struct overflow_reference {
  std::array<std::byte, entry_id_bytes> entry_id{};
  std::array<std::byte, entry_key_bytes> entry_key{};  // secret: wipe after use
  time_point created_at{};
  std::string subject;
  session_lifetime lifetime;  // repeated from the session: the policy needs it before a fetch
};

/**
 * Appends the kind byte 0 (2 with a lifetime of its own) and the inline record of @p s to @p out.
 * errc::invalid_payload when a value nests deeper than max_value_depth.
 */
result<void> encode_inline(const session& s, wiped_bytes& out);

/// Appends the kind byte 1 (3 with a lifetime) and the reference record to @p out.
void encode_reference(const overflow_reference& r, wiped_bytes& out);

/// Decodes a plaintext; never throws on bad input: errc::invalid_payload.
result<std::variant<session, overflow_reference>> decode_payload(std::span<const std::byte> in);

/// Decodes an inline record (kind byte 0 or 2 included) only; other kinds are invalid_payload.
result<session> decode_inline(std::span<const std::byte> in);

}  // namespace cookieseal::detail
