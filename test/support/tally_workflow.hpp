// A workflow for tests of messages across engines: adds what the signal "add" brings until it
// brings 0. "total" tells the sum, "double" doubles it (its validator refuses a negative
// argument), "explode" fails, and "hold" waits until the total is negative, then returns it.
#pragma once

#include <perdure/perdure.hpp>

#include <stdexcept>

namespace perdure::test {

inline perdure::workflow<int> tally(perdure::workflow_context& ctx) {
    int total = 0;
    ctx.set_query_handler("total", [&] { return total; });
    ctx.set_update_handler(
        "double", [&](int) -> perdure::workflow<int> { co_return total *= 2; },
        [](const int& n) {
            if (n < 0) throw std::invalid_argument("no negative doubling");
        });
    ctx.set_update_handler("explode", [](int) -> perdure::workflow<int> {
        throw perdure::application_error("boom", "Explosion", true);
        co_return 0;
    });
    ctx.set_update_handler("hold", [&](int) -> perdure::workflow<int> {
        co_await ctx.wait_condition([&] { return total < 0; });
        co_return total;
    });
    auto adds = ctx.signal_channel<int>("add");
    for (int n; (n = co_await adds.receive()) != 0;) total += n;
    co_return total;
}
inline const perdure::workflow_def tally_workflow{"Tally", &tally};

}   // namespace perdure::test
