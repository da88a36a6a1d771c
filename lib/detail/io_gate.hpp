// Calls that must not block: an event loop (the Node.js addon) runs a request
// on its own thread when the request needs no store and no keyring file, and
// hands it to a worker thread only when it does. While a no_io_scope is open
// on a thread, every store call made through a gated_store, and the codec's
// look at the keyring file for a missing key, is refused instead of made
// (io_refused()), and the scope remembers that it was: the caller then throws
// the call's result away and makes the call again where blocking is fine.
// Nothing a refused call did may be kept (session_registry::save_all commits
// nothing once a refusal happened).
#pragma once

#include <cookieseal/store.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <string_view>

namespace cookieseal::detail {

/// Forbids store and keyring-file I/O on this thread while it lives (nests).
class no_io_scope {
 public:
  no_io_scope() noexcept;
  ~no_io_scope();
  no_io_scope(const no_io_scope&) = delete;
  no_io_scope& operator=(const no_io_scope&) = delete;

  /// Whether some I/O was refused inside this scope.
  [[nodiscard]] bool blocked() const noexcept;

  /// The call is over: the diagnostics it held go out now unless it blocked
  /// (then it is made again, and says them again). Without finish(), as on
  /// an exception, they are dropped; so are they when there is no memory to
  /// send them with.
  void finish() noexcept;

 private:
  bool outer_forbidden_;
  bool outer_blocked_;
  std::size_t first_held_;
};

/// @p f(@p message) now, or, inside a no_io_scope, when the scope finishes
/// without having blocked.
void diagnose(const std::function<void(std::string_view)>& f, std::string_view message);

/// True when I/O is forbidden on this thread (the caller must not make it);
/// the refusal is recorded for the scope.
[[nodiscard]] bool io_refused() noexcept;

/// Whether I/O was refused on this thread in the innermost open scope: its
/// result is going to be thrown away (no diagnostics, no commit).
[[nodiscard]] bool io_blocked() noexcept;

/// @p inner behind the gate: every call goes through unless io_refused(),
/// which answers errc::store_unavailable without touching @p inner.
[[nodiscard]] std::shared_ptr<store> gated_store(std::shared_ptr<store> inner);

}  // namespace cookieseal::detail
