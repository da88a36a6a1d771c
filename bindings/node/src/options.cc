#include "options.h"

#include <cookieseal/cookieseal.h>

#include <string.h>

namespace cookieseal_node {

namespace {
Napi::Value member(const Napi::Object& o, const char* name) {
  return o.Has(name) ? o.Get(name) : o.Env().Undefined();
}
}  // namespace

std::optional<std::string> text_option(const Napi::Object& o, const char* name) {
  Napi::Value v = member(o, name);
  if (v.IsUndefined() || v.IsNull()) return std::nullopt;
  return bytes_of(v, name);
}

std::optional<std::int64_t> int_option(const Napi::Object& o, const char* name) {
  Napi::Value v = member(o, name);
  if (v.IsUndefined()) return std::nullopt;
  if (!v.IsNumber()) throw Napi::TypeError::New(o.Env(), std::string(name) + " must be a number");
  return v.As<Napi::Number>().Int64Value();
}

std::optional<bool> bool_option(const Napi::Object& o, const char* name) {
  Napi::Value v = member(o, name);
  if (v.IsUndefined()) return std::nullopt;
  return v.ToBoolean().Value();
}

std::string bytes_of(const Napi::Value& v, const char* what) {
  if (v.IsBuffer()) {
    auto b = v.As<Napi::Buffer<char>>();
    return std::string(b.Data(), b.Length());
  }
  if (v.IsString()) return v.As<Napi::String>().Utf8Value();
  throw Napi::TypeError::New(v.Env(), std::string(what) + " must be a string or a Buffer");
}

bool ascii_text(const char* p, std::size_t n) {
  // Every byte OR-ed, no early exit: a loop the compiler vectorises (the
  // session JSON of an open is some 600 bytes, nearly always ASCII).
  unsigned char seen = 0;
  for (std::size_t i = 0; i < n; ++i) seen |= static_cast<unsigned char>(p[i]);
  return (seen & 0x80) == 0;
}

Napi::String text_of(Napi::Env env, const char* p, std::size_t n) {
  return text_of(env, p, n, ascii_text(p, n));
}

std::string_view bytes_into(const Napi::Value& v, const char* what, char* stack,
                            std::size_t stack_size, std::string& heap) {
  if (v.IsString() && stack_size > 1) {
    std::size_t n = 0;
    const napi_status st = napi_get_value_string_utf8(v.Env(), v, stack, stack_size, &n);
    NAPI_THROW_IF_FAILED(v.Env(), st, std::string_view());
    // All of it when 4 bytes were left over: V8 writes whole characters only,
    // so a copy it had to cut can end up to 3 bytes short of the buffer.
    if (n + 4 < stack_size) return {stack, n};
    explicit_bzero(stack, n);
  }
  heap = bytes_of(v, what);
  return heap;
}

Napi::String text_of(Napi::Env env, const char* p, std::size_t n, bool ascii) {
  napi_value v = nullptr;
  napi_status st = ascii ? napi_create_string_latin1(env, p, n, &v)
                         : napi_create_string_utf8(env, p, n, &v);
  NAPI_THROW_IF_FAILED(env, st, Napi::String());
  return Napi::String(env, v);
}

library_text::~library_text() {
  if (p != nullptr) explicit_bzero(p, n);
  cookieseal_free(p);
}

void wipe(std::string& s) {
  explicit_bzero(s.data(), s.size());
  s.clear();
}

}  // namespace cookieseal_node
