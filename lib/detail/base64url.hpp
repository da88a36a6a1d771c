// Strict, table-driven base64url without padding (RFC 4648 section 5).
// Not constant-time: use it for ciphertext (cookie values), never for keys.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace cookieseal::detail {

/// Characters needed for @p n bytes: ceil(4n/3).
constexpr std::size_t base64url_encoded_size(std::size_t n) noexcept { return (n * 4 + 2) / 3; }

/// Bytes a valid text of @p chars characters decodes to; nullopt when no such text exists.
constexpr std::optional<std::size_t> base64url_decoded_size(std::size_t chars) noexcept {
  if (chars % 4 == 1) return std::nullopt;
  return chars / 4 * 3 + (chars % 4 == 0 ? 0 : chars % 4 - 1);
}

/// Writes base64url_encoded_size(n) characters to @p out.
void base64url_encode(const unsigned char* in, std::size_t n, char* out) noexcept;

/**
 * Decodes @p in into @p out (base64url_decoded_size(in.size()) bytes).
 * Refuses padding, whitespace, the standard alphabet's + and /, an impossible
 * length and non-zero trailing bits, so each byte string has exactly one text.
 */
[[nodiscard]] bool base64url_decode(std::string_view in, unsigned char* out) noexcept;

}  // namespace cookieseal::detail
