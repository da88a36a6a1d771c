#include <cookieseal/keyring_file.hpp>

#include "detail/atomic_file.hpp"
#include "detail/keyring_access.hpp"
#include "detail/random.hpp"
#include "detail/secure_buffer.hpp"

#include <fmt/format.h>
#include <sodium.h>

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
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

// One keyring text, line by line: one member per directive.
class keyring_parser {
 public:
  keyring_parser(std::string_view source, std::size_t max_keys)
      : source_(source), secrets_(max_keys * key_bytes) {}

  void line(std::size_t line_no, const std::vector<std::string_view>& f) {
    line_no_ = line_no;
    if (!have_header_) return header(f);
    if (f[0] == "key") return key(f);
    if (f[0] == "revoked") return revoked(f);
    if (f[0] == "end-sessions-before") return end_sessions_before(f);
    // The field is not echoed: a wrapped line could start with key text.
    fail("unknown directive (expected \"key\", \"revoked\" or \"end-sessions-before\")");
  }

  keyring finish() {
    if (!have_header_)
      throw keyring_file_error(
          fmt::format("{}: empty keyring (no \"cookieseal-keyring 1\" line)", source_));
    std::vector<keyring::entry> entries;
    entries.reserve(keys_.size());
    for (std::size_t i = 0; i < keys_.size(); ++i)
      entries.push_back(
          {keys_[i], std::as_bytes(std::span(secrets_.data() + i * key_bytes, key_bytes))});
    try {
      return keyring::from_keys(entries, end_before_, tombstones_);
    } catch (const detail::duplicate_key_id& e) {
      // keyring validates; the file names the line that used the id again.
      std::vector<std::size_t> lines;
      for (std::size_t i = 0; i < keys_.size(); ++i)
        if (keys_[i].id == e.id) lines.push_back(key_lines_[i]);
      for (std::size_t i = 0; i < tombstones_.size(); ++i)
        if (tombstones_[i].id == e.id) lines.push_back(tombstone_lines_[i]);
      std::sort(lines.begin(), lines.end());
      line_no_ = lines.size() > 1 ? lines[1] : lines.at(0);
      fail(fmt::format("duplicate key id {}", key_id_hex(e.id)));
    }
  }

 private:
  [[noreturn]] void fail(std::string_view what) const { fail_at(source_, line_no_, what); }

  time_point time_field(std::string_view f, std::string_view which) const {
    const auto t = parse_rfc3339(f);
    if (!t) fail(fmt::format("bad {}time (want RFC 3339 UTC, e.g. 2026-11-22T03:00:00Z)", which));
    return *t;
  }

  std::uint32_t id_field(std::string_view f) const {
    const auto id = parse_key_id(f);
    if (!id) fail("the key id must be 8 hex digits");
    return *id;
  }

  void header(const std::vector<std::string_view>& f) {
    if (f[0] != "cookieseal-keyring")
      fail("not a cookieseal keyring: the first line must be \"cookieseal-keyring 1\"");
    if (f.size() != 2 || f[1] != "1")
      fail("unsupported keyring version (this build reads version 1)");
    have_header_ = true;
  }

  // key ID CREATED ACTIVATES EXPIRES KEY
  void key(const std::vector<std::string_view>& f) {
    if (f.size() != 6) fail("a key line is: key ID CREATED ACTIVATES EXPIRES KEY");
    key_info info{id_field(f[1]), time_field(f[2], "created "), time_field(f[3], "activates "),
                  std::nullopt};
    if (f[4] != "never") {
      info.expires = parse_rfc3339(f[4]);
      if (!info.expires) fail("bad expires time (want RFC 3339 UTC or \"never\")");
    }
    // Key bytes go straight into locked memory. Never echo the key text: it is the secret.
    unsigned char* dest = secrets_.data() + keys_.size() * key_bytes;
    std::size_t got = 0;
    if (f[5].size() != key_text_chars ||
        sodium_base642bin(dest, key_bytes, f[5].data(), f[5].size(), nullptr, &got, nullptr,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        got != key_bytes)
      fail(fmt::format("key {}: the key must be 32 bytes as 43 base64url characters",
                       key_id_hex(info.id)));
    keys_.push_back(info);
    key_lines_.push_back(line_no_);
  }

  // revoked ID CREATED ACTIVATES REMOVED: a tombstone
  void revoked(const std::vector<std::string_view>& f) {
    if (f.size() != 5) fail("a revoked line is: revoked ID CREATED ACTIVATES REMOVED");
    tombstones_.push_back({id_field(f[1]), time_field(f[2], "created "),
                           time_field(f[3], "activates "), time_field(f[4], "removed ")});
    tombstone_lines_.push_back(line_no_);
  }

  // end-sessions-before TIME
  void end_sessions_before(const std::vector<std::string_view>& f) {
    if (f.size() != 2) fail("the line is: end-sessions-before TIME");
    if (end_before_) fail("end-sessions-before appears twice");
    end_before_ = time_field(f[1], "");
  }

  std::string_view source_;
  std::size_t line_no_ = 0;
  bool have_header_ = false;
  detail::secure_buffer secrets_;  // key i at [32 i, 32 i + 32)
  std::vector<key_info> keys_;
  std::vector<std::size_t> key_lines_;
  std::vector<key_tombstone> tombstones_;
  std::vector<std::size_t> tombstone_lines_;
  std::optional<time_point> end_before_;
};

}  // namespace

keyring parse_keyring(std::string_view text, std::string_view source) {
  detail::ensure_sodium();
  // An upper bound on the number of key lines (lines >= keys) sizes the locked memory.
  std::size_t max_keys = 1;
  for (char ch : text) max_keys += ch == '\n';
  keyring_parser parser(source, max_keys);
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
    parser.line(line_no, f);
  }
  return parser.finish();
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
  for (const auto& t : k.tombstones())
    out += fmt::format("revoked {:08x} {} {} {}\n", t.id, format_rfc3339(t.created),
                       format_rfc3339(t.activates), format_rfc3339(t.removed));
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

namespace {

// Under FILE.lock: reads FILE (nullopt when missing), lets @p next decide the
// new keyring, refuses one that cannot seal, writes it atomically.
keyring rewrite_locked(const std::filesystem::path& file, time_point now,
                       const std::function<keyring(std::optional<keyring>)>& next) {
  const auto dir = file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    throw keyring_file_error(
        fmt::format("{}: the directory {} does not exist", file.string(), dir.string()));
  std::optional<detail::file_lock> lock;
  try {
    lock.emplace(std::filesystem::path(file.string() + ".lock"));
  } catch (const std::exception& e) {
    throw keyring_file_error(e.what());
  }
  keyring k = next(read_keyring_file(file));
  require_sealing_key(k, file.string(), now);
  const secret_string text = format_keyring(k);
  try {
    detail::write_file_atomic(file, text, 0600);
  } catch (const std::exception& e) {
    throw keyring_file_error(e.what());
  }
  return k;
}

}  // namespace

keyring create_keyring_file(const std::filesystem::path& file, const keyring& keys,
                            time_point now) {
  return rewrite_locked(file, now, [&](std::optional<keyring> current) {
    if (current) throw keyring_file_error(fmt::format("{}: already exists", file.string()));
    return keys;
  });
}

keyring update_keyring_file(const std::filesystem::path& file,
                            const std::function<keyring(const keyring&)>& change, time_point now) {
  return rewrite_locked(file, now, [&](std::optional<keyring> current) {
    if (!current) throw keyring_file_error(fmt::format("{}: no such file", file.string()));
    return change(*current);
  });
}

}  // namespace cookieseal
