// The endpoint table on data: lookups by id and by name, renames, removal, the order of a
// listing, and the rules a new or changed endpoint must meet.
#include "nexus/endpoint_table.hpp"

#include <perdure/error.hpp>

#include <boost/test/unit_test.hpp>

#include <limits>
#include <string>
#include <vector>

using perdure::detail::endpoint_table;
using perdure::nexus::endpoint;
using perdure::nexus::endpoint_spec;

namespace {

const endpoint_table::namespace_check any_namespace = [](const std::string&) {};
const endpoint_table::namespace_check only_ns = [](const std::string& ns) {
    if (ns != "ns") throw perdure::not_found("namespace '" + ns + "' does not exist");
};

endpoint_spec spec(std::string name) {
    return {.name = std::move(name), .target_namespace = "ns", .target_task_queue = "q"};
}

endpoint stored(std::string id, std::string name) {
    return {.id = std::move(id), .version = 1, .spec = spec(std::move(name))};
}

const auto epoch = std::chrono::system_clock::time_point{};

}   // namespace

BOOST_AUTO_TEST_SUITE(nexus_endpoint_table)

BOOST_AUTO_TEST_CASE(endpoints_are_found_by_id_and_by_name_and_listed_by_name) {
    endpoint_table t;
    t.put(stored("id-2", "zeta"));
    t.put(stored("id-1", "alpha"));
    BOOST_REQUIRE(t.by_id("id-2"));
    BOOST_TEST(t.by_id("id-2")->spec.name == "zeta");
    BOOST_REQUIRE(t.by_name("alpha"));
    BOOST_TEST(t.by_name("alpha")->id == "id-1");
    BOOST_TEST(!t.by_name("id-1"));
    BOOST_TEST(!t.by_id("alpha"));
    const auto all = t.list();
    BOOST_REQUIRE(all.size() == 2u);
    BOOST_TEST(all[0].spec.name == "alpha");
    BOOST_TEST(all[1].spec.name == "zeta");
}

BOOST_AUTO_TEST_CASE(a_renamed_endpoint_keeps_its_id_and_gives_up_its_old_name) {
    endpoint_table t;
    t.put(stored("id-1", "old-name"));
    auto renamed = t.changed("old-name", {.name = "new-name"}, any_namespace, epoch);
    BOOST_TEST(!t.by_name("new-name"));   // not stored until put
    t.put(renamed);
    BOOST_TEST(!t.by_name("old-name"));
    BOOST_REQUIRE(t.by_name("new-name"));
    BOOST_TEST(t.by_name("new-name")->id == "id-1");
    BOOST_TEST(t.list().size() == 1u);
}

BOOST_AUTO_TEST_CASE(an_erased_endpoint_is_gone_by_id_and_by_name) {
    endpoint_table t;
    t.put(stored("id-1", "ep"));
    t.erase("id-1");
    BOOST_TEST(!t.by_id("id-1"));
    BOOST_TEST(!t.by_name("ep"));
    t.erase("id-1");   // twice: nothing happens
    BOOST_TEST(t.list().empty());
}

BOOST_AUTO_TEST_CASE(names_follow_temporals_rule) {
    endpoint_table t;
    for (const char* good : {"ab", "a-b", "A1", "orders-v2"})
        BOOST_CHECK_NO_THROW(t.check_create(spec(good), false, any_namespace));
    for (const std::string& bad :
         std::vector<std::string>{"a", "1ab", "-ab", "ab-", "a_b", "a b", std::string(201, 'a')})
        BOOST_CHECK_THROW(t.check_create(spec(bad), false, any_namespace), perdure::invalid_argument);
    BOOST_CHECK_NO_THROW(t.check_create(spec(std::string(200, 'a')), false, any_namespace));
}

BOOST_AUTO_TEST_CASE(a_taken_name_is_refused_unless_ensure_finds_it_identical) {
    endpoint_table t;
    t.put(stored("id-1", "ep"));
    BOOST_CHECK_THROW(t.check_create(spec("ep"), false, any_namespace), perdure::already_exists);
    const auto* same = t.check_create(spec("ep"), true, any_namespace);
    BOOST_REQUIRE(same);
    BOOST_TEST(same->id == "id-1");
    auto other = spec("ep");
    other.target_task_queue = "elsewhere";
    BOOST_CHECK_THROW(t.check_create(other, true, any_namespace), perdure::already_exists);
    BOOST_TEST(!t.check_create(spec("fresh"), true, any_namespace));   // nothing there: create it
}

BOOST_AUTO_TEST_CASE(a_new_endpoints_target_and_limits_are_checked) {
    endpoint_table t;
    auto s = spec("ep");
    s.target_namespace = "missing";
    BOOST_CHECK_THROW(t.check_create(s, false, only_ns), perdure::not_found);
    s.target_namespace = "";   // not set at all: an invalid argument, as Temporal says
    BOOST_CHECK_THROW(t.check_create(s, false, only_ns), perdure::invalid_argument);
    s = spec("ep");
    s.target_task_queue = "";
    BOOST_CHECK_THROW(t.check_create(s, false, only_ns), perdure::invalid_argument);
    s.target_task_queue = std::string(1001, 'q');
    BOOST_CHECK_THROW(t.check_create(s, false, only_ns), perdure::invalid_argument);
    s = spec("ep");
    s.description = std::string(20'001, 'd');
    BOOST_CHECK_THROW(t.check_create(s, false, only_ns), perdure::invalid_argument);
    for (double rate : {-1.0, std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity()}) {
        s = spec("ep");
        s.max_operations_per_second = rate;
        BOOST_CHECK_THROW(t.check_create(s, false, only_ns), perdure::invalid_argument);
    }
}

BOOST_AUTO_TEST_CASE(a_change_bumps_the_version_and_is_checked_like_a_new_endpoint) {
    endpoint_table t;
    t.put(stored("id-1", "ep"));
    t.put(stored("id-2", "taken"));
    const auto now = epoch + std::chrono::hours(1);
    const auto changed = t.changed("ep", {.target_task_queue = "q2", .max_operations_per_second = 5}, only_ns, now);
    BOOST_TEST(changed.version == 2);
    BOOST_TEST(changed.spec.target_task_queue == "q2");
    BOOST_TEST(changed.spec.max_operations_per_second == 5);
    BOOST_TEST((changed.last_modified == now));
    BOOST_TEST(t.by_name("ep")->version == 1);
    BOOST_CHECK_THROW(t.changed("nope", {}, only_ns, now), perdure::not_found);
    BOOST_CHECK_THROW(t.changed("ep", {.expected_version = 3}, only_ns, now), perdure::failed_precondition);
    BOOST_CHECK_THROW(t.changed("ep", {.name = "taken"}, only_ns, now), perdure::already_exists);
    BOOST_CHECK_THROW(t.changed("ep", {.name = "-bad"}, only_ns, now), perdure::invalid_argument);
    BOOST_CHECK_THROW(t.changed("ep", {.target_namespace = "missing"}, only_ns, now), perdure::not_found);
    BOOST_CHECK_THROW(t.changed("ep", {.target_namespace = ""}, only_ns, now), perdure::invalid_argument);
    BOOST_CHECK_THROW(t.changed("ep", {.target_task_queue = ""}, only_ns, now), perdure::invalid_argument);
    BOOST_CHECK_THROW(t.changed("ep", {.target_task_queue = std::string(1001, 'q')}, only_ns, now),
                      perdure::invalid_argument);
    BOOST_CHECK_THROW(t.changed("ep", {.max_operations_per_second = -2}, only_ns, now), perdure::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
