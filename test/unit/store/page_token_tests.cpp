// Page tokens of client::list(query): the keys they carry read back exactly, and a token that
// was damaged, made for another query or for another number of keys is refused.
#include "client/page_token.hpp"

#include <perdure/error.hpp>

#include <boost/test/unit_test.hpp>

using namespace perdure::detail;

BOOST_AUTO_TEST_SUITE(page_tokens)

BOOST_AUTO_TEST_CASE(keys_read_back_exactly) {
    const std::vector<sort_value> keys{std::monostate{}, std::int64_t{-42}, 2.5, std::string("c'\"\\\n\xc3\xa9")};
    const auto token = encode_page_token("default/CustomerId = 'c1'", keys);
    BOOST_TEST(token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
               std::string::npos);
    BOOST_TEST((decode_page_token(token, "default/CustomerId = 'c1'", 4) == keys));
}

BOOST_AUTO_TEST_CASE(a_token_of_another_query_or_shape_or_a_damaged_one_is_refused) {
    const auto token = encode_page_token("q1", {std::int64_t{1}, std::int64_t{2}, std::int64_t{3}});
    const auto refused = [](auto f) {
        try {
            f();
        } catch (const perdure::invalid_argument& e) {
            return std::string(e.what()).find("list again without a page token") != std::string::npos;
        }
        return false;
    };
    BOOST_TEST(refused([&] { decode_page_token(token, "q2", 3); }));
    BOOST_TEST(refused([&] { decode_page_token(token, "q1", 2); }));
    BOOST_TEST(refused([&] { decode_page_token(token.substr(0, token.size() - 2), "q1", 3); }));
    BOOST_TEST(refused([&] { decode_page_token("%%%", "q1", 3); }));
    BOOST_TEST(refused([&] { decode_page_token(std::string(1, '\0'), "q1", 3); }));
    BOOST_TEST(refused([&] { decode_page_token("", "q1", 3); }));
}

BOOST_AUTO_TEST_SUITE_END()
