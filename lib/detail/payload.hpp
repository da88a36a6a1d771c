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
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
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

/// Value tags on the wire (docs/FORMAT.md): false and true have no body.
namespace payload_tags {
enum value_tag : std::uint8_t {
  tag_null = 0,
  tag_false = 1,
  tag_true = 2,
  tag_int = 3,
  tag_double = 4,
  tag_string = 5,
  tag_bytes = 6,
  tag_list = 7,
  tag_map = 8,
  tag_object = 9,
};
}  // namespace payload_tags

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

/// Appends the kind byte 0 (2 with @p lifetime of its own) and the inline
/// record up to its maps: id, created_at, subject.
void encode_inline_head(const session_lifetime& lifetime, const session_id& id,
                        time_point created_at, std::string_view subject, wiped_bytes& out);

/// A string as the payload holds it (its size, then its bytes), as cereal's string save writes it.
void save_string_view(compact_output_archive& ar, std::string_view s);

/// One value as the payload holds it; @p v nests no deeper than max_value_depth.
void encode_value(compact_output_archive& ar, const value& v);

/// Appends the kind byte 1 (3 with a lifetime) and the reference record to @p out.
void encode_reference(const overflow_reference& r, wiped_bytes& out);

// The pieces every reader of a plaintext shares (payload.cpp); each throws
// cereal::Exception on bad input.
/// A string's bytes, in the input (bounded by the bytes left).
std::string_view load_string_view(compact_input_archive& ar);
time_point load_time(compact_input_archive& ar);
/// The kind byte (0..3); @p lifetime gets the one kinds 2 and 3 carry, or none.
std::uint8_t load_kind(compact_input_archive& ar, session_lifetime& lifetime);
overflow_reference load_reference_record(compact_input_archive& ar,
                                         const session_lifetime& lifetime);

/**
 * Decodes a plaintext, its inline record with @p load_inline(archive,
 * lifetime) -> Record (a session, or its JSON: payload_json.hpp); never
 * throws on bad input: errc::invalid_payload.
 */
template <class Record, class LoadInline>
result<std::variant<Record, overflow_reference>> decode_payload_as(std::span<const std::byte> in,
                                                                   LoadInline&& load_inline) {
  try {
    compact_input_archive ar(in);
    session_lifetime lifetime;
    const std::uint8_t kind = load_kind(ar, lifetime);
    std::variant<Record, overflow_reference> out =
        kind % 2 == 0 ? std::variant<Record, overflow_reference>(load_inline(ar, lifetime))
                      : load_reference_record(ar, lifetime);
    if (ar.remaining() != 0) return errc::invalid_payload;  // trailing bytes
    return out;
  } catch (const cereal::Exception&) {
    return errc::invalid_payload;
  } catch (const std::length_error&) {
    return errc::invalid_payload;
  }
}

/// decode_payload_as for an inline record (kind byte 0 or 2 included) only.
template <class Record, class LoadInline>
result<Record> decode_inline_as(std::span<const std::byte> in, LoadInline&& load_inline) {
  auto r = decode_payload_as<Record>(in, std::forward<LoadInline>(load_inline));
  if (!r) return r.error();
  if (auto* s = std::get_if<Record>(&*r)) return std::move(*s);
  return errc::invalid_payload;
}

/// Decodes a plaintext; never throws on bad input: errc::invalid_payload.
result<std::variant<session, overflow_reference>> decode_payload(std::span<const std::byte> in);

/// Decodes an inline record (kind byte 0 or 2 included) only; other kinds are invalid_payload.
result<session> decode_inline(std::span<const std::byte> in);

}  // namespace cookieseal::detail
