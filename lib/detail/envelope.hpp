// Envelope v1: version | key id | issued_at | expires_at | nonce | AEAD(ciphertext+tag),
// with name and purpose bound as associated data. Knows nothing of sessions.
#pragma once

#include <cookieseal/result.hpp>

#include "detail/wire_numbers.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace cookieseal::detail {

inline constexpr std::uint8_t envelope_version = 1;
inline constexpr std::size_t nonce_bytes = 24;
inline constexpr std::size_t header_bytes = 1 + 4 + 8 + 8 + nonce_bytes;  // 45
inline constexpr std::size_t tag_bytes = 16;
inline constexpr std::size_t envelope_overhead = header_bytes + tag_bytes;  // 61

using nonce = std::array<unsigned char, nonce_bytes>;

struct envelope_header {
  std::uint32_t key_id = 0;
  std::uint64_t issued_at = 0;   // unix seconds
  std::uint64_t expires_at = 0;  // unix seconds, or unix_never (max_age and idle timeout both off)
  nonce iv{};
};

/// Length of the cookie value for a plaintext of @p plaintext_bytes.
std::size_t sealed_size(std::size_t plaintext_bytes) noexcept;

/**
 * Encrypts @p plaintext under @p key with header @p h (whose nonce must be
 * fresh: draw it with random_nonce()) and returns the base64url cookie value.
 */
std::string seal_envelope(const unsigned char* key, const envelope_header& h, std::string_view name,
                          std::string_view purpose, std::span<const std::byte> plaintext);

/// A fresh random nonce.
nonce random_nonce();

/// A decoded cookie value, header parsed, not yet authenticated.
struct parsed_envelope {
  envelope_header header;
  std::span<const unsigned char> raw;  // header bytes followed by ciphertext
  std::size_t plaintext_bytes() const noexcept { return raw.size() - envelope_overhead; }
};

/// The largest decoded envelope a cookie of @p max_chars characters can hold.
std::size_t max_decoded_bytes(std::size_t max_chars) noexcept;

/**
 * Base64url-decodes @p cookie into @p buf and parses the header, without any
 * crypto. errc::malformed (bad text, too short, buffer too small),
 * errc::unsupported_version.
 */
result<parsed_envelope> parse_envelope(std::string_view cookie, std::span<unsigned char> buf);

/// Authenticates and decrypts into @p out (plaintext_bytes() long); false on failure.
[[nodiscard]] bool open_envelope(const unsigned char* key, const parsed_envelope& e,
                                 std::string_view name, std::string_view purpose,
                                 unsigned char* out) noexcept;

}  // namespace cookieseal::detail
