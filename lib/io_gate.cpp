#include "detail/io_gate.hpp"

namespace cookieseal::detail {

namespace {

thread_local bool forbidden = false;
thread_local bool blocked_here = false;

// Forwards to the store it wraps, unless this thread may not block now.
class gate final : public store {
 public:
  explicit gate(std::shared_ptr<store> inner) : inner_(std::move(inner)) {}

  result<void> put(const entry_id& id, std::span<const std::byte> sealed,
                   std::optional<time_point> expires) override {
    if (io_refused()) return errc::store_unavailable;
    return inner_->put(id, sealed, expires);
  }
  result<std::optional<std::vector<std::byte>>> get(const entry_id& id, time_point now) override {
    if (io_refused()) return errc::store_unavailable;
    return inner_->get(id, now);
  }
  result<void> erase(const entry_id& id) override {
    if (io_refused()) return errc::store_unavailable;
    return inner_->erase(id);
  }
  result<void> expire_by(const entry_id& id, time_point expires) override {
    if (io_refused()) return errc::store_unavailable;
    return inner_->expire_by(id, expires);
  }
  result<void> revoke_session(const session_id& id, time_point until) override {
    if (io_refused()) return errc::store_unavailable;
    return inner_->revoke_session(id, until);
  }
  result<void> revoke_subject(std::string_view subject, time_point before,
                              time_point until) override {
    if (io_refused()) return errc::store_unavailable;
    return inner_->revoke_subject(subject, before, until);
  }
  result<bool> is_revoked(const session_id& id, std::string_view subject, time_point created_at,
                          time_point now) override {
    if (io_refused()) return errc::store_unavailable;
    return inner_->is_revoked(id, subject, created_at, now);
  }
  result<std::optional<time_point>> fresh_created_at(const session_id& id,
                                                     std::string_view subject, time_point created,
                                                     time_point now) override {
    if (io_refused()) return errc::store_unavailable;
    return inner_->fresh_created_at(id, subject, created, now);
  }
  result<std::uint64_t> collect_garbage(time_point now) override {
    if (io_refused()) return errc::store_unavailable;
    return inner_->collect_garbage(now);
  }
  result<store_stats> stats() override {
    if (io_refused()) return errc::store_unavailable;
    return inner_->stats();
  }

 private:
  std::shared_ptr<store> inner_;
};

}  // namespace

no_io_scope::no_io_scope() noexcept : outer_forbidden_(forbidden), outer_blocked_(blocked_here) {
  forbidden = true;
  blocked_here = false;
}

no_io_scope::~no_io_scope() {
  forbidden = outer_forbidden_;
  blocked_here = outer_blocked_ || blocked_here;
}

bool no_io_scope::blocked() const noexcept { return blocked_here; }

bool io_refused() noexcept {
  if (forbidden) blocked_here = true;
  return forbidden;
}

bool io_blocked() noexcept { return forbidden && blocked_here; }

std::shared_ptr<store> gated_store(std::shared_ptr<store> inner) {
  return std::make_shared<gate>(std::move(inner));
}

}  // namespace cookieseal::detail
