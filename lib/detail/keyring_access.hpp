// The library's private door to key bytes; never part of the public API.
#pragma once

#include <cookieseal/keyring.hpp>

#include "detail/secure_buffer.hpp"

#include <cstdint>
#include <stdexcept>

namespace cookieseal::detail {

/// What keyring's one validation throws for an id used twice; the file parser
/// catches it to name the line.
struct duplicate_key_id : std::invalid_argument {
  explicit duplicate_key_id(std::uint32_t key_id);
  std::uint32_t id;
};

struct keyring_access {
  /// The key with @p id and its bytes, or {nullptr, nullptr}. O(1).
  struct found {
    const key_info* info;
    const unsigned char* bytes;
  };
  static found find(const keyring& k, std::uint32_t id) noexcept {
    auto it = k.index_.find(id);
    if (it == k.index_.end()) return {nullptr, nullptr};
    return {&k.infos_[it->second], k.secrets_->data() + std::size_t{it->second} * key_bytes};
  }
  /// Bytes of a key_info that belongs to @p k (from find or sealing_key).
  static const unsigned char* bytes_of(const keyring& k, const key_info* info) noexcept {
    const auto pos = static_cast<std::size_t>(info - k.infos_.data());
    return k.secrets_->data() + pos * key_bytes;
  }
};

}  // namespace cookieseal::detail
