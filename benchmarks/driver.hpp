// The load generator: starts many workflows through async_start_workflow from one thread,
// keeping at most a given number unfinished, and waits for runs to close.
#pragma once

#include "common.hpp"

#include <perdure/asio.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <exception>
#include <string>
#include <vector>

namespace perdure::bench {

struct drive_options {
    std::size_t count = 0;
    std::size_t in_flight = 1000;    ///< workflows started and not yet closed (or not yet acknowledged)
    std::string id_prefix = "wf-";   ///< workflow i gets id_prefix + i and input i
    std::string task_queue;
    enum class mode { start_and_wait, start_only, wait_only } what = mode::start_and_wait;
};

struct drive_result {
    steady::time_point first_start{}, last_started{}, last_closed{};
    steady::time_point first_closed = steady::time_point::max();
    std::vector<double> start_to_close_ms;   ///< per workflow, for start_and_wait
};

/// Runs the workflows of `o` to the point its mode says; rethrows the first failure (a start
/// refused, a run that did not complete).
template <class R>
drive_result drive(perdure::client c, const perdure::workflow_def<R, int>& def, const drive_options& o) {
    boost::asio::io_context io(1);
    drive_result out;
    if (o.what == drive_options::mode::start_and_wait) out.start_to_close_ms.resize(o.count);
    std::size_t next = 0;
    std::exception_ptr error;
    // Each lane is one coroutine taking the next index; in_flight lanes keep that many busy.
    auto lane = [&]() -> boost::asio::awaitable<void> {
        while (next < o.count && !error) {
            const std::size_t i = next++;
            const auto t0 = steady::now();
            const std::string id = o.id_prefix + std::to_string(i);
            perdure::workflow_handle<R> h = c.get_handle<R>(id);
            if (o.what != drive_options::mode::wait_only) {
                h = co_await perdure::async_start_workflow(
                    c, def, static_cast<int>(i), {.id = id, .task_queue = o.task_queue}, boost::asio::use_awaitable);
                out.last_started = std::max(out.last_started, steady::now());
            }
            if (o.what == drive_options::mode::start_only) continue;
            co_await perdure::async_get_json(h, boost::asio::use_awaitable);
            const auto t1 = steady::now();
            out.last_closed = std::max(out.last_closed, t1);
            out.first_closed = std::min(out.first_closed, t1);
            if (o.what == drive_options::mode::start_and_wait) out.start_to_close_ms[i] = elapsed_ms(t0, t1);
        }
    };
    out.first_start = steady::now();
    for (std::size_t k = 0; k < std::min(o.in_flight, o.count); ++k)
        boost::asio::co_spawn(io, lane(), [&](std::exception_ptr e) {
            if (e && !error) error = e;
        });
    io.run();
    if (error) std::rethrow_exception(error);
    return out;
}

}   // namespace perdure::bench
