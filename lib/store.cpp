// store.hpp's functions: one way to turn "DIR or URL" into a store (for the
// CLI, the C ABI and apps), and the stores' diagnostic choke point.
#include <cookieseal/store.hpp>

#include <cookieseal/file_store.hpp>
#if COOKIESEAL_HAVE_REDIS
#include <cookieseal/redis_store.hpp>
#endif

#include <cxxabi.h>

namespace cookieseal {

namespace detail {

void call_diagnostic(const diagnostic_function& f, std::string_view message) {
  if (f) try {
      f(message);
    } catch (const abi::__forced_unwind&) {
      throw;  // swallowing a cancellation aborts the process
    } catch (...) {
    }
}

}  // namespace detail

std::string redact_store_url(std::string_view where) {
  if (!is_redis_url(where)) return std::string(where);
  const auto scheme_end = where.find("://") + 3;
  const auto at = where.rfind('@');
  if (at == std::string_view::npos || at < scheme_end) return std::string(where);
  return std::string(where.substr(0, scheme_end)) + "***" + std::string(where.substr(at));
}

bool is_redis_url(std::string_view where) noexcept {
  for (std::string_view scheme :
       {"redis://", "rediss://", "redis+sentinel://", "redis+cluster://", "unix://"})
    if (where.substr(0, scheme.size()) == scheme) return true;
  return false;
}

std::shared_ptr<store> open_store(std::string_view where, std::chrono::milliseconds io_timeout) {
  if (is_redis_url(where)) {
#if COOKIESEAL_HAVE_REDIS
    redis_options o;
    o.url = std::string(where);
    o.connect_timeout = io_timeout;
    o.io_timeout = io_timeout;
    return std::make_shared<redis_store>(std::move(o));
#else
    (void)io_timeout;
    throw store_url_error(
        "cookieseal: this build has no Redis support (built without hiredis: -Dredis=enabled)");
#endif
  }
  if (where.empty()) throw config_error("cookieseal: an empty store path");
  return std::make_shared<file_store>(std::filesystem::path(where));
}

}  // namespace cookieseal
