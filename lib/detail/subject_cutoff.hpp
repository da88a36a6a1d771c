// A subject's "log out everywhere" record, as both real stores keep it (Unix
// seconds): the cut-off in force and the latest one asked for. Whole seconds
// cannot order a login and a revocation in one second, so a second call in
// the same second moves the cut-off in force one second further, and a
// session created in that second is sealed with it (codec::seal).
#pragma once

#include "wire_numbers.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>

namespace cookieseal::detail {

struct subject_cutoff {
  std::uint64_t before = 0;  ///< sessions created before it are refused
  std::uint64_t asked = 0;   ///< the latest cut-off a revoke_subject asked for

  /// The record after revoke_subject(@p asked_before): asked only grows, the
  /// cut-off in force by at least one second.
  [[nodiscard]] subject_cutoff after_call(std::uint64_t asked_before) const noexcept;

  /// revocation_list::fresh_created_at for a session created at @p created.
  [[nodiscard]] std::optional<std::uint64_t> created_at_for(std::uint64_t created) const noexcept;
};

}  // namespace cookieseal::detail
