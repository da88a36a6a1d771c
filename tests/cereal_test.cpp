#include <cookieseal/cereal.hpp>

#include "test_support.hpp"

#include <doctest/doctest.h>
#include <cereal/types/map.hpp>
#include <cereal/types/optional.hpp>
#include <cereal/types/variant.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace {

struct cart {
  std::vector<std::int64_t> items;
  std::string coupon;
  std::optional<double> discount;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(items, coupon, discount);
  }
  bool operator==(const cart&) const = default;
};

std::vector<std::byte> encode(auto const&... v) {
  cookieseal::detail::wiped_bytes out;
  {
    cookieseal::detail::compact_output_archive ar(out);
    ar(v...);
  }
  return {out.begin(), out.end()};
}

std::vector<std::byte> bytes(std::initializer_list<int> l) {
  std::vector<std::byte> out;
  for (int b : l) out.push_back(static_cast<std::byte>(b));
  return out;
}

}  // namespace

TEST_SUITE("cereal") {
  TEST_CASE("user objects round-trip through a session under their type name") {
    cookieseal::session s(test::t0);
    const cart c{{101, 202, 303}, "WINTER", 0.25};
    cookieseal::put_object(s, "cart", "shop.cart.v1", c);
    CHECK(s.find("cart")->type() == cookieseal::value::kind::object);
    CHECK(cookieseal::get_object<cart>(s, "cart", "shop.cart.v1") == c);

    SUBCASE("a wrong type name gives nullopt") {
      CHECK_FALSE(cookieseal::get_object<cart>(s, "cart", "shop.cart.v2"));
    }
    SUBCASE("a missing key or a non-object value gives nullopt") {
      CHECK_FALSE(cookieseal::get_object<cart>(s, "nope", "shop.cart.v1"));
      s.set("n", 1);
      CHECK_FALSE(cookieseal::get_object<cart>(s, "n", "shop.cart.v1"));
    }
    SUBCASE("unreadable bytes give nullopt, never a crash") {
      for (const auto& junk : {bytes({}), bytes({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}),
                               bytes({3, 2, 4}), bytes({0x80, 0x00})}) {
        s.set("bad", cookieseal::value::object{"shop.cart.v1", junk});
        CHECK_FALSE(cookieseal::get_object<cart>(s, "bad", "shop.cart.v1"));
      }
      // Another type's bytes with trailing data left over are refused too.
      cookieseal::put_object(s, "other", "shop.cart.v1", std::string(50, 'x'));
      CHECK_FALSE(cookieseal::get_object<cart>(s, "other", "shop.cart.v1"));
    }
  }

  TEST_CASE("the compact archive writes varints, zig-zag and raw single bytes") {
    CHECK(encode(std::uint32_t{0}) == bytes({0}));
    CHECK(encode(std::uint32_t{127}) == bytes({0x7F}));
    CHECK(encode(std::uint32_t{128}) == bytes({0x80, 0x01}));
    CHECK(encode(std::int64_t{-1}) == bytes({0x01}));
    CHECK(encode(std::int64_t{1}) == bytes({0x02}));
    CHECK(encode(std::int64_t{-64}) == bytes({0x7F}));
    CHECK(encode(std::int64_t{INT64_MIN}) ==
          bytes({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01}));
    CHECK(encode(true) == bytes({1}));
    CHECK(encode(std::uint8_t{200}) == bytes({200}));
    CHECK(encode(1.0) == bytes({0, 0, 0, 0, 0, 0, 0xF0, 0x3F}));
    CHECK(encode(std::string("hi")) == bytes({2, 'h', 'i'}));
    CHECK(encode(std::vector<std::int64_t>{1, -1}) == bytes({2, 2, 1}));
    CHECK(encode(std::variant<int, std::string>{std::string("a")}) ==
          bytes({2, 1, 'a'}));  // index: zig-zag int32
  }

  TEST_CASE("the compact archive round-trips standard containers") {
    std::map<std::string, std::vector<int>> m{{"a", {1, 2}}, {"b", {}}};
    auto b = encode(m);
    cookieseal::detail::compact_input_archive ar(b);
    std::map<std::string, std::vector<int>> back;
    ar(back);
    CHECK(back == m);
    CHECK(ar.remaining() == 0);
  }

  TEST_CASE("the compact input archive refuses bad encodings before allocating") {
    auto load = [](std::vector<std::byte> in, auto& out) {
      cookieseal::detail::compact_input_archive ar(in);
      ar(out);
    };
    std::string s;
    std::uint64_t u = 0;
    std::uint16_t u16 = 0;
    std::int32_t i32 = 0;
    bool b = false;
    std::vector<std::int64_t> v;
    CHECK_THROWS_AS(load(bytes({0x80, 0x00}), u), cereal::Exception);  // non-minimal
    CHECK_THROWS_AS(load(bytes({0x80}), u), cereal::Exception);        // truncated
    CHECK_THROWS_AS(load(bytes({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02}), u),
                    cereal::Exception);                                        // over 64 bits
    CHECK_THROWS_AS(load(bytes({0x80, 0x80, 0x04}), u16), cereal::Exception);  // out of range
    CHECK_THROWS_AS(load(bytes({0xFF, 0xFF, 0xFF, 0xFF, 0x1F}), i32), cereal::Exception);
    CHECK_THROWS_AS(load(bytes({2}), b), cereal::Exception);       // bool not 0/1
    CHECK_THROWS_AS(load(bytes({5, 'a'}), s), cereal::Exception);  // size past the end
    // A size tag claiming 2^62 elements is refused before the vector is resized.
    CHECK_THROWS_AS(load(bytes({0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40}), v),
                    cereal::Exception);
    CHECK(s.empty());
    CHECK(v.empty());
  }
}
