#include "cli.hpp"
#include "duration.hpp"

#include <cookieseal/codec.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace cli {

args args::parse(const std::vector<std::string>& argv, const std::vector<std::string>& valued,
                 const std::vector<std::string>& switches) {
  args a;
  auto is = [](const std::vector<std::string>& list, const std::string& n) {
    return std::find(list.begin(), list.end(), n) != list.end();
  };
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& s = argv[i];
    if (s == "--help" || s == "-h") {
      a.help = true;
    } else if (s == "--") {
      a.positional.insert(a.positional.end(), argv.begin() + static_cast<long>(i) + 1, argv.end());
      break;
    } else if (s.rfind("--", 0) == 0) {
      std::string name = s.substr(2), value;
      const auto eq = name.find('=');
      const bool inline_value = eq != std::string::npos;
      if (inline_value) {
        value = name.substr(eq + 1);
        name.resize(eq);
      }
      if (is(switches, name)) {
        if (inline_value) throw usage_error("--" + name + " takes no value");
        a.options[name] = "";
      } else if (is(valued, name)) {
        if (!inline_value) {
          if (i + 1 >= argv.size()) throw usage_error("--" + name + " needs a value");
          value = argv[++i];
        }
        if (a.options.count(name)) throw usage_error("--" + name + " given twice");
        a.options[name] = value;
      } else {
        throw usage_error("unknown option --" + name);
      }
    } else {
      a.positional.push_back(s);
    }
  }
  return a;
}

std::optional<std::string> args::get(const std::string& name) const {
  auto it = options.find(name);
  if (it == options.end()) return std::nullopt;
  return it->second;
}

std::chrono::seconds args::duration(const std::string& name, std::chrono::seconds fallback) const {
  auto v = get(name);
  if (!v) return fallback;
  auto d = parse_duration(*v);
  if (!d)
    throw usage_error(
        fmt::format("--{}: bad duration \"{}\" (want e.g. 90s, 15m, 12h, 30d)", name, *v));
  if (*d > cookieseal::max_policy_duration)
    throw usage_error(fmt::format("--{}: \"{}\" is longer than 100 years", name, *v));
  return *d;
}

cookieseal::time_point args::time(const std::string& name, cookieseal::time_point fallback) const {
  auto v = get(name);
  if (!v) return fallback;
  auto t = cookieseal::parse_rfc3339(*v);
  if (!t)
    throw usage_error(
        fmt::format("--{}: bad time \"{}\" (want e.g. 2026-11-22T03:00:00Z)", name, *v));
  return *t;
}

void args::expect_positional(std::size_t n, const char* usage) const {
  if (positional.size() != n) throw usage_error(std::string("usage: ") + usage);
}

}  // namespace cli
