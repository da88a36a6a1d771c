/// @file cereal.hpp
/// Optional: store your own cereal-serializable types in a session, encoded
/// with cookieseal's compact archive (detail/compact_archive.hpp). The only
/// public header that includes cereal.
///
/// @code
///   struct cart { std::vector<std::int64_t> items; template <class A> void serialize(A& a) {
///   a(items); } }; cookieseal::put_object(s, "cart", "shop.cart.v1", my_cart); std::optional<cart>
///   c = cookieseal::get_object<cart>(s, "cart", "shop.cart.v1");
/// @endcode
///
/// The type name is yours to choose; change it when the type's layout changes
/// and old cookies then read as nullopt instead of as garbage.
#pragma once

#include <cookieseal/detail/compact_archive.hpp>
#include <cookieseal/export.hpp>
#include <cookieseal/session.hpp>

#include <bit>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <memory>
#include <new>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace cookieseal {

// --- user objects in sessions ------------------------------------------------

/// Serializes @p obj with the compact archive into a value of kind object.
template <class T>
[[nodiscard]] value make_object(std::string type_name, const T& obj) {
  detail::wiped_bytes buf;
  {
    detail::compact_output_archive ar(buf);
    ar(obj);
  }
  return value(value::object{std::move(type_name), value::bytes(buf.begin(), buf.end())});
}

/**
 * Reads back a T stored by make_object under @p type_name. A value of another
 * kind, another type name, or bytes that do not parse as a T (including
 * trailing bytes) give nullopt; this never throws on bad data.
 */
template <class T>
[[nodiscard]] std::optional<T> read_object(const value& v, std::string_view type_name) {
  const auto* o = v.get_if<value::object>();
  if (!o || o->type_name != type_name) return std::nullopt;
  try {
    detail::compact_input_archive ar(o->data);
    T t{};
    ar(t);
    if (ar.remaining() != 0) return std::nullopt;
    return t;
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

/// Stores @p obj in @p s under @p key as a user object named @p type_name.
template <class T>
void put_object(session& s, std::string_view key, std::string type_name, const T& obj) {
  s.set(key, make_object(std::move(type_name), obj));
}

/// The T stored under @p key with @p type_name, or nullopt (absent, other name, unreadable).
template <class T>
[[nodiscard]] std::optional<T> get_object(const session& s, std::string_view key,
                                          std::string_view type_name) {
  const value* v = s.find(key);
  if (!v) return std::nullopt;
  return read_object<T>(*v, type_name);
}

}  // namespace cookieseal
