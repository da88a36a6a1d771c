#include "detail/base64url.hpp"

#include <array>
#include <cstdint>

namespace cookieseal::detail {

namespace {
constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::uint8_t invalid = 0xFF;

constexpr std::array<std::uint8_t, 256> make_decode_table() {
  std::array<std::uint8_t, 256> t{};
  for (auto& v : t) v = invalid;
  for (std::uint8_t i = 0; i < 64; ++i) t[static_cast<unsigned char>(alphabet[i])] = i;
  return t;
}
constexpr auto decode_table = make_decode_table();
}  // namespace

void base64url_encode(const unsigned char* in, std::size_t n, char* out) noexcept {
  std::size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    const std::uint32_t v = std::uint32_t{in[i]} << 16 | std::uint32_t{in[i + 1]} << 8 | in[i + 2];
    *out++ = alphabet[v >> 18];
    *out++ = alphabet[(v >> 12) & 63];
    *out++ = alphabet[(v >> 6) & 63];
    *out++ = alphabet[v & 63];
  }
  if (n - i == 1) {
    const std::uint32_t v = std::uint32_t{in[i]} << 16;
    *out++ = alphabet[v >> 18];
    *out++ = alphabet[(v >> 12) & 63];
  } else if (n - i == 2) {
    const std::uint32_t v = std::uint32_t{in[i]} << 16 | std::uint32_t{in[i + 1]} << 8;
    *out++ = alphabet[v >> 18];
    *out++ = alphabet[(v >> 12) & 63];
    *out++ = alphabet[(v >> 6) & 63];
  }
}

bool base64url_decode(std::string_view in, unsigned char* out) noexcept {
  const std::size_t n = in.size();
  if (n % 4 == 1) return false;
  const auto* s = reinterpret_cast<const unsigned char*>(in.data());
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const std::uint32_t a = decode_table[s[i]], b = decode_table[s[i + 1]],
                        c = decode_table[s[i + 2]], d = decode_table[s[i + 3]];
    if ((a | b | c | d) & 0x80) return false;
    const std::uint32_t v = a << 18 | b << 12 | c << 6 | d;
    *out++ = static_cast<unsigned char>(v >> 16);
    *out++ = static_cast<unsigned char>(v >> 8);
    *out++ = static_cast<unsigned char>(v);
  }
  const std::size_t rest = n - i;
  if (rest == 0) return true;
  const std::uint32_t a = decode_table[s[i]], b = decode_table[s[i + 1]];
  const std::uint32_t c = rest == 3 ? decode_table[s[i + 2]] : 0;
  if ((a | b | c) & 0x80) return false;
  const std::uint32_t v = a << 18 | b << 12 | c << 6;
  if (rest == 2) {
    if (v & 0xFFFF) return false;  // non-canonical: bits past the last byte must be zero
    *out = static_cast<unsigned char>(v >> 16);
  } else {
    if (v & 0xFF) return false;
    *out++ = static_cast<unsigned char>(v >> 16);
    *out = static_cast<unsigned char>(v >> 8);
  }
  return true;
}

}  // namespace cookieseal::detail
