#include <cookieseal/clock.hpp>

namespace cookieseal {

time_point system_now() noexcept {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

}  // namespace cookieseal
