// The one seam between a codec and the keyring_watcher attached to it. The
// codec makes its link when it is made and hands it to a watcher through
// codec::keyring_link(); after that each side reaches the other only through
// the link's narrow calls, never its private members. Whichever is destroyed
// first cuts its side, so neither ever calls into a destroyed object.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>

namespace cookieseal {
class codec;
class keyring;
class keyring_watcher;
}  // namespace cookieseal

namespace cookieseal::detail {

class watcher_link {
 public:
  explicit watcher_link(codec& target) : target_(&target) {}

  // --- the codec's side ---

  // Runs @p f with the watcher, if one is attached and still there; the
  // watcher's destructor waits for such calls to finish. No lock is held
  // during the call, so the watcher may call back into codecs (set_keyring)
  // without deadlock.
  template <class F>
  bool with_source(F&& f) {
    keyring_watcher* w = nullptr;
    {
      std::lock_guard lock(mutex_);
      if (source_ == nullptr) return false;
      w = source_;
      ++calls_into_source_;
    }
    struct done_guard {
      watcher_link& l;
      ~done_guard() {
        std::lock_guard lock(l.mutex_);
        if (--l.calls_into_source_ == 0) l.idle_.notify_all();
      }
    } done{*this};
    f(*w);
    return true;
  }

  // ~codec: no keyring is delivered after this returns.
  void cut_target() {
    std::lock_guard lock(mutex_);
    target_ = nullptr;
  }

  // --- the watcher's side ---

  // @p w answers the codec's missing-key checks from now on (the last attached does).
  void attach_source(keyring_watcher& w) {
    std::lock_guard lock(mutex_);
    source_ = &w;
  }

  // Gives the codec @p keys (codec::set_keyring), unless it is gone.
  void deliver(std::shared_ptr<const keyring> keys);

  // ~keyring_watcher: no new calls into @p w, and those in flight finish.
  void cut_source(const keyring_watcher& w) {
    std::unique_lock lock(mutex_);
    if (source_ == &w) source_ = nullptr;
    idle_.wait(lock, [this] { return calls_into_source_ == 0; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable idle_;
  codec* target_;                      // cleared by ~codec (cut_target)
  keyring_watcher* source_ = nullptr;  // cleared by ~keyring_watcher (cut_source)
  std::size_t calls_into_source_ = 0;  // codec calls in flight into the watcher
};

}  // namespace cookieseal::detail
