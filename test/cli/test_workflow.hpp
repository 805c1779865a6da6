// The workflow the CLI tests reach from outside: it waits for a "go" signal and returns its
// argument; canceled while it waits, it ends canceled. Shared by the tests and engine-host.
#pragma once

#include <perdure/perdure.hpp>

#include <string>

namespace perdure::test {

inline perdure::workflow<std::string> wait_for_go(perdure::workflow_context& ctx, std::string order) {
    auto go = ctx.signal_channel<std::string>("go");
    const std::string how = co_await go.receive();
    co_return order + " went " + how;
}
inline const perdure::workflow_def wait_for_go_workflow{"WaitForGo", &wait_for_go};

/// The namespace and task queue the tests' workflows run in.
inline constexpr const char* app_ns = "app";
inline constexpr const char* app_queue = "app-tq";

inline void register_app_worker(perdure::engine& e) {
    e.namespaces().ensure(app_ns);
    e.add_worker(app_ns, app_queue).register_workflow(wait_for_go_workflow);
}

}   // namespace perdure::test
