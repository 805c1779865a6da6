// Ids held compactly: a canonical UUID in its 16 bytes, anything else as given; every id reads
// back exactly as it was set, whichever way it is held.
#include "codec/uuid.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

using perdure::detail::compact_id;

BOOST_AUTO_TEST_SUITE(compact_ids)

BOOST_AUTO_TEST_CASE(a_generated_uuid_is_held_in_24_bytes_and_reads_back_as_given) {
    static_assert(sizeof(compact_id) == 24);
    const std::string id = perdure::detail::uuid_v4(0x0123456789abcdefULL, 0xfedcba9876543210ULL);
    const compact_id held = id;
    BOOST_TEST(held.str() == id);
    BOOST_TEST(!held.empty());
    BOOST_TEST((held == id));
    BOOST_TEST(!(held == "f" + id.substr(1)));
}

BOOST_AUTO_TEST_CASE(any_other_id_reads_back_exactly_as_given) {
    const std::vector<std::string> ids = {
        "",
        "order-42",
        "00000000-0000-0000-0000-000000000000",    // the nil UUID: text, since zero bytes mean empty
        "0123ABCD-89ab-4def-8dcb-a98765432100",    // uppercase is not what perdure generates
        "0123abcd-89ab-4def-8dcb-a9876543210",     // one character short
        "0123abcd-89ab-4def-8dcb-a987654321000",   // one too many
        "0123abcd+89ab-4def-8dcb-a98765432100",    // a separator that is not a dash
        "0123abcg-89ab-4def-8dcb-a98765432100",    // not hex
        std::string("0123abcd-89ab-4def-8dcb-a98765432\0"
                    "00",
                    36),
    };
    for (const auto& id : ids) {
        const compact_id held = id;
        BOOST_TEST(held.str() == id);
        BOOST_TEST((held == id));
        BOOST_TEST(held.empty() == id.empty());
    }
}

BOOST_AUTO_TEST_CASE(copies_are_equal_and_independent) {
    compact_id a = "caller-request-7", b = a;
    BOOST_TEST((a == b));
    a = "0123abcd-89ab-4def-8dcb-a98765432100";
    BOOST_TEST(b.str() == "caller-request-7");
    BOOST_TEST(!(a == b));
    b = a;
    BOOST_TEST((a == b));
    BOOST_TEST((compact_id{} == compact_id("")));
    BOOST_TEST(!(compact_id("x") == compact_id{}));
}

BOOST_AUTO_TEST_SUITE_END()
