// Reading the option objects that lib/options.js has already checked and
// mapped to the C ABI's fields: a missing (undefined) member keeps the
// library's default, as the init macros set it.
#pragma once

#include <napi.h>

#include <cstdint>
#include <optional>
#include <string>

namespace cookieseal_node {

std::optional<std::string> text_option(const Napi::Object& o, const char* name);
std::optional<std::int64_t> int_option(const Napi::Object& o, const char* name);
std::optional<bool> bool_option(const Napi::Object& o, const char* name);

/// Bytes of a string or Buffer argument; strings are copied (UTF-8).
std::string bytes_of(const Napi::Value& v, const char* what);

/// Zeroes @p s in a way the compiler keeps (for key text).
void wipe(std::string& s);

}  // namespace cookieseal_node
