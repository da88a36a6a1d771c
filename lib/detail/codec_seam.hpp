// The seal path with the nonce supplied: production passes a random one, the
// known-answer tests a fixed one (production nonces are never chosen).
#pragma once

#include <cookieseal/codec.hpp>

#include "detail/envelope.hpp"
#include "detail/payload_json.hpp"

namespace cookieseal::detail {

result<sealed> seal_with_nonce(const codec& c, std::string_view name, const session& s,
                               std::string_view purpose, const nonce& iv);

/**
 * codec::seal of session_from_json(@p json, true, c.now()), with the same
 * refusals (json_error first) and the same record: the JSON encoded straight
 * to the payload (payload_json.hpp), the session's maps never built. The new
 * session's id goes to @p id when given.
 * @throws json_error
 */
result<sealed> seal_json(const codec& c, std::string_view name, std::string_view json,
                         std::string_view purpose, session_id* id = nullptr);

/// A cookie opened as the JSON of its session's maps (what open_json reads).
struct opened_json {
  json_record record;
  open_info info;
};

/**
 * codec::open, the inline record read straight from the payload
 * (payload_json.hpp), the session's maps never built: the same refusals.
 */
result<opened_json> open_record_json(const codec& c, std::string_view name, std::string_view cookie,
                                     std::string_view purpose);

/// The session JSON of @p o as session_to_json(session, &info) writes it,
/// byte for byte (its text moved out of the record: plaintext, to wipe).
std::string session_json_of(opened_json&& o);

/// session_json_of(open_record_json(...)).
result<std::string> open_json(const codec& c, std::string_view name, std::string_view cookie,
                              std::string_view purpose);

}  // namespace cookieseal::detail
