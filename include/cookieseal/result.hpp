/// @file result.hpp
/// result<T>: a value or an errc, spelled like a subset of std::expected
/// (which this toolchain lacks in C++20), so that migrating later is a rename.
#pragma once

#include <cookieseal/error.hpp>
#include <cookieseal/export.hpp>

#include <stdexcept>
#include <type_traits>
#include <utility>
#include <variant>

namespace cookieseal {

/// Thrown by result<T>::value() when the result holds an error.
class bad_result_access : public std::logic_error {
 public:
  explicit bad_result_access(errc e)
      : std::logic_error("cookieseal: value() called on a result holding an error"), error_(e) {}
  /// The error the result held.
  [[nodiscard]] errc error() const noexcept { return error_; }

 private:
  errc error_;
};

/// Tag type to construct a result holding an error: `return unexpected{errc::expired};`.
struct unexpected {
  errc error;  ///< the error to hold
};

/**
 * A value of type T, or an errc saying why there is none.
 *
 * Unlike std::expected, error() on a result holding a value returns errc{} (0,
 * which names no error) instead of being undefined, so tests can compare freely.
 */
template <class T>
class [[nodiscard]] result {
  static_assert(!std::is_reference_v<T>, "result<T&> is not supported");

 public:
  using value_type = T;

  result(const T& v) : v_(std::in_place_index<0>, v) {}        // NOLINT: implicit, as expected
  result(T&& v) : v_(std::in_place_index<0>, std::move(v)) {}  // NOLINT
  result(unexpected u) noexcept : v_(std::in_place_index<1>, u.error) {}  // NOLINT
  result(errc e) noexcept : v_(std::in_place_index<1>, e) {}              // NOLINT

  /// True when a value is held.
  [[nodiscard]] bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  /// The value; throws bad_result_access when an error is held.
  [[nodiscard]] T& value() & {
    check();
    return std::get<0>(v_);
  }
  [[nodiscard]] const T& value() const& {
    check();
    return std::get<0>(v_);
  }
  [[nodiscard]] T&& value() && {
    check();
    return std::get<0>(std::move(v_));
  }

  /// The value or @p fallback.
  template <class U>
  [[nodiscard]] T value_or(U&& fallback) const& {
    return has_value() ? std::get<0>(v_) : static_cast<T>(std::forward<U>(fallback));
  }

  /// The error, or errc{} (0) when a value is held.
  [[nodiscard]] errc error() const noexcept { return has_value() ? errc{} : *std::get_if<1>(&v_); }

  /// Unchecked access, as std::expected: only after has_value().
  [[nodiscard]] T& operator*() & noexcept { return *std::get_if<0>(&v_); }
  [[nodiscard]] const T& operator*() const& noexcept { return *std::get_if<0>(&v_); }
  [[nodiscard]] T&& operator*() && noexcept { return std::move(*std::get_if<0>(&v_)); }
  [[nodiscard]] T* operator->() noexcept { return std::get_if<0>(&v_); }
  [[nodiscard]] const T* operator->() const noexcept { return std::get_if<0>(&v_); }

 private:
  void check() const {
    if (!has_value()) throw bad_result_access(*std::get_if<1>(&v_));
  }
  std::variant<T, errc> v_;
};

/// result<void>: success, or an errc.
template <>
class [[nodiscard]] result<void> {
 public:
  using value_type = void;

  result() noexcept = default;
  result(unexpected u) noexcept : error_(u.error) {}  // NOLINT
  result(errc e) noexcept : error_(e) {}              // NOLINT

  [[nodiscard]] bool has_value() const noexcept { return error_ == errc{}; }
  explicit operator bool() const noexcept { return has_value(); }
  /// Throws bad_result_access when an error is held.
  void value() const {
    if (!has_value()) throw bad_result_access(error_);
  }
  [[nodiscard]] errc error() const noexcept { return error_; }

 private:
  errc error_{};
};

}  // namespace cookieseal
