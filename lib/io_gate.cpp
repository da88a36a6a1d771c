#include "detail/io_gate.hpp"

#include <iterator>
#include <string>
#include <vector>

namespace cookieseal::detail {

namespace {

thread_local bool forbidden = false;
thread_local bool blocked_here = false;

// Diagnostics said inside no_io_scopes, until their scope finishes.
struct held_diagnostic {
  std::function<void(std::string_view)> to;
  std::string message;
};
thread_local std::vector<held_diagnostic> held;

void drop_held(std::size_t from) {
  if (held.size() > from) held.erase(held.begin() + static_cast<std::ptrdiff_t>(from), held.end());
}

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
  result<std::optional<time_point>> fresh_created_at(const session_id& id, std::string_view subject,
                                                     time_point created, time_point now) override {
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

no_io_scope::no_io_scope() noexcept
    : outer_forbidden_(forbidden), outer_blocked_(blocked_here), first_held_(held.size()) {
  forbidden = true;
  blocked_here = false;
}

no_io_scope::~no_io_scope() {
  drop_held(first_held_);  // not finished: dropped
  forbidden = outer_forbidden_;
  blocked_here = outer_blocked_ || blocked_here;
}

bool no_io_scope::blocked() const noexcept { return blocked_here; }

void no_io_scope::finish() noexcept {
  if (blocked_here) {
    drop_held(first_held_);
    return;
  }
  if (outer_forbidden_) {  // an outer scope decides; they stay held for it
    first_held_ = held.size();
    return;
  }
  // Never throws: the nonblocking calls finish after handing out their
  // outputs. Without the memory to move them, the held lines are dropped.
  try {
    const auto first = held.begin() + static_cast<std::ptrdiff_t>(first_held_);
    std::vector<held_diagnostic> now(std::make_move_iterator(first),
                                     std::make_move_iterator(held.end()));
    drop_held(first_held_);
    for (const auto& d : now) call_diagnostic(d.to, d.message);
  } catch (...) {
    drop_held(first_held_);
  }
}

void diagnose(const std::function<void(std::string_view)>& f, std::string_view message) {
  if (!f) return;
  if (forbidden)
    held.push_back({f, std::string(message)});
  else
    call_diagnostic(f, message);
}

bool io_refused() noexcept {
  if (forbidden) blocked_here = true;
  return forbidden;
}

bool io_blocked() noexcept { return forbidden && blocked_here; }

std::shared_ptr<store> gated_store(std::shared_ptr<store> inner) {
  return std::make_shared<gate>(std::move(inner));
}

}  // namespace cookieseal::detail
