/// @file detail/wipe.hpp
/// Memory hygiene for buffers that held secrets or plaintext. Not an API:
/// public only for the templates of cereal.hpp and keyring_file.hpp's secret_string.
#pragma once

#include <cookieseal/export.hpp>

#include <cstddef>
#include <memory>
#include <vector>

namespace cookieseal::detail {

/// Overwrites @p n bytes at @p p with zeros in a way the compiler cannot elide (sodium_memzero).
COOKIESEAL_API void wipe(void* p, std::size_t n) noexcept;

/// An allocator that wipes memory before giving it back, so buffers that held
/// plaintext leave no copy behind when they grow or die.
template <class T>
struct wiping_allocator {
  using value_type = T;
  wiping_allocator() noexcept = default;
  template <class U>
  wiping_allocator(const wiping_allocator<U>&) noexcept {}  // NOLINT: rebinding
  T* allocate(std::size_t n) { return std::allocator<T>{}.allocate(n); }
  void deallocate(T* p, std::size_t n) noexcept {
    wipe(p, n * sizeof(T));
    std::allocator<T>{}.deallocate(p, n);
  }
  template <class U>
  bool operator==(const wiping_allocator<U>&) const noexcept {
    return true;
  }
};

/// A byte buffer that is wiped whenever it reallocates or is destroyed.
using wiped_bytes = std::vector<std::byte, wiping_allocator<std::byte>>;

}  // namespace cookieseal::detail
