// A request's Cookie header opened by a session manager's load rules straight
// to the session JSON, with no session built: the C ABI's open of a header
// without a request (cookieseal_session_manager_open_header).
#pragma once

#include <cookieseal/error.hpp>
#include <cookieseal/session_manager.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace cookieseal::detail {

/// What session_manager::load makes of a Cookie header, as JSON.
struct header_opened {
  cookieseal::outcome outcome = cookieseal::outcome::opened;  ///< as request_session::outcome()
  std::optional<errc> error;  ///< why it was refused or is undecided
  /// The session JSON (session_to_json's text, with the open's meta) when a
  /// cookie opened; none when none did (no cookie came, refused, undecided).
  /// Plaintext: the caller wipes it.
  std::optional<std::string> json;
};

/// session_manager::load's choice among @p cookie_header's cookies (the same
/// candidates, ambiguity and outcomes), each read as JSON (open_record_json).
header_opened open_header_json(const session_manager& m, std::string_view cookie_header);

}  // namespace cookieseal::detail
