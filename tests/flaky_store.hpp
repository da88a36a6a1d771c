// A store that forwards to a real one until the test takes it "down"; then
// every call fails with store_unavailable, as an unreachable store does.
#pragma once

#include <cookieseal/store.hpp>

#include <atomic>
#include <memory>

namespace test {

class flaky_store final : public cookieseal::store {
 public:
  explicit flaky_store(std::shared_ptr<cookieseal::store> real) : real_(std::move(real)) {}
  std::atomic<bool> down{false};

  using errc = cookieseal::errc;
  using time_point = cookieseal::time_point;
  template <class T>
  using result = cookieseal::result<T>;

  result<void> put(const cookieseal::entry_id& id, std::span<const std::byte> sealed,
                   std::optional<time_point> expires) override {
    if (down) return errc::store_unavailable;
    return real_->put(id, sealed, expires);
  }
  result<std::optional<std::vector<std::byte>>> get(const cookieseal::entry_id& id,
                                                    time_point now) override {
    if (down) return errc::store_unavailable;
    return real_->get(id, now);
  }
  result<void> erase(const cookieseal::entry_id& id) override {
    if (down) return errc::store_unavailable;
    return real_->erase(id);
  }
  result<void> expire_by(const cookieseal::entry_id& id, time_point expires) override {
    if (down) return errc::store_unavailable;
    return real_->expire_by(id, expires);
  }
  result<std::uint64_t> collect_garbage(time_point now) override {
    if (down) return errc::store_unavailable;
    return real_->collect_garbage(now);
  }
  result<cookieseal::store_stats> stats() override {
    if (down) return errc::store_unavailable;
    return real_->stats();
  }
  result<void> revoke_session(const cookieseal::session_id& id, time_point until) override {
    if (down) return errc::store_unavailable;
    return real_->revoke_session(id, until);
  }
  result<void> revoke_subject(std::string_view subject, time_point before,
                              time_point until) override {
    if (down) return errc::store_unavailable;
    return real_->revoke_subject(subject, before, until);
  }
  result<bool> is_revoked(const cookieseal::session_id& id, std::string_view subject,
                          time_point created_at, time_point now) override {
    if (down) return errc::store_unavailable;
    return real_->is_revoked(id, subject, created_at, now);
  }

 private:
  std::shared_ptr<cookieseal::store> real_;
};

}  // namespace test
