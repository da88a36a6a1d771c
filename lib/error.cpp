#include <cookieseal/error.hpp>

namespace cookieseal {

std::string_view to_string(errc e) noexcept {
  switch (e) {
    case errc::malformed: return "malformed";
    case errc::unsupported_version: return "unsupported_version";
    case errc::unknown_key: return "unknown_key";
    case errc::authentication_failed: return "authentication_failed";
    case errc::expired: return "expired";
    case errc::invalid_payload: return "invalid_payload";
    case errc::too_large: return "too_large";
    case errc::store_unavailable: return "store_unavailable";
    case errc::revoked: return "revoked";
    case errc::key_not_loaded: return "key_not_loaded";
    case errc::ambiguous: return "ambiguous";
    case errc::header_truncated: return "header_truncated";
  }
  return "unknown";
}

std::string_view message(errc e) noexcept {
  switch (e) {
    case errc::malformed:
      return "the cookie is not valid base64url, is too short or too long, or has trailing data";
    case errc::unsupported_version: return "the cookie's format version is not supported";
    case errc::unknown_key: return "no usable key with the cookie's key id";
    case errc::authentication_failed:
      return "the cookie failed authentication (tampered, wrong name or purpose, or wrong key)";
    case errc::expired: return "the session has expired";
    case errc::invalid_payload: return "the session data does not parse or breaks a limit";
    case errc::too_large: return "the sealed session would exceed the cookie size limit";
    case errc::store_unavailable: return "the overflow store could not be reached or read";
    case errc::revoked: return "the session has been revoked";
    case errc::key_not_loaded:
      return "the cookie's key is not loaded here yet and the keyring file could not confirm it is "
             "gone";
    case errc::ambiguous: return "several cookies of the session's name open to different sessions";
    case errc::header_truncated:
      return "the Cookie header was cut at its limits before a cookie of the name opened";
  }
  return "unknown error";
}

}  // namespace cookieseal
