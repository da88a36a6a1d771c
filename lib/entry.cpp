#include "detail/entry.hpp"

#include "detail/random.hpp"

#include <sodium.h>

#include <cstring>
#include <stdexcept>
#include <string_view>

namespace cookieseal::detail {

namespace {

constexpr std::string_view entry_ad_prefix = "cookieseal entry v1";
static_assert(entry_overhead == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES +
                                    crypto_aead_xchacha20poly1305_ietf_ABYTES);

std::array<unsigned char, entry_ad_prefix.size() + 32> entry_ad(const entry_id& id) {
  std::array<unsigned char, entry_ad_prefix.size() + 32> ad;
  std::memcpy(ad.data(), entry_ad_prefix.data(), entry_ad_prefix.size());
  std::memcpy(ad.data() + entry_ad_prefix.size(), id.data(), id.size());
  return ad;
}

const unsigned char* u8(const std::byte* p) { return reinterpret_cast<const unsigned char*>(p); }

}  // namespace

std::vector<std::byte> seal_entry(const std::array<std::byte, 32>& key, const entry_id& id,
                                  std::span<const std::byte> record) {
  std::vector<std::byte> out(entry_overhead + record.size());
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  random_fill(std::span(out).first(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES));
  const auto ad = entry_ad(id);
  unsigned long long n = 0;
  if (crypto_aead_xchacha20poly1305_ietf_encrypt(o + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
                                                 &n, u8(record.data()), record.size(), ad.data(),
                                                 ad.size(), nullptr, o, u8(key.data())) != 0)
    throw std::runtime_error("cookieseal: AEAD encryption failed");
  return out;
}

bool open_entry(const std::array<std::byte, 32>& key, const entry_id& id,
                std::span<const std::byte> sealed, wiped_bytes& out) {
  if (sealed.size() < entry_overhead) return false;
  out.resize(sealed.size() - entry_overhead);
  const auto ad = entry_ad(id);
  unsigned long long n = 0;
  const auto* s = u8(sealed.data());
  return crypto_aead_xchacha20poly1305_ietf_decrypt(
             reinterpret_cast<unsigned char*>(out.data()), &n, nullptr,
             s + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
             sealed.size() - crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, ad.data(), ad.size(), s,
             u8(key.data())) == 0 &&
         n == out.size();
}

}  // namespace cookieseal::detail
