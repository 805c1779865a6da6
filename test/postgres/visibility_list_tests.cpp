// client::list(query) and client::count on both stores: filters on custom and system attributes,
// pages that stay correct while runs are added, tokens bound to their query, counts by status,
// and hostile query text that finds nothing or is refused, never run as SQL.
#include "store_backends.hpp"
#include "support/error_text.hpp"

#include <perdure/perdure.hpp>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <set>

using perdure::search_attribute_type;
using perdure::workflow_status;
using perdure::test::contains;

namespace {

perdure::workflow<int> waiter(perdure::workflow_context& ctx, int n) {
    co_await ctx.sleep(std::chrono::hours(1));
    co_return n;
}
const perdure::workflow_def waiter_workflow{"Waiter", &waiter};

/// An engine with 30 orders: customers c0, c1, c2 in turn, amounts 0..29; every third one
/// (the c0 orders) terminated.
template <class Backend>
struct orders {
    Backend backend;
    perdure::engine engine{backend.options()};
    perdure::client client = (engine.namespaces().ensure("default"), engine.client_for("default"));

    orders() {
        engine.add_worker("default", "q").register_workflow(waiter_workflow);
        engine.start();
        auto& ns = engine.namespaces();
        ns.add_search_attribute("default", "Customer", search_attribute_type::keyword);
        ns.add_search_attribute("default", "Amount", search_attribute_type::integer);
        ns.add_search_attribute("default", "Tags", search_attribute_type::keyword_list);
        ns.add_search_attribute("default", "Note", search_attribute_type::text);
        for (int i = 0; i < 30; ++i) start(i);
    }
    void start(int i) {
        auto h = client.start_workflow(
            waiter_workflow, i,
            {.id = "order-" + std::to_string(i),
             .task_queue = "q",
             .search_attributes = {{"Customer", "c" + std::to_string(i % 3)},
                                   {"Amount", std::int64_t{i}},
                                   {"Tags", std::vector<std::string>{i % 2 ? "odd" : "even", "all"}},
                                   {"Note", std::string(i == 7 ? "Rush order for O'Brien" : "standard")}}});
        if (i % 3 == 0) h.terminate("done");
    }
    std::set<std::string> ids(std::string_view query) {
        std::set<std::string> out;
        for (const auto& w : client.list(query, 1000).executions) out.insert(w.workflow_id);
        return out;
    }
};

std::set<std::string> orders_of(std::initializer_list<int> numbers) {
    std::set<std::string> out;
    for (int n : numbers) out.insert("order-" + std::to_string(n));
    return out;
}

template <class F>
std::string invalid(F&& f) {
    try {
        f();
    } catch (const perdure::invalid_argument& e) {
        return e.what();
    }
    return "no invalid_argument";
}

}   // namespace

BOOST_AUTO_TEST_SUITE(visibility_list, *boost::unit_test::precondition(perdure::test::postgres_available{}))

BOOST_AUTO_TEST_CASE_TEMPLATE(filters_find_runs_by_custom_and_system_attributes, Backend,
                              perdure::test::store_backends) {
    orders<Backend> o;
    BOOST_TEST(o.ids("Customer = 'c1' AND Amount < 10") == orders_of({1, 4, 7}), boost::test_tools::per_element());
    BOOST_TEST(o.ids("Amount BETWEEN 27 AND 100 OR WorkflowId = 'order-2'") == orders_of({2, 27, 28, 29}),
               boost::test_tools::per_element());
    BOOST_TEST(o.ids("Tags = 'odd' AND Customer IN ('c0', 'c2') AND Amount < 12") == orders_of({3, 5, 9, 11}),
               boost::test_tools::per_element());
    BOOST_TEST(o.ids("Note = 'RUSH' AND ExecutionStatus = 'Running'") == orders_of({7}),
               boost::test_tools::per_element());
    BOOST_TEST(o.ids("Customer = 'c0' AND ExecutionStatus = 'Terminated' AND Amount >= 24") == orders_of({24, 27}),
               boost::test_tools::per_element());
    BOOST_TEST(o.ids("CloseTime IS NULL AND Amount < 4") == orders_of({1, 2}), boost::test_tools::per_element());
    BOOST_TEST(o.ids("HistoryLength >= 2 AND Amount < 3") == orders_of({0, 1, 2}), boost::test_tools::per_element());
    BOOST_TEST(o.ids("WorkflowId STARTS_WITH 'order-2' AND Amount > 25") == orders_of({26, 27, 28, 29}),
               boost::test_tools::per_element());
    const auto one = o.client.list("WorkflowId = 'order-4'").executions;
    BOOST_REQUIRE_EQUAL(one.size(), 1u);
    BOOST_TEST(std::get<std::string>(one[0].search_attributes.at("Customer")) == "c1");
    BOOST_TEST((one[0].status == workflow_status::running));
}

BOOST_AUTO_TEST_CASE_TEMPLATE(counts_answer_in_total_and_by_status, Backend, perdure::test::store_backends) {
    orders<Backend> o;
    BOOST_TEST(o.client.count() == 30);
    BOOST_TEST(o.client.count("Customer = 'c2'") == 10);
    BOOST_TEST(o.client.count("ExecutionStatus = 'Running' GROUP BY ExecutionStatus") == 20);
    const perdure::workflow_counts expected{30, {{workflow_status::running, 20}, {workflow_status::terminated, 10}}};
    BOOST_TEST((o.client.count_groups("GROUP BY ExecutionStatus") == expected));
    BOOST_TEST(contains(invalid([&] { o.client.list("GROUP BY ExecutionStatus"); }), "GROUP BY is for count_groups"));
    BOOST_TEST((o.client.count_groups("Amount < 3") ==
                perdure::workflow_counts{3, {{workflow_status::running, 2}, {workflow_status::terminated, 1}}}));
}

BOOST_AUTO_TEST_CASE_TEMPLATE(pages_stay_correct_while_runs_are_added, Backend, perdure::test::store_backends) {
    orders<Backend> o;
    int added = 100;
    for (const char* query : {"", "ORDER BY Amount ASC", "Customer != 'c1' ORDER BY Customer DESC, StartTime"}) {
        const auto all = o.client.list(query, 1000).executions;
        std::vector<std::string> seen;
        std::string token;
        int pages = 0;
        do {
            auto page = o.client.list(query, 7, token);
            for (const auto& w : page.executions) seen.push_back(w.run_id);
            token = page.next_page_token;
            if (pages++ == 1) o.start(added++);   // a new run, sorting before or after the pages read so far
        } while (!token.empty());
        std::vector<std::string> before;
        for (const auto& w : all) before.push_back(w.run_id);
        std::vector<std::string> seen_old;
        for (const auto& id : seen)
            if (std::find(before.begin(), before.end(), id) != before.end()) seen_old.push_back(id);
        BOOST_TEST(seen_old == before, boost::test_tools::per_element());   // in order, none twice, none missed
    }
    const auto by_amount = o.client.list("Amount > 20 AND Amount < 30 ORDER BY Amount DESC", 3).executions;
    BOOST_REQUIRE_EQUAL(by_amount.size(), 3u);
    BOOST_TEST(by_amount[0].workflow_id == "order-29");
    BOOST_TEST(by_amount[2].workflow_id == "order-27");
}

BOOST_AUTO_TEST_CASE_TEMPLATE(pages_follow_an_order_whose_later_key_some_runs_lack, Backend,
                              perdure::test::store_backends) {
    orders<Backend> o;
    for (int i = 0; i < 4; ++i)   // no Amount: they sort last among their customer's runs
        o.client.start_workflow(waiter_workflow, i,
                                {.id = "unpriced-" + std::to_string(i),
                                 .task_queue = "q",
                                 .search_attributes = {{"Customer", "c" + std::to_string(i % 2)}}});
    for (const char* query : {"ORDER BY Customer, Amount", "ORDER BY Customer DESC, Amount DESC, WorkflowId"}) {
        std::vector<std::string> all;
        for (const auto& w : o.client.list(query, 1000).executions) all.push_back(w.workflow_id);
        BOOST_TEST_REQUIRE(all.size() == 34u);
        std::vector<std::string> paged;
        std::string token;
        do {   // one run a page: every token holds a run's keys, a missing Amount among them
            auto page = o.client.list(query, 1, token);
            for (const auto& w : page.executions) paged.push_back(w.workflow_id);
            token = page.next_page_token;
        } while (!token.empty());
        BOOST_TEST(paged == all, boost::test_tools::per_element());
    }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(a_token_is_bound_to_its_query_and_refused_when_damaged, Backend,
                              perdure::test::store_backends) {
    orders<Backend> o;
    const auto token = o.client.list("Customer = 'c1'", 2).next_page_token;
    BOOST_REQUIRE(!token.empty());
    BOOST_TEST(o.client.list("Customer   =   'c1'", 2, token).executions.size() == 2u);   // same query, other spacing
    const auto other = invalid([&] { o.client.list("Customer = 'c2'", 2, token); });
    BOOST_TEST(contains(other, "list again without a page token"), other);
    auto damaged = token;
    damaged[damaged.size() / 2] = damaged[damaged.size() / 2] == 'A' ? 'B' : 'A';
    BOOST_TEST(contains(invalid([&] { o.client.list("Customer = 'c1'", 2, damaged); }), "without a page token"));
    BOOST_TEST(contains(invalid([&] { o.client.list("Customer = 'c1'", 2, "not a token!"); }), "without a page token"));
    BOOST_TEST(contains(invalid([&] { o.client.list("Customer = 'c1'", 2, std::string(100'000, 'A')); }),
                        "without a page token"));
}

BOOST_AUTO_TEST_CASE_TEMPLATE(hostile_queries_find_nothing_or_are_refused, Backend, perdure::test::store_backends) {
    orders<Backend> o;
    // Inside a string, SQL is just text to compare.
    BOOST_TEST(o.ids("Customer = 'c1''; DROP TABLE executions; --'").empty());
    BOOST_TEST(o.ids("Customer = \"x\\\" OR 1=1 --\"").empty());
    BOOST_TEST(o.ids("Note = 'O''Brien'") == orders_of({7}), boost::test_tools::per_element());
    BOOST_TEST(o.ids("`Customer` = 'c1' AND Amount < 2") == orders_of({1}), boost::test_tools::per_element());
    BOOST_TEST(o.ids("Customer IN ('" + std::string(1'000'000, 'x') + "')").empty());   // 1 MB of text
    // Outside one, it does not parse.
    for (const std::string& query :
         {std::string("Customer = 'c1'; DROP TABLE executions"), std::string("Customer = 'c1' -- comment"),
          std::string("Customer = 'c1' /* comment */"), std::string("Customer = 'c1' OR 1=1"),
          std::string("Customer = 'c1'\0 OR TRUE", 24), std::string("Customer = 'c\0'", 15),
          std::string("`Customer` = 'c1`"), std::string("Amount = 1 UNION SELECT * FROM executions"),
          std::string(200'000, '(')}) {
        const auto message = invalid([&] { o.client.list(query); });
        BOOST_TEST(message != "no invalid_argument", query.substr(0, 80));
        BOOST_TEST(message.size() < 2000u);
        BOOST_TEST(invalid([&] { o.client.count(query); }) == message);
    }
    std::string long_or = "Amount = 0";
    for (int i = 1; i < 400; ++i) long_or += " OR Amount = " + std::to_string(i);
    BOOST_TEST(o.client.count(long_or) == 30);
    BOOST_TEST(o.client.count() == 30);   // every table still there
    BOOST_TEST(contains(invalid([&] { o.client.list("Custmer = 'c1'"); }), "did you mean 'Customer'?"));
}

BOOST_AUTO_TEST_CASE_TEMPLATE(the_deepest_queries_allowed_run_and_deeper_ones_are_refused, Backend,
                              perdure::test::store_backends) {
    orders<Backend> o;
    // A hundred NOTs: SQLite's parser overflowed at 45 when they nested in the SQL.
    std::string nots;
    for (int i = 0; i < 100; ++i) nots += "NOT ";
    BOOST_TEST(o.client.count(nots + "Customer = 'c1'") == 10);
    BOOST_TEST(o.client.count(nots.substr(4) + "Customer = 'c1'") == 20);   // 99: the others
    // Sixteen AND and OR groups within one another, NOTs between them, the heaviest condition,
    // and an order of eight attributes through a page token.
    const auto nested = [](int groups) {
        std::string q = "HistorySizeBytes > 0";
        for (int i = 0; i < groups; ++i)
            q = "(Note = 'standard rush' " + std::string(i % 2 ? "OR" : "AND") + " NOT " + q + ")";
        return q;
    };
    const std::string order =
        " ORDER BY Amount, Customer, StartTime, CloseTime, WorkflowId, RunId, HistoryLength, "
        "ExecutionTime";
    const auto first = o.client.list(nested(16) + order, 1);
    BOOST_TEST(first.executions.size() == 1u);
    BOOST_TEST(o.client.list(nested(16) + order, 1, first.next_page_token).executions.size() <= 1u);
    BOOST_TEST(contains(invalid([&] { o.client.count(nested(17)); }),
                        "the query nests AND and OR groups deeper than 16 levels"));
    BOOST_TEST(contains(invalid([&] { o.client.list(nested(1) + order + ", TaskQueue"); }),
                        "ORDER BY takes at most 8 attributes"));
}

BOOST_AUTO_TEST_SUITE_END()
