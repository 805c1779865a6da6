// The workflows the CLI tests reach from outside: WaitForGo waits for a "go" signal and returns
// its argument (canceled while it waits, it ends canceled), Twice returns at once, Parent waits
// on a child. Shared by the tests and engine-host.
#pragma once

#include <perdure/perdure.hpp>

#include <string>

namespace perdure::test {

/// Answers the query "order" with its input and the update "note" with the note it keeps.
inline perdure::workflow<std::string> wait_for_go(perdure::workflow_context& ctx, std::string order) {
    std::string note;
    ctx.set_query_handler("order", [&] { return order; });
    ctx.set_update_handler("note", [&](std::string text) -> perdure::workflow<std::string> {
        note = text;
        co_return "noted: " + text;
    });
    auto go = ctx.signal_channel<std::string>("go");
    const std::string how = co_await go.receive();
    co_return order + " went " + how + (note.empty() ? "" : " (" + note + ")");
}
inline const perdure::workflow_def wait_for_go_workflow{"WaitForGo", &wait_for_go};

/// Doubles its input at once (for `workflow execute`).
inline perdure::workflow<int> twice(perdure::workflow_context&, int n) { co_return 2 * n; }
inline const perdure::workflow_def twice_workflow{"Twice", &twice};

/// Starts a WaitForGo child and waits for it, so describe has pending work to show.
inline perdure::workflow<std::string> parent(perdure::workflow_context& ctx, std::string id) {
    co_return co_await ctx.execute_child_workflow(wait_for_go_workflow, id + "-child", {.id = id + "-child"});
}
inline const perdure::workflow_def parent_workflow{"Parent", &parent};

/// The namespace and task queue the tests' workflows run in.
inline constexpr const char* app_ns = "app";
inline constexpr const char* app_queue = "app-tq";

inline void register_app_worker(perdure::engine& e) {
    e.namespaces().ensure(app_ns);
    e.add_worker(app_ns, app_queue)
        .register_workflow(wait_for_go_workflow)
        .register_workflow(twice_workflow)
        .register_workflow(parent_workflow);
}

}   // namespace perdure::test
