/// @file keyring_watcher.hpp
/// Hot reload: a running process picks up a changed keyring file without a
/// restart, and a bad file never replaces a good keyring.
#pragma once

#include <cookieseal/clock.hpp>
#include <cookieseal/export.hpp>
#include <cookieseal/keyring.hpp>
#include <cookieseal/keyring_file.hpp>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace cookieseal {

class codec;
namespace detail {
class watcher_link;
}  // namespace detail

/// What one reload attempt did.
struct reload_result {
  bool changed = false;   ///< the file differed from the one loaded last
  bool reloaded = false;  ///< a new keyring is now in force
  /// Why a changed file was refused (the old keyring stays): what() names the
  /// file, the line and the cause. nullopt when none.
  std::optional<keyring_file_error> error;
};

/// What a check of the file for a missing key found (see check_for_missing_key).
struct keyring_check {
  bool checked_now = false;  ///< the file was looked at by this call (not rate-limited)
  bool file_ok = false;      ///< the file as last seen loaded (it is not failing to load)
  time_point verified_at{};  ///< when the file was last seen to match the keyring in force
  std::string file_error;    ///< why it fails to load, when file_ok is false
};

/**
 * Watches a keyring file and swaps in a new immutable keyring when it changes.
 *
 * A change is any difference in the file's identity or metadata after
 * following symlinks (device, inode, size, modification and change times), so
 * an atomic rename over the file and the Kubernetes pattern (the path is a
 * symlink swapped atomically) are both seen. A changed file that fails to load
 * (half-written, corrupt, wrong permissions, no key that can seal) is reported
 * once and the last good keyring stays in force.
 *
 * Thread-safe. Readers get a whole keyring (a shared_ptr copy), never a torn one.
 */
class COOKIESEAL_API keyring_watcher {
 public:
  /// Loads @p file now. @throws keyring_file_error if it cannot be used.
  explicit keyring_watcher(std::filesystem::path file, clock_function clock = {});
  /// Stops the background thread, if started.
  ~keyring_watcher();
  keyring_watcher(const keyring_watcher&) = delete;
  keyring_watcher& operator=(const keyring_watcher&) = delete;

  /// The keyring in force.
  [[nodiscard]] std::shared_ptr<const keyring> current() const;

  /// Checks the file once and reloads it if it changed.
  reload_result reload_if_changed();

  /**
   * Calls @p listener with every newly loaded keyring (after this call's
   * immediate call with the current one). Use with codec::set_keyring, or
   * attach(codec).
   */
  void subscribe(std::function<void(std::shared_ptr<const keyring>)> listener);

  /**
   * Keeps @p c's keyring in step with the file, and lets @p c check the file at
   * once when a cookie names a key it lacks (a key another server has just
   * loaded). Either object may be destroyed first: the link is cut safely.
   */
  void attach(codec& c);

  /**
   * For a cookie naming a key the keyring in force lacks: checks the file now
   * and reloads it if it changed, at most once per @p min_interval (checks in
   * between report the last one). The codec calls this; see codec::open.
   */
  keyring_check check_for_missing_key(std::chrono::milliseconds min_interval = std::chrono::seconds{
                                          1});

  /**
   * Starts a background thread that calls reload_if_changed() every
   * @p interval; @p on_event (optional) hears about reloads and refusals.
   */
  /// How often start() polls the file unless told otherwise.
  static constexpr std::chrono::milliseconds default_interval{1000};

  void start(std::chrono::milliseconds interval = default_interval,
             std::function<void(const reload_result&)> on_event = {});

  /// Stops the background thread (idempotent).
  void stop();

  [[nodiscard]] const std::filesystem::path& file() const noexcept { return file_; }

 private:
  struct signature {
    unsigned long long dev = 0, ino = 0;
    long long size = 0, mtime_ns = 0, ctime_ns = 0;
    bool operator==(const signature&) const = default;
  };
  static signature stat_signature(const std::filesystem::path& file);
  time_point now() const;

  std::filesystem::path file_;
  clock_function clock_;

  mutable std::mutex mutex_;  // guards everything below
  std::shared_ptr<const keyring> current_;
  signature loaded_{};
  signature refused_{};  // the last changed file that failed, reported once
  std::vector<std::function<void(std::shared_ptr<const keyring>)>> listeners_;
  bool file_ok_ = true;       // the file as last seen loaded
  time_point verified_at_{};  // when the file was last seen to match current_
  std::string file_error_;    // why it last failed to load, while !file_ok_
  std::chrono::steady_clock::time_point last_miss_check_{};
  bool miss_checked_ = false;
  std::vector<std::shared_ptr<detail::watcher_link>> links_;

  std::mutex reload_mutex_;  // one reload at a time
  // What the polling thread shares with stop(), owned by both: the watcher may
  // be destroyed from inside on_event on that very thread (a garbage collector
  // freeing its owner there), and the thread then touches only this.
  struct thread_state {
    std::mutex mutex;
    std::condition_variable wake;
    bool stopping = false;
  };
  std::shared_ptr<thread_state> thread_state_ = std::make_shared<thread_state>();
  std::thread thread_;  // guarded by thread_state_->mutex
};

}  // namespace cookieseal
