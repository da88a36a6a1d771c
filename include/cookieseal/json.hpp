/// @file json.hpp
/// Sessions and values as JSON text: the shape the CLI prints and reads, and
/// the one every language binding exchanges through the C ABI.
///
/// Values: null, true/false, integers (int64; one outside it is an error),
/// other numbers (double), strings, arrays, objects; bytes are
/// {"$bytes": "<base64url, no padding>"} and a user object is
/// {"$object": NAME, "$bytes": ...}. A map key nested in a value that starts
/// with '$' is written with one more '$' ("$bytes" as "$$bytes"), so any key
/// round-trips; the session's own maps (values, constants, flashes) keep their
/// keys as they are. What comes out is valid UTF-8: each ill-formed subsequence
/// of a string or key becomes one U+FFFD (Unicode's "maximal subpart"
/// practice). docs/FORMAT.md, section 6, is the contract.
#pragma once

#include <cookieseal/clock.hpp>
#include <cookieseal/codec.hpp>
#include <cookieseal/export.hpp>
#include <cookieseal/session.hpp>
#include <cookieseal/store.hpp>

#include <stdexcept>
#include <string>
#include <string_view>

namespace cookieseal {

/// JSON text read by the bridge is at most this long: 8 x max_entry_bytes, so
/// the JSON of any session that can be sealed fits, every byte escaped.
inline constexpr std::size_t max_json_bytes = 8 * max_entry_bytes;

/// JSON nesting read by the bridge: a value's max_value_depth plus the
/// session's own two levels ({"values": {KEY: ...}}), checked while reading.
inline constexpr std::size_t max_json_depth = max_value_depth + 2;

/// JSON values (scalars and containers) read from one text: a sealed session
/// spends at least one byte of its max_entry_bytes record on each.
inline constexpr std::size_t max_json_values = max_entry_bytes;

/// JSON that is not valid, or not a value of the shape above; the message says where.
class COOKIESEAL_API json_error : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// JSON text -> value. @throws json_error
[[nodiscard]] COOKIESEAL_API value value_from_json(std::string_view json);

/// value -> compact JSON text (the inverse of value_from_json).
[[nodiscard]] COOKIESEAL_API std::string value_to_json(const value& v);

/// A JSON object of values -> a map; @p what names it in errors. @throws json_error
[[nodiscard]] COOKIESEAL_API value::map map_from_json(std::string_view json,
                                                      std::string_view what = "values");

/**
 * A new session from JSON, created at @p now: with @p full, an object with
 * optional "values", "constants", "flashes" (key -> array), "subject" and
 * "lifetime" ({"max_age": seconds, "idle_timeout": seconds, "browser_session":
 * bool}, each optional, null or absent = the codec's; see session_lifetime);
 * otherwise an object of values. @throws json_error
 */
[[nodiscard]] COOKIESEAL_API session session_from_json(std::string_view json, bool full,
                                                       time_point now);

/**
 * A session as JSON: {"values", "constants", "flashes", "lifetime":
 * {max_age, idle_timeout (seconds or null = the codec's), browser_session},
 * "meta": {id, subject,
 * created_at, issued_at, expires_at, key_id, key_replaced, overflow}}; the
 * meta fields from @p info are null without it (a session that did not come
 * from a cookie). @p indent < 0 gives compact text.
 */
[[nodiscard]] COOKIESEAL_API std::string session_to_json(const session& s,
                                                         const open_info* info = nullptr,
                                                         int indent = -1);

}  // namespace cookieseal
