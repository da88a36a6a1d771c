// JSON <-> session values for the CLI (nlohmann-json).
#pragma once

#include <cookieseal/codec.hpp>
#include <cookieseal/session.hpp>

#include <nlohmann/json.hpp>

namespace cli {

/**
 * JSON -> value: integers become int (an integer outside int64 is an error),
 * other numbers double; {"$bytes": "<base64url>"} becomes bytes and
 * {"$object": NAME, "$bytes": ...} a user object. @throws usage_error
 */
cookieseal::value value_from_json(const nlohmann::json& j, std::size_t depth = 0);

/// value -> JSON, the inverse of value_from_json.
nlohmann::json value_to_json(const cookieseal::value& v);

/// A JSON object -> a value map. @throws usage_error when @p j is not an object.
cookieseal::value::map map_from_json(const nlohmann::json& j, const char* what);

/// The `open` output: values, constants, flashes, meta.
nlohmann::json opened_to_json(const cookieseal::opened& o);

}  // namespace cli
