// The link between a codec and the keyring_watcher attached to it. Both hold
// it; whichever is destroyed first cuts its side, so neither ever calls into
// a destroyed object, in either order of destruction.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <mutex>

namespace cookieseal {
class codec;
class keyring_watcher;
}  // namespace cookieseal

namespace cookieseal::detail {

struct watcher_link {
  std::mutex mutex;
  std::condition_variable idle;
  codec* target = nullptr;            // cleared by ~codec
  keyring_watcher* source = nullptr;  // cleared by ~keyring_watcher
  std::size_t calls_into_source = 0;  // codec calls in flight into the watcher

  // Runs @p f with the watcher, if it is still there; the watcher's destructor
  // waits for such calls to finish. No lock is held during the call, so the
  // watcher may call back into codecs (set_keyring) without deadlock.
  template <class F>
  bool with_source(F&& f) {
    keyring_watcher* w = nullptr;
    {
      std::lock_guard lock(mutex);
      if (source == nullptr) return false;
      w = source;
      ++calls_into_source;
    }
    struct done_guard {
      watcher_link& l;
      ~done_guard() {
        std::lock_guard lock(l.mutex);
        if (--l.calls_into_source == 0) l.idle.notify_all();
      }
    } done{*this};
    f(*w);
    return true;
  }

  // The watcher's side of teardown: no new calls, and in-flight ones finish.
  void cut_source() {
    std::unique_lock lock(mutex);
    source = nullptr;
    idle.wait(lock, [this] { return calls_into_source == 0; });
  }
};

}  // namespace cookieseal::detail
