// Search attributes on a PostgreSQL database: registered, given at start, shown by describe and
// list after a reopen, and a schema of version 1 migrated to carry them.
#include "store/postgres/pg_connection.hpp"
#include "store/postgres/pg_schema.hpp"
#include "support/postgres_cluster.hpp"

#include <perdure/perdure.hpp>

#include <boost/test/unit_test.hpp>

using namespace std::chrono_literals;
using perdure::search_attribute_type;
using perdure::test::postgres_available;
using perdure::test::postgres_cluster;
namespace pg = perdure::detail::pg;

namespace {

perdure::workflow<int> waiter(perdure::workflow_context& ctx, int n) {
    co_await ctx.sleep(std::chrono::hours(1));
    co_return n;
}
const perdure::workflow_def waiter_workflow{"Waiter", &waiter};

perdure::engine_options options(const std::string& uri) {
    return {.database = uri, .durability = perdure::durability::off};
}

void setup(perdure::engine& e) {
    e.namespaces().ensure("default");
    e.add_worker("default", "q").register_workflow(waiter_workflow);
    e.start();
}

std::int64_t scalar(const std::string& uri, const char* sql) {
    pg::connection c(uri, "perdure tests");
    return c.exec(sql).int64(0, 0);
}

}   // namespace

BOOST_AUTO_TEST_SUITE(postgres_search_attributes, *boost::unit_test::precondition(postgres_available{}))

BOOST_AUTO_TEST_CASE(attributes_given_at_start_read_back_after_a_reopen) {
    const auto uri = postgres_cluster::instance().create_database();
    const auto due = std::chrono::system_clock::time_point(std::chrono::microseconds(1'750'000'000'123'456));
    const perdure::search_attributes given{{"Customer", std::string("c42")},
                                           {"Note", std::string("Rush order")},
                                           {"Amount", std::int64_t{7}},
                                           {"Score", 2.5},
                                           {"Paid", true},
                                           {"Due", due},
                                           {"Tags", std::vector<std::string>{"a", "b"}}};
    {
        perdure::engine e(options(uri));
        setup(e);
        auto& ns = e.namespaces();
        ns.add_search_attribute("default", "Customer", search_attribute_type::keyword);
        ns.add_search_attribute("default", "Note", search_attribute_type::text);
        ns.add_search_attribute("default", "Amount", search_attribute_type::integer);
        ns.add_search_attribute("default", "Score", search_attribute_type::floating);
        ns.add_search_attribute("default", "Paid", search_attribute_type::boolean);
        ns.add_search_attribute("default", "Due", search_attribute_type::datetime);
        ns.add_search_attribute("default", "Tags", search_attribute_type::keyword_list);
        BOOST_CHECK_THROW(ns.add_search_attribute("default", "Customer", search_attribute_type::integer),
                          perdure::already_exists);
        e.client_for("default").start_workflow(waiter_workflow, 1,
                                               {.id = "o", .task_queue = "q", .search_attributes = given});
    }
    perdure::engine e(options(uri));
    setup(e);
    BOOST_TEST(e.namespaces().search_attributes("default").size() == 7u);
    auto c = e.client_for("default");
    BOOST_TEST((c.get_handle("o").describe().search_attributes == given));
    BOOST_TEST((c.list().at(0).search_attributes == given));
    BOOST_TEST(scalar(uri, "SELECT count(*) FROM perdure.search_attribute_values") == 8);   // Tags: two rows
    e.namespaces().remove_search_attribute("default", "Tags");
    BOOST_TEST(scalar(uri, "SELECT count(*) FROM perdure.search_attribute_values") == 6);
    c.get_handle("o").terminate();
    BOOST_TEST(scalar(uri, "SELECT history_length FROM perdure.executions") ==
               static_cast<std::int64_t>(c.get_handle("o").history().size()));
}

BOOST_AUTO_TEST_CASE(a_schema_of_version_1_is_migrated_to_carry_search_attributes) {
    const auto uri = postgres_cluster::instance().create_database();
    {
        perdure::engine e(options(uri));
        setup(e);
        auto h = e.client_for("default").start_workflow(waiter_workflow, 1, {.id = "w", .task_queue = "q"});
        h.terminate();
    }
    // What version 1 was: no visibility columns or tables (nor version 3's sequence, version 4's
    // fence function or version 5's shared task table, nor version 8's refusal).
    pg::connection(uri, "perdure tests")
        .run(
            "DROP TABLE perdure.queue_tasks; DROP FUNCTION perdure.fence; DROP FUNCTION perdure.fence_refused; DROP SEQUENCE perdure.run_key_blocks; DROP TABLE perdure.search_attribute_types; DROP TABLE perdure.search_attribute_values; "
            "DROP INDEX perdure.executions_by_start; ALTER TABLE perdure.executions DROP COLUMN execution_time, "
            "DROP COLUMN history_length, DROP COLUMN history_size_bytes, DROP COLUMN parent_workflow_id, "
            "DROP COLUMN parent_run_id, DROP COLUMN root_workflow_id, DROP COLUMN root_run_id, "
            "DROP COLUMN search_attributes; UPDATE perdure.schema_version SET version = 1");
    perdure::engine e(options(uri));
    setup(e);
    BOOST_TEST(scalar(uri, "SELECT version FROM perdure.schema_version") == perdure::detail::pg_schema_version);
    BOOST_TEST(scalar(uri, "SELECT history_length FROM perdure.executions WHERE workflow_id = 'w'") ==
               static_cast<std::int64_t>(e.client_for("default").get_handle("w").history().size()));
    e.namespaces().add_search_attribute("default", "Customer", search_attribute_type::keyword);
    auto h = e.client_for("default").start_workflow(
        waiter_workflow, 2, {.id = "n", .task_queue = "q", .search_attributes = {{"Customer", std::string("c")}}});
    BOOST_TEST(h.describe().search_attributes.size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
