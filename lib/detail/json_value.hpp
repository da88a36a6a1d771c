// The JSON bridge's nlohmann-json level, for the library's own users (the C
// ABI); the public json.hpp speaks text only.
#pragma once

#include <cookieseal/http.hpp>
#include <cookieseal/json.hpp>
#include <cookieseal/session_manager.hpp>

#include <nlohmann/json.hpp>

#include <span>
#include <string>
#include <string_view>

namespace cookieseal::detail {

/// Text -> DOM, within max_json_bytes, max_json_depth and max_json_values,
/// integers within int64. @throws json_error
nlohmann::json parse_json(std::string_view text);
/// @throws json_error
value value_from(const nlohmann::json& j, std::size_t depth);
/// One of the session's own maps (values, constants): keys as they are. @throws json_error
value::map map_from(const nlohmann::json& j, std::string_view what);
/// {"key": [values...]} -> flashes. @throws json_error
session::flash_map flashes_from(const nlohmann::json& j);
/// {"max_age": N, "idle_timeout": N, "browser_session": bool} -> a session's
/// own lifetime (each member optional). @throws json_error
session_lifetime lifetime_from(const nlohmann::json& j);
/// Compact (indent < 0) or indented text; invalid UTF-8 replaced.
std::string dump(const nlohmann::json& j, int indent);
/// Response headers as [["name","value"],...], written directly (every save of the C ABI).
std::string headers_json(std::span<const http::header> headers);
/// A session manager's effective settings (its options within codec @p c's
/// policy): {"name", "purpose", "path", "domain", "secure", "http_only",
/// "same_site", "partitioned", "browser_session", "max_age", "idle_timeout"}.
std::string settings_json(const session_options& s, const codec_options& c);

}  // namespace cookieseal::detail
