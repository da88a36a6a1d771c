#include <cookieseal/keyring_file.hpp>

#include "detail/atomic_file.hpp"
#include "detail/keyring_access.hpp"
#include "detail/random.hpp"
#include "detail/secure_buffer.hpp"

#include <fmt/format.h>
#include <sodium.h>

#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <set>
#include <system_error>
#include <vector>

namespace cookieseal {

namespace {

constexpr std::string_view header_line = "cookieseal-keyring 1";
constexpr std::size_t max_keyring_bytes = 1 << 20;
constexpr std::size_t key_text_chars = 43;  // base64url, no padding, of 32 bytes

[[noreturn]] void fail_at(std::string_view source, std::size_t line, std::string_view what) {
  throw keyring_file_error(fmt::format("{}:{}: {}", source, line, what));
}

std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    const std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

std::optional<std::uint32_t> parse_key_id(std::string_view s) {
  if (s.size() != 8) return std::nullopt;
  std::uint32_t id = 0;
  for (char c : s) {
    int v;
    if (c >= '0' && c <= '9')
      v = c - '0';
    else if (c >= 'a' && c <= 'f')
      v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      v = c - 'A' + 10;
    else
      return std::nullopt;
    id = id << 4 | static_cast<std::uint32_t>(v);
  }
  return id;
}

std::string time_or_never(const std::optional<time_point>& t) {
  return t ? format_rfc3339(*t) : "never";
}

void require_sealing_key(const keyring& k, std::string_view source, time_point now) {
  if (k.sealing_key(now) == nullptr)
    throw keyring_file_error(
        fmt::format("{}: no key can seal at {} (every key is pending or expired); "
                    "run: cookieseal keyring rotate FILE --activate-in 0",
                    source, format_rfc3339(now)));
}

void check_private(const struct stat& st, const std::filesystem::path& file) {
  if ((st.st_mode & 077) != 0)
    throw keyring_file_error(fmt::format(
        "{}: the keyring is accessible to group or others (mode {:04o}); run: chmod 600 {}",
        file.string(), st.st_mode & 07777, file.string()));
  // As ssh does for private keys: another (non-root) user's file could have
  // been swapped in by that user.
  const uid_t me = ::geteuid();
  if (st.st_uid != me && st.st_uid != 0)
    throw keyring_file_error(fmt::format(
        "{}: the keyring is owned by uid {}, not by this user (uid {}) or root; run: chown {} {}",
        file.string(), st.st_uid, me, me, file.string()));
}

// Reads and parses FILE, checking its owner and permissions; nullopt when it
// does not exist. The read buffer is wiped on every path, errors included.
std::optional<keyring> read_keyring_file(const std::filesystem::path& file) {
  std::optional<detail::file_contents> c;
  try {
    c = detail::read_file_bounded(file, max_keyring_bytes);
  } catch (const std::exception& e) {
    throw keyring_file_error(e.what());
  }
  if (!c) return std::nullopt;
  struct wipe_on_exit {
    std::string& text;
    ~wipe_on_exit() { sodium_memzero(text.data(), text.size()); }
  } wiper{c->data};
  check_private(c->st, file);
  return parse_keyring(c->data, file.string());
}

}  // namespace

keyring parse_keyring(std::string_view text, std::string_view source) {
  detail::ensure_sodium();
  struct parsed_key {
    key_info info;
    std::size_t line;
  };
  std::vector<parsed_key> keys;
  std::set<std::uint32_t> ids;
  std::optional<time_point> end_before;
  bool have_header = false;

  // Key bytes go straight into locked memory, sized by an upper bound on the
  // number of key lines (lines >= keys).
  std::size_t max_keys = 1;
  for (char ch : text) max_keys += ch == '\n';
  detail::secure_buffer secrets(max_keys * key_bytes);

  std::size_t line_no = 0;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const std::size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? text.npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const auto f = split_fields(line);
    if (f.empty() || f[0].front() == '#') continue;

    if (!have_header) {
      if (f[0] != "cookieseal-keyring")
        fail_at(source, line_no,
                "not a cookieseal keyring: the first line must be \"cookieseal-keyring 1\"");
      if (f.size() != 2 || f[1] != "1")
        fail_at(source, line_no, "unsupported keyring version (this build reads version 1)");
      have_header = true;
      continue;
    }
    if (f[0] == "key") {
      if (f.size() != 6)
        fail_at(source, line_no, "a key line is: key ID CREATED ACTIVATES EXPIRES KEY");
      const auto id = parse_key_id(f[1]);
      if (!id) fail_at(source, line_no, "the key id must be 8 hex digits");
      if (!ids.insert(*id).second)
        fail_at(source, line_no, fmt::format("duplicate key id {}", f[1]));
      const auto created = parse_rfc3339(f[2]);
      const auto activates = parse_rfc3339(f[3]);
      if (!created)
        fail_at(source, line_no, "bad created time (want RFC 3339 UTC, e.g. 2026-11-22T03:00:00Z)");
      if (!activates)
        fail_at(source, line_no,
                "bad activates time (want RFC 3339 UTC, e.g. 2026-11-22T03:00:00Z)");
      std::optional<time_point> expires;
      if (f[4] != "never") {
        expires = parse_rfc3339(f[4]);
        if (!expires) fail_at(source, line_no, "bad expires time (want RFC 3339 UTC or \"never\")");
      }
      // Never echo the key text: it is the secret.
      unsigned char* dest = secrets.data() + keys.size() * key_bytes;
      std::size_t got = 0;
      if (f[5].size() != key_text_chars ||
          sodium_base642bin(dest, key_bytes, f[5].data(), f[5].size(), nullptr, &got, nullptr,
                            sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
          got != key_bytes)
        fail_at(source, line_no,
                fmt::format("key {}: the key must be 32 bytes as 43 base64url characters", f[1]));
      keys.push_back({{*id, *created, *activates, expires}, line_no});
    } else if (f[0] == "end-sessions-before") {
      if (f.size() != 2) fail_at(source, line_no, "the line is: end-sessions-before TIME");
      if (end_before) fail_at(source, line_no, "end-sessions-before appears twice");
      end_before = parse_rfc3339(f[1]);
      if (!end_before)
        fail_at(source, line_no, "bad time (want RFC 3339 UTC, e.g. 2026-11-22T03:00:00Z)");
    } else {
      // The field is not echoed: a wrapped line could start with key text.
      fail_at(source, line_no, "unknown directive (expected \"key\" or \"end-sessions-before\")");
    }
  }
  if (!have_header)
    throw keyring_file_error(
        fmt::format("{}: empty keyring (no \"cookieseal-keyring 1\" line)", source));

  std::vector<keyring::entry> entries;
  entries.reserve(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i)
    entries.push_back(
        {keys[i].info, std::as_bytes(std::span(secrets.data() + i * key_bytes, key_bytes))});
  return keyring::from_keys(entries, end_before);
}

secret_string format_keyring(const keyring& k) {
  // Key text goes only into `out` (which wipes itself) and a stack buffer
  // wiped below: no temporary string ever holds it.
  secret_string out;
  out.reserve(200 + k.size() * 140);
  out += header_line;
  out +=
      "\n# id     created              activates            expires              key (base64url, "
      "32 bytes)\n";
  char b64[key_text_chars + 1];
  for (const auto& info : k.keys()) {
    const std::string fields =
        fmt::format("key {:08x} {} {} {:<20} ", info.id, format_rfc3339(info.created),
                    format_rfc3339(info.activates), time_or_never(info.expires));
    out += fields;
    const unsigned char* bytes = detail::keyring_access::bytes_of(k, &info);
    sodium_bin2base64(b64, sizeof b64, bytes, key_bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    out.append(b64, key_text_chars);
    out += '\n';
  }
  sodium_memzero(b64, sizeof b64);
  if (auto t = k.end_sessions_before())
    out += fmt::format("end-sessions-before {}\n", format_rfc3339(*t));
  return out;
}

keyring load_keyring_file(const std::filesystem::path& file, time_point now) {
  auto k = read_keyring_file(file);
  if (!k) throw keyring_file_error(fmt::format("{}: no such file", file.string()));
  require_sealing_key(*k, file.string(), now);
  return std::move(*k);
}

keyring load_keyring_text(std::string_view text, std::string_view source, time_point now) {
  if (text.empty()) throw keyring_file_error(fmt::format("{}: empty", source));
  keyring k = parse_keyring(text, source);
  require_sealing_key(k, source, now);
  return k;
}

keyring load_keyring_env(const char* var, time_point now) {
  const char* text = std::getenv(var);
  const std::string source = fmt::format("${}", var);
  if (text == nullptr || *text == '\0') throw keyring_file_error(source + ": not set");
  return load_keyring_text(text, source, now);
}

keyring update_keyring_file(const std::filesystem::path& file,
                            const std::function<keyring(const keyring&)>& change, bool create,
                            time_point now) {
  std::optional<detail::file_lock> lock;
  const auto dir = file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    throw keyring_file_error(
        fmt::format("{}: the directory {} does not exist", file.string(), dir.string()));
  try {
    lock.emplace(std::filesystem::path(file.string() + ".lock"));
  } catch (const std::exception& e) {
    throw keyring_file_error(e.what());
  }
  auto current = read_keyring_file(file);
  if (!current && !create) throw keyring_file_error(fmt::format("{}: no such file", file.string()));
  if (current && create) throw keyring_file_error(fmt::format("{}: already exists", file.string()));
  keyring next = change(current ? *current : keyring{});
  require_sealing_key(next, file.string(), now);
  const secret_string text = format_keyring(next);
  try {
    detail::write_file_atomic(file, text, 0600);
  } catch (const std::exception& e) {
    throw keyring_file_error(e.what());
  }
  return next;
}

}  // namespace cookieseal
