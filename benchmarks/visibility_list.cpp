// visibility_list: the first page of a keyword filter over a namespace of one million closed runs
// (the target is under 10 ms). The runs are written straight through the store's batch write
// path (insert_execution with its search attributes, a started event, close_execution), not by
// running workflows, so that filling the namespace takes seconds, not hours; the query then goes
// through the public client, as an application's would. Each run has a CustomerId shared by 100
// runs (10,000 customers for a million runs) and an Env that every run shares. The count of runs
// is 1,000,000 by default and 2,000 with --smoke.
#include "common.hpp"
#include "scenarios.hpp"

#include "store/store.hpp"

#include <perdure/perdure.hpp>

#include <condition_variable>
#include <mutex>

namespace perdure::bench {
namespace {

using namespace perdure::detail;

/// Writes `runs` closed runs with their search attributes into namespace 1 ("default").
void fill(const settings& s, const std::string& path, std::size_t runs, std::size_t customers) {
    std::mutex m;
    std::condition_variable cv;
    std::uint64_t committed = 0;
    std::string failure;
    auto store = open_store(engine_options_for(s, path), open_mode::owner,
                            {[&](std::uint64_t last) {
                                 std::lock_guard lk(m);
                                 committed = last;
                                 cv.notify_all();
                             },
                             [&](std::uint64_t, commit_failure f) {
                                 std::lock_guard lk(m);
                                 failure = f.message;
                                 cv.notify_all();
                             }});
    std::vector<write_op> setup;
    setup.emplace_back(upsert_namespace{namespace_row{1, "default", "", system_now_us(), 365LL * 24 * 3600 * 1000}});
    setup.emplace_back(add_search_attribute{1, "CustomerId", search_attribute_type::keyword});
    setup.emplace_back(add_search_attribute{1, "Env", search_attribute_type::keyword});
    std::uint64_t last = store->append(std::move(setup));
    const std::int64_t t0 = system_now_us() - static_cast<std::int64_t>(runs) * 1000;
    const std::size_t per_batch = 5000;
    for (std::size_t first = 0; first < runs; first += per_batch) {
        std::vector<write_op> ops;
        for (std::size_t i = first; i < std::min(runs, first + per_batch); ++i) {
            run_identity id;
            id.run_key = static_cast<std::int64_t>(i + 1);
            id.ns_id = 1;
            id.workflow_id = "order-" + std::to_string(i);
            id.run_id = "run-" + std::to_string(i);
            id.first_run_id = id.run_id.str();
            id.workflow_type = "Order";
            id.task_queue = "q";
            id.start_time_us = t0 + static_cast<std::int64_t>(i) * 1000;
            id.request_id = id.run_id;
            id.search_attributes = {
                {"CustomerId", {search_attribute_type::keyword, "c" + std::to_string(i % customers)}},
                {"Env", {search_attribute_type::keyword, std::string("prod")}}};
            const auto key = id.run_key;
            const auto start = id.start_time_us;
            ops.emplace_back(insert_execution{std::move(id)});
            ops.emplace_back(insert_event{key, event{1, event_type::workflow_execution_started, start, {{"n", 1}}}});
            ops.emplace_back(close_execution{key, run_status::completed, start + 500});
        }
        last = store->append(std::move(ops));
    }
    std::unique_lock lk(m);
    cv.wait(lk, [&] { return committed >= last || !failure.empty(); });
    if (!failure.empty()) throw std::runtime_error("filling the namespace failed: " + failure);
    lk.unlock();
    store->close();
}

}   // namespace

void run_visibility_list(const settings& s) {
    const std::size_t runs = s.size(1'000'000, 2'000);
    const int repeats = static_cast<int>(s.size(200, 5));
    const std::size_t customers = std::max<std::size_t>(1, runs / 100);
    const std::string path = fresh_database(s, "visibility");
    const auto fill_start = steady::now();
    fill(s, path, runs, customers);
    const double fill_s = elapsed_ms(fill_start) / 1000;
    std::vector<double> first_page, second_page, counts;
    std::size_t page_runs = 0;
    {
        perdure::engine engine(engine_options_for(s, path));
        auto client = engine.client_for("default");
        for (int i = 0; i < repeats; ++i) {
            const std::string query =
                "CustomerId = 'c" + std::to_string((static_cast<std::size_t>(i) * 37) % customers) + "'";
            auto t = steady::now();
            const auto page = client.list(query, 50);
            first_page.push_back(elapsed_us(t));
            page_runs = page.executions.size();
            if (page.next_page_token.empty()) throw std::runtime_error("a page of 50 of 100 runs has no next page");
            t = steady::now();
            client.list(query, 50, page.next_page_token);
            second_page.push_back(elapsed_us(t));
            t = steady::now();
            if (client.count(query) != static_cast<std::int64_t>(runs / customers))
                throw std::runtime_error("the count of one customer's runs is wrong");
            counts.push_back(elapsed_us(t));
        }
    }
    remove_database(path);
    const auto a = summarize(first_page), b = summarize(second_page), c = summarize(counts);
    emit({{"scenario", "visibility_list"},
          {"durability", to_string(s.durability)},
          {"closed_runs", runs},
          {"fill_seconds", fill_s},
          {"page_size", 50},
          {"runs_on_first_page", page_runs},
          {"first_page_p50_us", a.p50},
          {"first_page_p99_us", a.p99},
          {"next_page_p50_us", b.p50},
          {"count_p50_us", c.p50}});
}

}   // namespace perdure::bench
