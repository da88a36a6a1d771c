// The C ABI's transcoder: a payload's inline record straight to the session
// JSON of its open (session_to_json's text, byte for byte), and the session
// JSON of its seal straight to the record's maps (what encode_inline writes),
// without building the session's maps, strings and lists in between.
#pragma once

#include <cookieseal/result.hpp>
#include <cookieseal/session.hpp>

#include "detail/payload.hpp"

#include <span>
#include <string>
#include <string_view>

namespace cookieseal::detail {

/// Wipes what of @p s may hold plaintext: all of a short string's inline
/// buffer, the written part of a longer one (whose text here only grows: each
/// shrink wipes first, and room is reserved so that it seldom moves).
void wipe_text(std::string& s) noexcept;

/**
 * An inline record as what open needs of it (id, created_at, subject,
 * lifetime: the accessors of session) and the JSON of its maps:
 * `{"values":{...},"constants":{...},"flashes":{...}` (session_to_json's
 * text up to append_session_tail). The text is wiped when it goes.
 */
class json_record {
 public:
  json_record() = default;
  json_record(json_record&&) noexcept = default;
  json_record& operator=(json_record&&) noexcept = default;
  ~json_record();

  [[nodiscard]] const session_id& id() const noexcept { return id_; }
  [[nodiscard]] time_point created_at() const noexcept { return created_at_; }
  [[nodiscard]] const std::string& subject() const noexcept { return subject_; }
  [[nodiscard]] const session_lifetime& lifetime() const noexcept { return lifetime_; }

  session_id id_{};
  time_point created_at_{};
  std::string subject_;
  session_lifetime lifetime_;
  std::string maps;  // plaintext
};

/// Reads an inline record after its kind byte (the payload's grammar, as
/// load_inline_record: same bounds, same refusals). @throws cereal::Exception
json_record load_inline_json(compact_input_archive& ar, const session_lifetime& lifetime);

/// decode_payload, the inline record as JSON. Never throws on bad input: errc::invalid_payload.
inline result<std::variant<json_record, overflow_reference>> decode_payload_json(
    std::span<const std::byte> in) {
  return decode_payload_as<json_record>(in, load_inline_json);
}

/**
 * A full session's JSON (session_from_json(text, true, ...)'s shape) as what
 * the seal needs of it, its maps already encoded: the same checks in the same
 * order, so the same json_error, without building the session's maps,
 * strings and lists in between.
 */
struct json_session {
  std::string subject;
  session_lifetime lifetime;
  wiped_bytes maps;  // values, constants, flashes: the inline record after its subject
};

/// @throws json_error
json_session session_maps_from_json(std::string_view text);

}  // namespace cookieseal::detail
