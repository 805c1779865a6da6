// Building the fixture's database through the public API, as an application would.
#include "cli_fixture.hpp"

#include "test_workflow.hpp"

#include "support/test_store.hpp"

#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <thread>

namespace perdure::test {

cli_fixture::cli_fixture() : db(fresh_database(dir)) {
    perdure::engine engine({.database = db, .durability = durability::normal});
    register_app_worker(engine);
    engine.start();
    auto client = engine.client_for(app_ns);
    for (const char* id : {"order-1", "order-2", "order-3"})
        client.start_workflow(wait_for_go_workflow, id, {.id = id, .task_queue = app_queue});
    auto done = client.start_workflow(wait_for_go_workflow, "order-0", {.id = "order-0", .task_queue = app_queue});
    done.signal("go", std::string("early"));
    BOOST_REQUIRE_EQUAL(done.get(), "order-0 went early");
}

boost::json::value cli_fixture::json(std::string_view line) const {
    auto args = words(line);
    args.insert(args.end(), {"--output", "json"});
    const auto r = run_cli(args, db);
    BOOST_TEST_INFO("perdure " << line << ": " << r.err);
    BOOST_REQUIRE_EQUAL(r.code, 0);
    boost::system::error_code ec;
    auto v = boost::json::parse(r.out, ec);
    BOOST_TEST_INFO("output: " << r.out);
    BOOST_REQUIRE(!ec);
    return v;
}

std::string cli_fixture::wait_for_status(const std::string& id, const std::string& status) const {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    std::string seen;
    do {
        seen = json("workflow describe --namespace app --workflow-id " + id).at("status").as_string().c_str();
        if (seen == status) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));   // polling another process's progress
    } while (std::chrono::steady_clock::now() < deadline);
    return seen;
}

}   // namespace perdure::test
