/// @file detail/compact_archive.hpp
/// The compact cereal archives that encode payloads and user objects
/// (docs/FORMAT.md). The wire encoding, not an API: use put_object/get_object
/// (cookieseal/cereal.hpp). Public only because those templates need it.
#pragma once

#include <cookieseal/detail/wipe.hpp>

#include <cereal/cereal.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/vector.hpp>

#include <bit>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <type_traits>
#include <utility>

namespace cookieseal::detail {

/**
 * cereal output archive with the compact encoding of docs/FORMAT.md:
 * integers wider than a byte as LEB128 varints (signed ones zig-zag first),
 * one-byte types and bool as one raw byte, sizes as varints, float and double
 * as 4 / 8 bytes little-endian, names dropped.
 */
class compact_output_archive
    : public cereal::OutputArchive<compact_output_archive, cereal::AllowEmptyClassElision> {
 public:
  /// Appends to @p out.
  explicit compact_output_archive(wiped_bytes& out)
      : cereal::OutputArchive<compact_output_archive, cereal::AllowEmptyClassElision>(this),
        out_(out) {}

  void write_bytes(const void* data, std::size_t n) {
    const auto* p = static_cast<const std::byte*>(data);
    out_.insert(out_.end(), p, p + n);
  }
  void write_byte(std::uint8_t b) { out_.push_back(static_cast<std::byte>(b)); }
  /// Unsigned LEB128, minimal.
  void write_varint(std::uint64_t v) {
    while (v >= 0x80) {
      write_byte(static_cast<std::uint8_t>(v | 0x80));
      v >>= 7;
    }
    write_byte(static_cast<std::uint8_t>(v));
  }

 private:
  wiped_bytes& out_;
};

/**
 * cereal input archive for compact_output_archive's bytes. Every read is
 * bounded by the bytes left: a size tag larger than the bytes left, a
 * non-minimal varint, an out-of-range integer or a bool other than 0/1 throws
 * cereal::Exception before anything is allocated.
 */
class compact_input_archive
    : public cereal::InputArchive<compact_input_archive, cereal::AllowEmptyClassElision> {
 public:
  explicit compact_input_archive(std::span<const std::byte> in)
      : cereal::InputArchive<compact_input_archive, cereal::AllowEmptyClassElision>(this),
        p_(in.data()),
        end_(in.data() + in.size()) {}

  /// Bytes not yet read.
  [[nodiscard]] std::size_t remaining() const noexcept {
    return static_cast<std::size_t>(end_ - p_);
  }

  void read_bytes(void* data, std::size_t n) {
    if (n > remaining()) throw cereal::Exception("cookieseal: read past the end of the payload");
    if (n != 0) std::memcpy(data, p_, n);
    p_ += n;
  }
  /// The next @p n bytes, without copying them.
  std::span<const std::byte> take(std::size_t n) {
    if (n > remaining()) throw cereal::Exception("cookieseal: read past the end of the payload");
    const std::span<const std::byte> out(p_, n);
    p_ += n;
    return out;
  }
  std::uint8_t read_byte() {
    if (p_ == end_) throw cereal::Exception("cookieseal: read past the end of the payload");
    return std::to_integer<std::uint8_t>(*p_++);
  }
  /// Unsigned LEB128; rejects non-minimal encodings and values over 64 bits.
  std::uint64_t read_varint() {
    std::uint64_t v = 0;
    for (unsigned shift = 0;; shift += 7) {
      const std::uint8_t b = read_byte();
      if (shift == 63 && b > 1) throw cereal::Exception("cookieseal: varint overflows 64 bits");
      v |= static_cast<std::uint64_t>(b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        if (b == 0 && shift != 0) throw cereal::Exception("cookieseal: non-minimal varint");
        return v;
      }
    }
  }
  /// A size that must not exceed the bytes left (every element takes at least one byte).
  std::size_t read_size() {
    const std::uint64_t n = read_varint();
    if (n > remaining()) throw cereal::Exception("cookieseal: size exceeds the payload");
    return static_cast<std::size_t>(n);
  }

  /// Nesting guard for recursive types; throws past @p limit levels.
  void enter(std::size_t limit) {
    if (++depth_ > limit) throw cereal::Exception("cookieseal: nesting too deep");
  }
  void leave() noexcept { --depth_; }

 private:
  const std::byte* p_;
  const std::byte* end_;
  std::size_t depth_ = 0;
};

template <class T>
concept one_byte_pointee = sizeof(std::remove_pointer_t<std::remove_cvref_t<T>>) == 1;

// --- integers, bool, floating point ------------------------------------------

template <std::integral T>
void CEREAL_SAVE_FUNCTION_NAME(compact_output_archive& ar, const T& t) {
  if constexpr (std::same_as<T, bool>) {
    ar.write_byte(t ? 1 : 0);
  } else if constexpr (sizeof(T) == 1) {
    ar.write_byte(static_cast<std::uint8_t>(t));
  } else if constexpr (std::is_signed_v<T>) {
    const auto v = static_cast<std::int64_t>(t);
    ar.write_varint((static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63));
  } else {
    ar.write_varint(static_cast<std::uint64_t>(t));
  }
}

template <std::integral T>
void CEREAL_LOAD_FUNCTION_NAME(compact_input_archive& ar, T& t) {
  if constexpr (std::same_as<T, bool>) {
    const std::uint8_t b = ar.read_byte();
    if (b > 1) throw cereal::Exception("cookieseal: bool is neither 0 nor 1");
    t = b == 1;
  } else if constexpr (sizeof(T) == 1) {
    t = static_cast<T>(ar.read_byte());
  } else if constexpr (std::is_signed_v<T>) {
    const std::uint64_t u = ar.read_varint();
    const auto v = static_cast<std::int64_t>(u >> 1) ^ -static_cast<std::int64_t>(u & 1);
    if (!std::in_range<T>(v)) throw cereal::Exception("cookieseal: integer out of range");
    t = static_cast<T>(v);
  } else {
    const std::uint64_t u = ar.read_varint();
    if (!std::in_range<T>(u)) throw cereal::Exception("cookieseal: integer out of range");
    t = static_cast<T>(u);
  }
}

template <std::floating_point T>
requires(sizeof(T) == 4 ||
         sizeof(T) == 8) void CEREAL_SAVE_FUNCTION_NAME(compact_output_archive& ar, const T& t) {
  using U = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
  auto u = std::bit_cast<U>(t);
  std::uint8_t le[sizeof(T)];
  for (std::size_t i = 0; i < sizeof(T); ++i, u >>= 8) le[i] = static_cast<std::uint8_t>(u);
  ar.write_bytes(le, sizeof(T));
}

template <std::floating_point T>
requires(sizeof(T) == 4 || sizeof(T) == 8) void CEREAL_LOAD_FUNCTION_NAME(compact_input_archive& ar,
                                                                          T& t) {
  using U = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
  std::uint8_t le[sizeof(T)];
  ar.read_bytes(le, sizeof(T));
  U u = 0;
  for (std::size_t i = sizeof(T); i-- > 0;) u = static_cast<U>((u << 8) | le[i]);
  t = std::bit_cast<T>(u);
}

// --- cereal's wrappers: names dropped, sizes as varints, raw bytes ----------

template <class Archive, class T>
CEREAL_ARCHIVE_RESTRICT(compact_input_archive, compact_output_archive)
CEREAL_SERIALIZE_FUNCTION_NAME(Archive& ar, cereal::NameValuePair<T>& t) {
  ar(t.value);
}

template <class T>
void CEREAL_SAVE_FUNCTION_NAME(compact_output_archive& ar, const cereal::SizeTag<T>& t) {
  ar.write_varint(static_cast<std::uint64_t>(t.size));
}

template <class T>
void CEREAL_LOAD_FUNCTION_NAME(compact_input_archive& ar, cereal::SizeTag<T>& t) {
  t.size = static_cast<std::remove_reference_t<decltype(t.size)>>(ar.read_size());
}

// Only one-byte element types go through as raw bytes, so containers of wider
// numbers fall back to cereal's element-wise path and stay varint-compact.
template <one_byte_pointee T>
void CEREAL_SAVE_FUNCTION_NAME(compact_output_archive& ar, const cereal::BinaryData<T>& bd) {
  ar.write_bytes(bd.data, static_cast<std::size_t>(bd.size));
}

template <one_byte_pointee T>
void CEREAL_LOAD_FUNCTION_NAME(compact_input_archive& ar, cereal::BinaryData<T>& bd) {
  ar.read_bytes(bd.data, static_cast<std::size_t>(bd.size));
}

}  // namespace cookieseal::detail

CEREAL_REGISTER_ARCHIVE(cookieseal::detail::compact_output_archive)
CEREAL_REGISTER_ARCHIVE(cookieseal::detail::compact_input_archive)
CEREAL_SETUP_ARCHIVE_TRAITS(cookieseal::detail::compact_input_archive,
                            cookieseal::detail::compact_output_archive)
