#include "detail/secure_buffer.hpp"

#include "detail/random.hpp"

#include <sodium.h>

#include <new>

namespace cookieseal::detail {

secure_buffer::secure_buffer(std::size_t size) : size_(size) {
  ensure_sodium();
  data_ = static_cast<unsigned char*>(sodium_malloc(size == 0 ? 1 : size));
  if (data_ == nullptr) throw std::bad_alloc();
}

secure_buffer::~secure_buffer() { sodium_free(data_); }  // wipes before unmapping

}  // namespace cookieseal::detail
