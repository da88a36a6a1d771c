// Reading the option objects that lib/options.js has already checked and
// mapped to the C ABI's fields: a missing (undefined) member keeps the
// library's default, as the init macros set it.
#pragma once

#include <napi.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace cookieseal_node {

std::optional<std::string> text_option(const Napi::Object& o, const char* name);
std::optional<std::int64_t> int_option(const Napi::Object& o, const char* name);
std::optional<bool> bool_option(const Napi::Object& o, const char* name);

/// Bytes of a string or Buffer argument; strings are copied (UTF-8).
std::string bytes_of(const Napi::Value& v, const char* what);

/// The library's output text (UTF-8) as a JS string: made as Latin-1 when it is all
/// ASCII (a cookie always is), which V8 copies without decoding UTF-8.
Napi::String text_of(Napi::Env env, const char* p, std::size_t n);
/// bytes_of, in @p stack when a string's UTF-8 fits there with room to spare
/// (one V8 call, nothing allocated), else in @p heap. The caller wipes what
/// it holds.
std::string_view bytes_into(const Napi::Value& v, const char* what, char* stack,
                            std::size_t stack_size, std::string& heap);
/// text_of when whether @p p is all ASCII is known.
Napi::String text_of(Napi::Env env, const char* p, std::size_t n, bool ascii);
/// No byte of @p p has its high bit set (then a byte's index is its JS string index).
bool ascii_text(const char* p, std::size_t n);

/// Zeroes @p s in a way the compiler keeps (for key text).
void wipe(std::string& s);

/// A string argument that is plaintext or a credential (session JSON, a
/// Cookie header): wiped however the scope ends.
struct wiped_string {
  std::string s;
  explicit wiped_string(std::string v) : s(std::move(v)) {}
  wiped_string(const wiped_string&) = delete;
  wiped_string& operator=(const wiped_string&) = delete;
  ~wiped_string() { wipe(s); }
};

/// A library output of @p n bytes (session JSON, a cookie, headers with one):
/// wiped and freed however the scope ends, also when making its JS string
/// throws.
class library_text {
 public:
  library_text() = default;
  library_text(char* p, std::size_t n) noexcept : p(p), n(n) {}
  library_text(const library_text&) = delete;
  library_text& operator=(const library_text&) = delete;
  ~library_text();
  char* p = nullptr;
  std::size_t n = 0;
};

}  // namespace cookieseal_node
