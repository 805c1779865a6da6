// approval: an expense waits for a manager's decision. Signals add comments, a query reads
// the state, an update with a validator approves (only managers may), and a timeout rejects
// requests nobody decided on within three days. A manual clock makes the three days instant.
#include <perdure/perdure.hpp>

#include <iostream>

using namespace std::chrono_literals;

struct expense {
    std::string id;
    int amount = 0;
};
BOOST_DESCRIBE_STRUCT(expense, (), (id, amount))

struct decision {
    std::string approver;
    bool manager = false;
};
BOOST_DESCRIBE_STRUCT(decision, (), (approver, manager))

perdure::workflow<std::string> approve_expense(perdure::workflow_context& ctx, expense e) {
    std::string status = "waiting for a manager";
    std::vector<std::string> comments;
    ctx.set_query_handler("status", [&] { return status + " (" + std::to_string(comments.size()) + " comments)"; });
    ctx.set_update_handler(
        "approve",
        [&](decision d) -> perdure::workflow<std::string> {
            status = "approved by " + d.approver;
            co_return status;
        },
        [](const decision& d) {
            if (!d.manager) throw std::invalid_argument(d.approver + " is not a manager");
        });
    auto comment_channel = ctx.signal_channel<std::string>("comment");
    ctx.spawn([&]() -> perdure::workflow<void> {
        for (;;) comments.push_back(co_await comment_channel.receive());
    });
    const bool decided = co_await ctx.wait_condition([&] { return status.starts_with("approved"); }, 72h);
    co_return e.id + ": " + (decided ? status : "rejected: nobody decided within three days");
}
const perdure::workflow_def approval_workflow{"ApproveExpense", &approve_expense};

int main(int argc, char** argv) {
    auto clock = std::make_shared<perdure::manual_clock>();
    perdure::engine engine({.database = argc > 1 ? argv[1] : "approval.db", .clock = clock});
    engine.namespaces().ensure("default");
    engine.add_worker("default", "expenses").register_workflow(approval_workflow);
    engine.start();
    auto client = engine.client_for("default");

    auto taxi =
        client.start_workflow(approval_workflow, expense{"taxi-17", 42}, {.id = "taxi-17", .task_queue = "expenses"});
    taxi.signal("comment", std::string("late flight"));
    std::cout << "status: " << taxi.query<std::string>("status") << "\n";
    try {
        taxi.update<std::string>("approve", decision{"sam", false});
    } catch (const perdure::update_rejected_error& e) {
        std::cout << e.what() << "\n";
    }
    std::cout << taxi.update<std::string>("approve", decision{"kim", true}) << "\n";
    const auto approved = taxi.get();
    std::cout << approved << "\n";

    auto hotel =
        client.start_workflow(approval_workflow, expense{"hotel-3", 380}, {.id = "hotel-3", .task_queue = "expenses"});
    std::cout << "status: " << hotel.query<std::string>("status") << "\n";
    clock->advance(72h);   // nobody decided
    const auto timed_out = hotel.get();
    std::cout << timed_out << "\n";
    return approved == "taxi-17: approved by kim" && timed_out.find("rejected") != std::string::npos ? 0 : 1;
}
