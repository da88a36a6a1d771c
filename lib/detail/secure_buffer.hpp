// Bytes in sodium_malloc'd memory: guard pages, mlock where allowed, wiped on free.
// For long-lived secrets only (3-4 pages each); per-request buffers use sodium_memzero.
#pragma once

#include <cstddef>

namespace cookieseal::detail {

class secure_buffer {
 public:
  /// Allocates @p size bytes (at least 1); throws std::bad_alloc on failure.
  explicit secure_buffer(std::size_t size);
  ~secure_buffer();
  secure_buffer(const secure_buffer&) = delete;
  secure_buffer& operator=(const secure_buffer&) = delete;

  [[nodiscard]] unsigned char* data() noexcept { return data_; }
  [[nodiscard]] const unsigned char* data() const noexcept { return data_; }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }

 private:
  unsigned char* data_;
  std::size_t size_;
};

}  // namespace cookieseal::detail
