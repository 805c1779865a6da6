// Finding workflows from the command line: `workflow list --query`, `workflow count` and the
// search attributes `workflow describe` shows, read beside the data an application wrote.
#include "cli_fixture.hpp"
#include "test_workflow.hpp"

#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <string>

namespace {

using perdure::test::cli_fixture;

/// The fixture, plus a Keyword attribute CustomerId in "app" and two runs of customer c42
/// (cust-1, cust-2) and one of c7 (cust-3), all waiting for "go".
struct customers : cli_fixture {
    customers() {
        perdure::engine engine({.database = db, .durability = perdure::durability::normal});
        perdure::test::register_app_worker(engine);
        engine.namespaces().add_search_attribute(perdure::test::app_ns, "CustomerId",
                                                 perdure::search_attribute_type::keyword);
        engine.start();
        auto client = engine.client_for(perdure::test::app_ns);
        for (auto [id, customer] : {std::pair{"cust-1", "c42"}, {"cust-2", "c42"}, {"cust-3", "c7"}})
            client.start_workflow(perdure::test::wait_for_go_workflow, id,
                                  {.id = id,
                                   .task_queue = perdure::test::app_queue,
                                   .search_attributes = {{"CustomerId", std::string(customer)}}});
    }
};

/// `before`, the query as one argument, then `after`.
std::vector<std::string> args(std::string_view before, std::string query, const std::string& after = {}) {
    auto out = perdure::test::words(before);
    out.push_back(std::move(query));
    for (auto& w : perdure::test::words(after)) out.push_back(std::move(w));
    return out;
}

boost::json::value json_of(const cli_fixture& f, std::vector<std::string> line) {
    line.insert(line.end(), {"--output", "json"});
    const auto r = f.perdure(line);
    BOOST_TEST_INFO("stderr: " << r.err);
    BOOST_REQUIRE_EQUAL(r.code, 0);
    return boost::json::parse(r.out);
}

std::string ids_of(const boost::json::value& executions) {
    std::string out;
    for (const auto& e : executions.as_array()) out += std::string(e.at("workflow_id").as_string()) + " ";
    return out;
}

}   // namespace

BOOST_AUTO_TEST_SUITE(visibility)

BOOST_FIXTURE_TEST_CASE(list_query_finds_runs_by_search_attribute, customers) {
    const auto page = json_of(*this, args("workflow list -n app -q", "CustomerId = 'c42'"));
    BOOST_TEST(ids_of(page.at("executions")) == "cust-2 cust-1 ");   // open runs, newest first
    BOOST_TEST(page.at("next_page_token").as_string() == "");
    const auto& attrs = page.at("executions").at(0).at("search_attributes");
    BOOST_TEST(attrs.at("CustomerId").at("type").as_string() == "Keyword");
    BOOST_TEST(attrs.at("CustomerId").at("value").as_string() == "c42");

    const auto table =
        perdure(args("workflow list -n app --query", "CustomerId = 'c7' AND ExecutionStatus = 'Running'"));
    BOOST_REQUIRE_EQUAL(table.code, 0);
    BOOST_TEST(table.out.find("cust-3") != std::string::npos);
    BOOST_TEST(table.out.find("cust-1") == std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(list_query_pages_with_the_token_it_prints, customers) {
    const auto first = json_of(*this, args("workflow list -n app -q", "CustomerId = 'c42'", "--limit 1"));
    BOOST_TEST(ids_of(first.at("executions")) == "cust-2 ");
    const std::string token(first.at("next_page_token").as_string());
    BOOST_REQUIRE(!token.empty());
    const auto second =
        json_of(*this, args("workflow list -n app -q", "CustomerId = 'c42'", "--limit 1 --page-token " + token));
    BOOST_TEST(ids_of(second.at("executions")) == "cust-1 ");

    const auto table = perdure(args("workflow list -n app -q", "CustomerId = 'c42'", "--limit 1"));
    BOOST_TEST(table.out.find("Next page: --page-token " + token) != std::string::npos);
    // A token belongs to its query.
    const auto other = perdure(args("workflow list -n app -q", "CustomerId = 'c7'", "--page-token " + token));
    BOOST_TEST(other.code == 1);
    BOOST_TEST(other.err.find("without a page token") != std::string::npos, other.err);
}

BOOST_FIXTURE_TEST_CASE(bad_queries_exit_1_pointing_at_the_column, customers) {
    const auto typo = perdure(args("workflow list -n app -q", "CustomrId = 'c42'"));
    BOOST_TEST(typo.code == 1);
    BOOST_TEST(typo.err.find("unknown search attribute 'CustomrId' at column 1; did you mean 'CustomerId'?") !=
                   std::string::npos,
               typo.err);
    for (const char* hostile : {"CustomerId = 'x'; DROP TABLE executions", "CustomerId = 'x' -- comment",
                                "CustomerId = 'x' OR 1=1", "CustomerId = 'unterminated"}) {
        const auto r = perdure({"workflow", "list", "-n", "app", "-q", hostile});
        BOOST_TEST(r.code == 1, hostile << ": " << r.err);
        BOOST_TEST(r.err.find("column") != std::string::npos, hostile << ": " << r.err);
    }
    const auto quoted = json_of(*this, args("workflow list -n app -q", "CustomerId = 'x'' OR ''1''=''1'"));
    BOOST_TEST(quoted.at("executions").as_array().empty());                  // a quote inside a value is a value
    BOOST_TEST(json("workflow count -n app").at("count").as_int64() == 7);   // nothing was dropped
    const auto group = perdure(args("workflow list -n app -q", "GROUP BY ExecutionStatus"));
    BOOST_TEST(group.code == 1);
    BOOST_TEST(group.err.find("workflow count") != std::string::npos, group.err);
}

BOOST_FIXTURE_TEST_CASE(status_and_query_do_not_combine, customers) {
    const auto r = perdure(args("workflow list -n app -q", "CustomerId = 'c42'", "--status running"));
    BOOST_TEST(r.code == 2);
    BOOST_TEST(r.err.find("ExecutionStatus = 'Running'") != std::string::npos, r.err);
    BOOST_TEST(perdure("workflow list -n app --status running").code == 0);   // alone it still works
}

BOOST_FIXTURE_TEST_CASE(count_prints_the_total_and_groups_by_status, customers) {
    BOOST_TEST(json_of(*this, args("workflow count -n app -q", "CustomerId = 'c42'")).at("count").as_int64() == 2);
    const auto table = perdure(args("workflow count -n app -q", "CustomerId = 'c42'"));
    BOOST_TEST(table.out == "Total: 2\n");

    const auto groups = json_of(*this, args("workflow count -n app -q", "GROUP BY ExecutionStatus"));
    BOOST_TEST(groups.at("count").as_int64() == 7);
    const auto& g = groups.at("groups").as_array();
    BOOST_REQUIRE_EQUAL(g.size(), 2u);
    BOOST_TEST(g[0].at("group_values").at(0).as_string() == "running");
    BOOST_TEST(g[0].at("count").as_int64() == 6);
    BOOST_TEST(g[1].at("group_values").at(0).as_string() == "completed");
    BOOST_TEST(g[1].at("count").as_int64() == 1);
    const auto grouped = perdure(args("workflow count -n app -q", "GROUP BY ExecutionStatus"));
    BOOST_TEST(grouped.out == "Total: 7\n  Group total: 6, values: running\n  Group total: 1, values: completed\n");

    const auto bad = perdure(args("workflow count -n app -q", "CustomerId = 42"));
    BOOST_TEST(bad.code == 1);
    BOOST_TEST(bad.err.find("column 14") != std::string::npos, bad.err);
}

BOOST_FIXTURE_TEST_CASE(describe_shows_search_attributes, customers) {
    const auto info = json("workflow describe -n app -w cust-3");
    BOOST_TEST(info.at("search_attributes").at("CustomerId").at("value").as_string() == "c7");
    const auto card = perdure("workflow describe -n app -w cust-3");
    BOOST_TEST(card.out.find("SearchAttributes") != std::string::npos, card.out);
    BOOST_TEST(card.out.find("{\"CustomerId\":\"c7\"}") != std::string::npos, card.out);
    BOOST_TEST(json("workflow describe -n app -w order-1").at("search_attributes").as_object().empty());
}

BOOST_AUTO_TEST_SUITE_END()
