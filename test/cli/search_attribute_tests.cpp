// perdure operator search-attribute create | list | remove on the fixture's database, and what
// they refuse: a bad type, an unknown name, a removal nobody confirmed; with no engine running,
// and through a running engine's inbox.
#include "cli_fixture.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

namespace {

using perdure::test::cli_fixture;

}   // namespace

BOOST_AUTO_TEST_SUITE(search_attributes)

BOOST_FIXTURE_TEST_CASE(create_list_and_remove_with_temporals_flags, cli_fixture) {
    const auto created =
        perdure("operator search-attribute create -n app --name CustomerId --type keyword --name Amount --type INT");
    BOOST_REQUIRE_EQUAL(created.code, 0);
    BOOST_TEST(created.out ==
               "Search attribute CustomerId added to namespace app.\n"
               "Search attribute Amount added to namespace app.\n");
    BOOST_TEST(perdure("operator search-attribute list -n app").out ==
               "NAME        TYPE\nAmount      Int\nCustomerId  Keyword\n");
    const auto listed = json("operator search-attribute list -n app");
    BOOST_TEST(listed.as_array().size() == 2u);
    BOOST_TEST(listed.at(1).at("type").as_string() == "Keyword");
    // The attribute is usable in queries at once.
    BOOST_TEST(perdure({"workflow", "count", "-n", "app", "-q", "Amount > 3"}).out == "Total: 0\n");

    const auto removed = json("operator search-attribute remove -n app --name Amount --yes");
    BOOST_TEST(removed.at("op").as_string() == "search-attribute.remove");
    BOOST_TEST(json("operator search-attribute list -n app").as_array().size() == 1u);
    const auto gone = perdure({"workflow", "count", "-n", "app", "-q", "Amount > 3"});
    BOOST_TEST(gone.code == 1);
    BOOST_TEST(gone.err.find("unknown search attribute 'Amount' at column 1") != std::string::npos, gone.err);
}

BOOST_FIXTURE_TEST_CASE(bad_input_is_refused_before_anything_changes, cli_fixture) {
    const auto bad_type = perdure("operator search-attribute create -n app --name A --type int --name B --type Strng");
    BOOST_TEST(bad_type.code == 1);
    BOOST_TEST(bad_type.err.find("unknown search attribute type 'Strng'; use Keyword, Text, Int") != std::string::npos,
               bad_type.err);
    BOOST_TEST(json("operator search-attribute list -n app").as_array().empty());   // A was not added either

    const auto unpaired = perdure("operator search-attribute create -n app --name A --type int --name B");
    BOOST_TEST(unpaired.code == 1);
    BOOST_TEST(unpaired.err.find("one --type for each --name") != std::string::npos, unpaired.err);

    const auto reserved = perdure("operator search-attribute create -n app --name WorkflowId --type keyword");
    BOOST_TEST(reserved.code == 1);
    BOOST_TEST(reserved.err.find("WorkflowId") != std::string::npos, reserved.err);

    const auto twice = perdure("operator search-attribute create -n app --name A --type int --name A --type keyword");
    BOOST_TEST(twice.code == 1);
    BOOST_TEST(twice.err.find("search attribute A is given twice") != std::string::npos, twice.err);
    const auto reserved_later = perdure(
        "operator search-attribute create -n app --name A --type int --name RunId "
        "--type keyword");
    BOOST_TEST(reserved_later.code == 1);
    BOOST_REQUIRE_EQUAL(perdure("operator search-attribute create -n app --name Held --type int").code, 0);
    const auto retyped = perdure("operator search-attribute create -n app --name A --type int --name Held --type text");
    BOOST_TEST(retyped.code == 1);
    BOOST_TEST(
        retyped.err.find("search attribute 'Held' already exists in namespace 'app' as Int") != std::string::npos,
        retyped.err);
    BOOST_TEST(json("operator search-attribute list -n app").as_array().size() == 1u);   // Held only: A never went in

    const auto missing_ns = perdure("operator search-attribute list -n nowhere");
    BOOST_TEST(missing_ns.code == 1);
    const auto unknown = perdure("operator search-attribute remove -n app --name Nope -y");
    BOOST_TEST(unknown.code == 1);
    BOOST_TEST(unknown.err.find("no search attribute 'Nope'") != std::string::npos, unknown.err);
}

BOOST_FIXTURE_TEST_CASE(remove_without_yes_is_refused_without_a_terminal, cli_fixture) {
    BOOST_REQUIRE_EQUAL(perdure("operator search-attribute create -n app --name Env --type Keyword").code, 0);
    const auto r = perdure("operator search-attribute remove -n app --name Env");
    BOOST_TEST(r.code == 1);
    BOOST_TEST(r.err.find("add --yes (-y)") != std::string::npos, r.err);
    BOOST_TEST(json("operator search-attribute list -n app").as_array().size() == 1u);   // still there
}

BOOST_FIXTURE_TEST_CASE(changes_go_through_a_running_engines_inbox, cli_fixture) {
    perdure::test::engine_host host(db);
    const auto created =
        json("operator search-attribute create -n app --name Env --type Keyword --name Size --type Int");
    BOOST_TEST(created.at("op") == "search-attribute.create");
    BOOST_TEST(created.at("route") == "inbox");
    BOOST_TEST(created.at("result").at("created").as_array().size() == 2u);
    const auto listed = json("operator search-attribute list -n app");
    BOOST_REQUIRE_EQUAL(listed.as_array().size(), 2u);
    BOOST_TEST(listed.at(0).at("name") == "Env");
    BOOST_TEST(listed.at(1).at("type") == "Int");
    BOOST_TEST(perdure({"workflow", "count", "-n", "app", "-q", "Size > 3"}).out == "Total: 0\n");

    // The engine's answer to a change it refuses, as the API would refuse it.
    const auto retyped = perdure("operator search-attribute create -n app --name Env --type Text");
    BOOST_TEST(retyped.code == 1);
    BOOST_TEST(retyped.err.find("already exists in namespace 'app' as Keyword") != std::string::npos, retyped.err);
    const auto bad_type = perdure("operator search-attribute create -n app --name X --type Strng");
    BOOST_TEST(bad_type.code == 1);
    const auto unknown = perdure("operator search-attribute remove -n app --name Nope -y");
    BOOST_TEST(unknown.code == 1);
    BOOST_TEST(unknown.err.find("no search attribute 'Nope'") != std::string::npos, unknown.err);

    const auto removed = perdure("operator search-attribute remove -n app --name Size --yes");
    BOOST_TEST(removed.code == 0, removed.err);
    BOOST_TEST(removed.out == "Search attribute Size removed from namespace app.\n");
    const auto left = json("operator search-attribute list -n app");
    BOOST_REQUIRE_EQUAL(left.as_array().size(), 1u);
    BOOST_TEST(left.at(0).at("name") == "Env");
    BOOST_TEST(json("operator search-attribute remove -n app --name Env -y").at("route") == "inbox");
    BOOST_TEST(json("operator search-attribute list -n app").as_array().empty());
    BOOST_TEST(host.stop() == 0);
}

BOOST_AUTO_TEST_SUITE_END()
