#include "detail/envelope.hpp"

#include "detail/base64url.hpp"
#include "detail/random.hpp"
#include "detail/wire_numbers.hpp"

#include <sodium.h>

#include <cstring>
#include <memory>
#include <stdexcept>

namespace cookieseal::detail {

static_assert(nonce_bytes == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
static_assert(tag_bytes == crypto_aead_xchacha20poly1305_ietf_ABYTES);

namespace {

// Associated data: header || u8 len(name) || name || u8 len(purpose) || purpose.
// Name is 1..255 bytes and purpose 0..255 (checked by the codec), so 557 bytes at most.
constexpr std::size_t max_ad_bytes = header_bytes + 1 + 255 + 1 + 255;

std::size_t make_ad(const unsigned char* header, std::string_view name, std::string_view purpose,
                    unsigned char* ad) noexcept {
  std::memcpy(ad, header, header_bytes);
  std::size_t n = header_bytes;
  ad[n++] = static_cast<unsigned char>(name.size());
  std::memcpy(ad + n, name.data(), name.size());
  n += name.size();
  ad[n++] = static_cast<unsigned char>(purpose.size());
  if (!purpose.empty()) std::memcpy(ad + n, purpose.data(), purpose.size());
  return n + purpose.size();
}

void write_header(const envelope_header& h, unsigned char* out) noexcept {
  out[0] = envelope_version;
  put_be(out + 1, h.key_id, 4);
  put_be(out + 5, h.issued_at, 8);
  put_be(out + 13, h.expires_at, 8);
  std::memcpy(out + 21, h.iv.data(), nonce_bytes);
}

}  // namespace

std::size_t sealed_size(std::size_t plaintext_bytes) noexcept {
  return base64url_encoded_size(envelope_overhead + plaintext_bytes);
}

std::size_t max_decoded_bytes(std::size_t max_chars) noexcept { return max_chars / 4 * 3 + 2; }

nonce random_nonce() {
  nonce n;
  random_fill(std::as_writable_bytes(std::span(n)));
  return n;
}

std::string seal_envelope(const unsigned char* key, const envelope_header& h, std::string_view name,
                          std::string_view purpose, std::span<const std::byte> plaintext) {
  const std::size_t raw_size = envelope_overhead + plaintext.size();
  // Small cookies stay on the stack; larger plaintexts (bounded by the caller) go to the heap.
  unsigned char stack_buf[4096];
  std::unique_ptr<unsigned char[]> heap_buf;
  unsigned char* raw = stack_buf;
  if (raw_size > sizeof stack_buf) {
    heap_buf = std::make_unique<unsigned char[]>(raw_size);
    raw = heap_buf.get();
  }
  write_header(h, raw);
  unsigned char ad[max_ad_bytes];
  const std::size_t ad_size = make_ad(raw, name, purpose, ad);
  unsigned long long ct_len = 0;
  if (crypto_aead_xchacha20poly1305_ietf_encrypt(
          raw + header_bytes, &ct_len, reinterpret_cast<const unsigned char*>(plaintext.data()),
          plaintext.size(), ad, ad_size, nullptr, h.iv.data(), key) != 0 ||
      ct_len != plaintext.size() + tag_bytes) {
    throw std::runtime_error("cookieseal: AEAD encryption failed");
  }
  std::string out(base64url_encoded_size(raw_size), '\0');
  base64url_encode(raw, raw_size, out.data());
  return out;
}

result<parsed_envelope> parse_envelope(std::string_view cookie, std::span<unsigned char> buf) {
  const auto decoded = base64url_decoded_size(cookie.size());
  if (!decoded || *decoded < envelope_overhead || *decoded > buf.size()) return errc::malformed;
  if (!base64url_decode(cookie, buf.data())) return errc::malformed;
  const unsigned char* p = buf.data();
  if (p[0] != envelope_version) return errc::unsupported_version;
  parsed_envelope e;
  e.header.key_id = static_cast<std::uint32_t>(get_be(p + 1, 4));
  e.header.issued_at = get_be(p + 5, 8);
  e.header.expires_at = get_be(p + 13, 8);
  std::memcpy(e.header.iv.data(), p + 21, nonce_bytes);
  e.raw = buf.first(*decoded);
  return e;
}

bool open_envelope(const unsigned char* key, const parsed_envelope& e, std::string_view name,
                   std::string_view purpose, unsigned char* out) noexcept {
  unsigned char ad[max_ad_bytes];
  const std::size_t ad_size = make_ad(e.raw.data(), name, purpose, ad);
  unsigned long long pt_len = 0;
  return crypto_aead_xchacha20poly1305_ietf_decrypt(
             out, &pt_len, nullptr, e.raw.data() + header_bytes, e.raw.size() - header_bytes, ad,
             ad_size, e.header.iv.data(), key) == 0 &&
         pt_len == e.plaintext_bytes();
}

}  // namespace cookieseal::detail
