// The Asio surface: an engine on the caller's io_context, awaiting results from asio
// coroutines, async_ forms with completion tokens, and blocking calls refused on the strand.
#include "client/core_access.hpp"
#include "runtime/core.hpp"
#include "support/engine_fixture.hpp"
#include "support/test_store.hpp"

#include <perdure/asio.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <future>
#include <thread>

using namespace std::chrono_literals;
using perdure::test::temp_dir;

namespace {

const perdure::activity_def<int, int> add_one{"AddOne", [](perdure::activity_context&, int n) { return n + 1; }};
perdure::workflow<int> add(perdure::workflow_context& ctx, int n) {
    co_return co_await ctx.execute_activity(add_one, n, {.start_to_close_timeout = 10s});
}
const perdure::workflow_def add_workflow{"Add", &add};

/// Sums the numbers signalled on "add" until a 0; "total" queries the sum, "double" updates it.
perdure::workflow<int> tally(perdure::workflow_context& ctx, int start) {
    int total = start;
    ctx.set_query_handler("total", [&] { return total; });
    ctx.set_update_handler("double", [&](int times) -> perdure::workflow<int> { co_return total *= times; });
    auto numbers = ctx.signal_channel<int>("add");
    while (int n = co_await numbers.receive()) total += n;
    co_return total;
}
const perdure::workflow_def tally_workflow{"Tally", &tally};

}   // namespace

BOOST_AUTO_TEST_SUITE(asio_surface)

BOOST_AUTO_TEST_CASE(an_engine_runs_on_the_callers_io_context_and_results_are_awaitable) {
    temp_dir dir;
    boost::asio::io_context io;
    auto guard = boost::asio::make_work_guard(io);
    std::thread runner([&] { io.run(); });
    {
        perdure::engine engine(
            io, {.database = perdure::test::fresh_database(dir), .durability = perdure::durability::off});
        engine.namespaces().ensure("default");
        engine.add_worker("default", "q").register_workflow(add_workflow).register_activity(add_one);
        engine.start();
        auto client = engine.client_for("default");
        auto result = boost::asio::co_spawn(
            io,
            [&]() -> boost::asio::awaitable<int> {
                auto handle = co_await perdure::async_start_workflow(
                    client, add_workflow, 41, {.id = "a", .task_queue = "q"}, boost::asio::use_awaitable);
                co_return co_await handle.async_get();
            },
            boost::asio::use_future);
        BOOST_TEST(result.get() == 42);
        auto described = perdure::async_describe(client.get_handle("a"), boost::asio::use_future);
        BOOST_TEST(described.get().status == perdure::workflow_status::completed);
    }
    guard.reset();
    runner.join();
}

BOOST_AUTO_TEST_CASE(every_client_and_registry_call_has_an_async_form_for_asio_coroutines) {
    // The io_context completions are posted to outlives the engine, whose threads post them.
    boost::asio::io_context io;
    perdure::test::engine_fixture f;
    f.open([](perdure::engine& e) { e.add_worker("default", "q").register_workflow(tally_workflow); });
    auto& engine = f.engine();
    auto done = boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> {
            using boost::asio::use_awaitable;
            auto& namespaces = engine.namespaces();
            auto created = co_await perdure::async_create(namespaces, "orders", "order intake", use_awaitable);
            BOOST_TEST(created.description == "order intake");
            co_await perdure::async_ensure(namespaces, "orders", "", use_awaitable);
            auto retained = co_await perdure::async_set_retention(namespaces, "orders", 48h, use_awaitable);
            BOOST_TEST((retained.retention == 48h));
            BOOST_TEST((co_await perdure::async_list(namespaces, use_awaitable)).size() == 2u);
            BOOST_CHECK_THROW(co_await perdure::async_describe(namespaces, "nowhere", use_awaitable),
                              perdure::not_found);

            auto& endpoints = engine.nexus_endpoints();
            auto endpoint = co_await perdure::async_create(endpoints, {"orders-ep", "orders", "q", ""}, use_awaitable);
            auto moved = co_await perdure::async_update(
                endpoints, "orders-ep", {.target_task_queue = "q2", .expected_version = endpoint.version},
                use_awaitable);
            BOOST_TEST(moved.spec.target_task_queue == "q2");
            BOOST_TEST((co_await perdure::async_describe(endpoints, "orders-ep", use_awaitable)).version ==
                       moved.version);
            BOOST_TEST((co_await perdure::async_health(endpoints, "orders-ep", "", use_awaitable)).breaker == "closed");
            BOOST_TEST((co_await perdure::async_list(endpoints, use_awaitable)).size() == 1u);
            BOOST_TEST(co_await perdure::async_remove(endpoints, "orders-ep", use_awaitable));

            auto client = engine.client_for("default");
            auto handle = co_await perdure::async_signal_with_start(client, tally_workflow, 1, "add", 2,
                                                                    {.id = "t", .task_queue = "q"}, use_awaitable);
            co_await perdure::async_signal(handle, "add", 3, use_awaitable);
            BOOST_TEST((co_await perdure::async_query(handle, "total", nullptr, use_awaitable)).as_int64() == 6);
            BOOST_TEST((co_await perdure::async_update(handle, "double", 2, "u-1", use_awaitable)).as_int64() == 12);
            BOOST_TEST((co_await perdure::async_update(handle, "double", 2, "u-1", use_awaitable)).as_int64() == 12);
            auto running =
                co_await perdure::async_list(client, perdure::workflow_status::running, 10, "", use_awaitable);
            BOOST_TEST(running.size() == 1u);
            co_await perdure::async_signal(handle, "add", 0, use_awaitable);
            BOOST_TEST(co_await handle.async_get() == 12);
            BOOST_TEST(co_await perdure::async_remove(namespaces, "orders", use_awaitable));
        },
        boost::asio::use_future);
    io.run();
    done.get();
}

BOOST_AUTO_TEST_CASE(a_blocking_call_on_the_engine_strand_throws_instead_of_deadlocking) {
    perdure::test::engine_fixture f;
    static perdure::client* client = nullptr;
    static std::string message;
    const perdure::activity_def<int, int> blocking_inside{
        "BlockingInside", [](perdure::activity_context&, int) -> boost::asio::awaitable<int> {
            try {
                client->get_handle("anything").describe();
            } catch (const perdure::failed_precondition& e) {
                message = e.what();
            }
            co_return 0;
        }};
    const perdure::workflow_def calls{"Calls", +[](perdure::workflow_context& ctx) -> perdure::workflow<int> {
                                          co_return co_await ctx.execute_activity<int>("BlockingInside", 0,
                                                                                       {.start_to_close_timeout = 10s});
                                      }};
    f.open([&](perdure::engine& e) {
        e.add_worker("default", "q").register_workflow(calls).register_activity(blocking_inside);
    });
    auto c = f.client();
    client = &c;
    c.start_workflow(calls, {.id = "c", .task_queue = "q"}).get();
    BOOST_TEST(message.find("describe blocks, and was called on the engine's own strand") != std::string::npos,
               message);
}

BOOST_AUTO_TEST_CASE(a_call_whose_job_reaches_the_engine_after_it_shut_down_is_still_answered) {
    // An async call checks that the engine runs, then queues its job on the engine's strand: an
    // engine that shuts down in between has run its strand's last job by the time the job
    // arrives. The job must still run, or the call's completion would never come.
    temp_dir dir;
    perdure::engine engine({.database = perdure::test::fresh_database(dir), .durability = perdure::durability::off});
    engine.start();
    const auto core = perdure::detail::core_access::core(engine);
    engine.shutdown();
    std::promise<std::string> heard;
    core->post([&] { heard.set_value(core->unavailable() ? "engine_stopped" : "ran as if running"); });
    auto answer = heard.get_future();
    BOOST_REQUIRE(answer.wait_for(10s) == std::future_status::ready);
    BOOST_TEST(answer.get() == "engine_stopped");
}

BOOST_AUTO_TEST_CASE(async_calls_made_while_the_engine_shuts_down_each_complete) {
    // Each round, a thread makes async calls until one hears that the engine stopped, while the
    // engine shuts down at a different moment; every call must complete, one way or the other.
    for (int round = 0; round < 30; ++round) {
        temp_dir dir;
        perdure::engine engine(
            {.database = perdure::test::fresh_database(dir), .durability = perdure::durability::off});
        engine.namespaces().ensure("default");
        engine.add_worker("default", "q").register_workflow(tally_workflow);
        engine.start();
        auto run = engine.client_for("default").start_workflow(tally_workflow, 0, {.id = "t", .task_queue = "q"});
        std::vector<std::future<perdure::workflow_execution_info>> calls;
        std::atomic<int> made{0};
        std::thread caller([&] {
            for (;; ++made) {
                calls.push_back(perdure::async_describe(run, boost::asio::use_future));
                if (calls.back().wait_for(0s) != std::future_status::ready) continue;
                try {
                    calls.back().get();
                } catch (const perdure::engine_stopped&) {
                    return;
                }
            }
        });
        while (made < round * 3) std::this_thread::yield();
        engine.shutdown();
        caller.join();
        for (auto& call : calls)
            BOOST_REQUIRE_MESSAGE(!call.valid() || call.wait_for(10s) == std::future_status::ready,
                                  "round " << round << ": an async call never completed");
    }
}

BOOST_AUTO_TEST_SUITE_END()
