#include <cookieseal/keyring_watcher.hpp>

#include <cookieseal/codec.hpp>
#include <cookieseal/keyring_file.hpp>

#include "detail/watcher_link.hpp"

#include <pthread.h>
#include <sys/stat.h>

namespace cookieseal {

keyring_watcher::keyring_watcher(std::filesystem::path file, clock_function clock)
    : file_(std::move(file)), clock_(std::move(clock)) {
  loaded_ = stat_signature(file_);
  current_ = std::make_shared<const keyring>(load_keyring_file(file_, now()));
  verified_at_ = now();
}

keyring_watcher::~keyring_watcher() {
  stop();
  std::vector<std::shared_ptr<detail::watcher_link>> links;
  {
    std::lock_guard lock(mutex_);
    links.swap(links_);
  }
  for (auto& l : links) l->cut_source(*this);
}

time_point keyring_watcher::now() const { return clock_ ? clock_() : system_now(); }

keyring_watcher::signature keyring_watcher::stat_signature(const std::filesystem::path& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) return {};  // missing: the load reports why
  return {static_cast<unsigned long long>(st.st_dev), static_cast<unsigned long long>(st.st_ino),
          static_cast<long long>(st.st_size),
          static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec,
          static_cast<long long>(st.st_ctim.tv_sec) * 1000000000LL + st.st_ctim.tv_nsec};
}

std::shared_ptr<const keyring> keyring_watcher::current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

reload_result keyring_watcher::reload_if_changed() {
  std::lock_guard one_at_a_time(reload_mutex_);
  reload_result r;
  // Signature first, then contents: if the file changes in between, the next
  // check sees a new signature and loads again.
  const signature sig = stat_signature(file_);
  {
    std::lock_guard lock(mutex_);
    if (sig == loaded_) {
      file_ok_ = true;
      verified_at_ = now();
      return r;
    }
    if (sig == refused_) {
      file_ok_ = false;
      return r;
    }
  }
  r.changed = true;
  auto refuse = [&](keyring_file_error why) {
    std::lock_guard lock(mutex_);
    refused_ = sig;
    file_ok_ = false;
    file_error_ = why.what();
    r.error = std::move(why);
    return r;
  };
  std::shared_ptr<const keyring> next;
  try {
    next = std::make_shared<const keyring>(load_keyring_file(file_, now()));
  } catch (const keyring_file_error& e) {
    return refuse(e);
  } catch (const std::exception& e) {  // anything else (out of memory), naming the file
    return refuse(keyring_file_error(file_.string() + ": " + e.what()));
  }
  std::vector<std::function<void(std::shared_ptr<const keyring>)>> listeners;
  {
    std::lock_guard lock(mutex_);
    current_ = next;
    loaded_ = sig;
    refused_ = {};
    file_ok_ = true;
    verified_at_ = now();
    listeners = listeners_;
  }
  for (auto& l : listeners) l(next);
  r.reloaded = true;
  return r;
}

void keyring_watcher::subscribe(std::function<void(std::shared_ptr<const keyring>)> listener) {
  std::shared_ptr<const keyring> now_current;
  {
    std::lock_guard lock(mutex_);
    listeners_.push_back(listener);
    now_current = current_;
  }
  listener(now_current);
}

void keyring_watcher::attach(codec& c) {
  auto link = c.keyring_link();
  {
    std::lock_guard lock(mutex_);
    links_.push_back(link);
  }
  link->attach_source(*this);
  subscribe([link](std::shared_ptr<const keyring> k) { link->deliver(std::move(k)); });
}

keyring_check keyring_watcher::check_for_missing_key(std::chrono::milliseconds min_interval) {
  const auto steady_now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mutex_);
    if (miss_checked_ && steady_now - last_miss_check_ < min_interval)
      return {false, file_ok_, verified_at_, file_ok_ ? std::string() : file_error_};
    miss_checked_ = true;
    last_miss_check_ = steady_now;
  }
  (void)reload_if_changed();
  std::lock_guard lock(mutex_);
  return {true, file_ok_, verified_at_, file_ok_ ? std::string() : file_error_};
}

void keyring_watcher::start(std::chrono::milliseconds interval,
                            std::function<void(const reload_result&)> on_event) {
  auto st = thread_state_;
  std::lock_guard lock(st->mutex);
  if (thread_.joinable()) return;
  st->stopping = false;
  thread_ = std::thread([this, st, interval, on_event = std::move(on_event)] {
    std::unique_lock lk(st->mutex);
    while (!st->wake.wait_for(lk, interval, [&st] { return st->stopping; })) {
      lk.unlock();
      const reload_result r = reload_if_changed();
      if (r.changed && on_event) on_event(r);  // may destroy *this (then stopping is set)
      lk.lock();
    }
  });
  // A name operators (top -H, /proc/PID/task/*/comm) and tests can count; set
  // here, so it is in place when start() returns.
  (void)pthread_setname_np(thread_.native_handle(), "cs-keyring");
}

void keyring_watcher::stop() {
  std::thread t;
  {
    std::lock_guard lock(thread_state_->mutex);
    thread_state_->stopping = true;
    t = std::move(thread_);
  }
  thread_state_->wake.notify_all();
  if (!t.joinable()) return;
  // Stopped from its own thread (inside on_event): it cannot join itself; it
  // ends by itself at the loop's next check, touching only the shared state.
  if (t.get_id() == std::this_thread::get_id()) {
    t.detach();
  } else {
    t.join();
  }
}

}  // namespace cookieseal
