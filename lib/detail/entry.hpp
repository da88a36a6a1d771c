// Overflow store entries: the inline record sealed with a fresh random key
// that travels only inside the cookie's reference, bound to the entry id:
//   entry = nonce (24) || XChaCha20-Poly1305(entry key, nonce, record,
//                                             ad = "cookieseal entry v1" || entry id)
#pragma once

#include <cookieseal/detail/wipe.hpp>
#include <cookieseal/store.hpp>

#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <vector>

namespace cookieseal::detail {

inline constexpr std::size_t entry_overhead = 24 + 16;

/// Seals @p record for entry @p id under @p key.
std::vector<std::byte> seal_entry(const std::array<std::byte, 32>& key, const entry_id& id,
                                  std::span<const std::byte> record);

/// Opens an entry into @p out; false when it fails authentication (wrong key, id or bytes).
[[nodiscard]] bool open_entry(const std::array<std::byte, 32>& key, const entry_id& id,
                              std::span<const std::byte> sealed, wiped_bytes& out);

}  // namespace cookieseal::detail
