// The JSON bridge's writing level (lib/json.cpp): the pieces session_to_json
// is made of, shared with the payload -> JSON transcoder (lib/payload_json.cpp)
// so both write the same text byte for byte (docs/FORMAT.md, section 6).
#pragma once

#include <cookieseal/clock.hpp>
#include <cookieseal/codec.hpp>
#include <cookieseal/session.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cookieseal::detail {

/// Whether @p s is well-formed UTF-8.
bool valid_utf8(std::string_view s) noexcept;
/// A JSON string; ill-formed UTF-8 becomes U+FFFD. @p tag_escape: a map key
/// nested in a value, whose leading '$' is doubled.
void append_json_string(std::string& out, std::string_view s, bool tag_escape = false);
void append_json_integer(std::string& out, std::int64_t i);
/// A number that reads back as a double; non-finite ones as null.
void append_json_double(std::string& out, double d);
/// {"$bytes":"<base64url>"}
void append_json_bytes(std::string& out, std::span<const std::byte> b);
/// {"$object":NAME,"$bytes":"<base64url>"}
void append_json_object(std::string& out, std::string_view type_name,
                        std::span<const std::byte> data);
/**
 * The keys of a map (in ascending byte order) of which some are not valid
 * UTF-8, as they are written: each replaced, in the order of the replaced
 * text, and of keys that become the same text only the first; with the index
 * of the member each comes from.
 */
std::vector<std::pair<std::string, std::size_t>> replaced_key_order(
    std::span<const std::string_view> keys);
/// What session_to_json writes after the session's flashes: the lifetime,
/// the meta (null from @p info without it) and the closing brace.
void append_session_tail(std::string& out, const session_lifetime& lifetime, const session_id& id,
                         std::string_view subject, time_point created_at, const open_info* info);

}  // namespace cookieseal::detail
