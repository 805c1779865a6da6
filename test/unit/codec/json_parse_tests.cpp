// JSON read back exactly: every double the serializer writes is the same double parsed again.
#include "codec/json_parse.hpp"

#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <cstring>
#include <random>

using perdure::detail::parse_json;

BOOST_AUTO_TEST_SUITE(json_parse)

BOOST_AUTO_TEST_CASE(every_double_comes_back_as_written) {
    std::mt19937_64 bits(20261208);
    for (int i = 0; i < 20000; ++i) {
        double d = 0;
        do {
            const auto b = bits();
            std::memcpy(&d, &b, sizeof d);
        } while (!std::isfinite(d));
        const auto text = boost::json::serialize(boost::json::value(d));
        const auto back = parse_json(text);
        BOOST_REQUIRE_MESSAGE(back.is_double() && back.get_double() == d, text);
    }
    // Ordinary amounts too, in an object, as a search attribute's value is stored.
    for (double d : {123456789.12345679, 1338.7664401253271, 0.1 + 0.2, 5e-324, 1.7976931348623157e308}) {
        const auto back = parse_json(boost::json::serialize(boost::json::object{{"Amount", d}}));
        BOOST_TEST(back.at("Amount").get_double() == d);
    }
}

BOOST_AUTO_TEST_CASE(the_rest_reads_as_boost_json_reads_it) {
    const auto v = parse_json(R"({"a":[1,-2,18446744073709551615,"s\u00e9",true,null,{"k":1.5e3}]})");
    const auto& a = v.at("a").as_array();
    BOOST_TEST(a.at(0).as_int64() == 1);
    BOOST_TEST(a.at(1).as_int64() == -2);
    BOOST_TEST(a.at(2).as_uint64() == 18446744073709551615ull);
    BOOST_TEST(a.at(3).as_string() == "s\xc3\xa9");
    BOOST_TEST(a.at(4).as_bool());
    BOOST_TEST(a.at(5).is_null());
    BOOST_TEST(a.at(6).at("k").as_double() == 1500.0);
    BOOST_TEST(parse_json("1e999").as_double() == std::numeric_limits<double>::infinity());
}

BOOST_AUTO_TEST_CASE(what_is_not_json_is_an_error) {
    for (const char* bad : {"", "{", "[1,]", "1 2", "{\"a\":1}x", "nul"}) {
        boost::system::error_code ec;
        parse_json(bad, ec);
        BOOST_TEST(ec.failed(), bad);
        BOOST_CHECK_THROW(parse_json(bad), boost::system::system_error);
    }
    // As deep as Boost's default allows, and no deeper.
    boost::system::error_code ec;
    parse_json(std::string(32, '[') + std::string(32, ']'), ec);
    BOOST_TEST(!ec.failed());
    parse_json(std::string(33, '[') + std::string(33, ']'), ec);
    BOOST_TEST(ec.failed());
}

BOOST_AUTO_TEST_SUITE_END()
