// revocation_list's default for sealing a fresh session, and the rule both
// real stores apply to their subject records.
#include <cookieseal/store.hpp>

#include "detail/subject_cutoff.hpp"

namespace cookieseal {

result<std::optional<time_point>> revocation_list::fresh_created_at(const session_id& id,
                                                                    std::string_view subject,
                                                                    time_point created,
                                                                    time_point now) {
  for (const time_point at : {created, created + std::chrono::seconds{1}}) {
    auto r = is_revoked(id, subject, at, now);
    if (!r) return r.error();
    if (!*r) return std::optional(at);
  }
  return std::optional<time_point>();
}

namespace detail {

std::optional<std::uint64_t> subject_cutoff::created_at_for(std::uint64_t created) const noexcept {
  if (created >= before) return created;
  if (created + 1 >= asked) return before;  // the session came in the latest call's second
  return std::nullopt;
}

subject_cutoff subject_cutoff::after_call(std::uint64_t asked_before) const noexcept {
  subject_cutoff next;
  next.asked = std::max(asked, asked_before);
  next.before = std::max(asked_before, before == unix_never ? before : before + 1);
  return next;
}

}  // namespace detail

}  // namespace cookieseal
