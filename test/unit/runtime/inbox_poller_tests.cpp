// The inbox poller against a host that only records: what a poll claims, when a claimed
// command reaches the engine (only once its claim committed and took it), the answers it
// commits, and when its timer stops. The timer runs on an io_context the test runs by hand,
// with no interval to wait for.
#include "runtime/inbox_poller.hpp"

#include <perdure/error.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

using namespace perdure;
using namespace perdure::detail;

namespace {

std::int64_t wall_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

/// Gives the test's pending commands to every read and records everything else.
class recording_host final : public inbox_host {
public:
    std::vector<pending_command> pending_commands(std::int64_t now_wall_us, std::size_t limit) override {
        reads.emplace_back(now_wall_us, limit);
        if (read_fails) throw storage_error("the store is locked");
        return pending;
    }
    std::uint64_t commit(write_unit&& unit) override {
        committed.push_back(std::move(unit));
        return committed.size();
    }
    bool takes_commands() const override { return taking; }
    void after_poll() override { ++after_polls; }
    void apply(inbox_command& command, answer_sender answer) override {
        applied.emplace_back(command, std::move(answer));
    }

    std::vector<pending_command> pending;
    bool read_fails = false;
    bool taking = true;
    std::vector<std::pair<std::int64_t, std::size_t>> reads;   // the wall time and limit of each
    std::vector<write_unit> committed;
    int after_polls = 0;
    std::vector<std::pair<inbox_command, answer_sender>> applied;
};

pending_command namespace_deletion(std::int64_t id, std::string name) {
    return {id, inbox_command{namespace_delete_command{std::move(name)}}, {}};
}

struct poller_fixture {
    /// The claim a unit makes.
    static claim_inbox& claim_in(write_unit& unit) {
        BOOST_REQUIRE_EQUAL(unit.ops.size(), 1u);
        auto* claim = std::get_if<claim_inbox>(&unit.ops[0]);
        BOOST_REQUIRE(claim);
        return *claim;
    }

    /// The answer a unit commits.
    static const finish_inbox& finish_in(const write_unit& unit) {
        BOOST_REQUIRE_EQUAL(unit.ops.size(), 1u);
        const auto* finish = std::get_if<finish_inbox>(&unit.ops[0]);
        BOOST_REQUIRE(finish);
        BOOST_TEST(unit.effects.empty());
        return *finish;
    }

    /// The store commits the claim in the `i`th unit; `took` says whether the command was still
    /// pending then.
    void claim_commits(std::size_t i, bool took) {
        auto& unit = host.committed.at(i);
        claim_in(unit).claimed->store(took);
        BOOST_REQUIRE_EQUAL(unit.effects.size(), 1u);
        unit.effects[0](nullptr);
    }

    /// A command polled, claimed and handed to the engine; returns its answer.
    answer_sender applied_command(std::int64_t id) { return applied_command(namespace_deletion(id, "orders")); }
    answer_sender applied_command(pending_command command) {
        host.pending = {std::move(command)};
        poller.poll();
        claim_commits(host.committed.size() - 1, true);
        BOOST_REQUIRE_EQUAL(host.applied.size(), 1u);
        return host.applied[0].second;
    }

    boost::asio::io_context io;
    recording_host host;
    inbox_poller poller{host, io.get_executor(), std::chrono::milliseconds(0)};
    std::shared_ptr<int> owner = std::make_shared<int>(0);
};

}   // namespace

BOOST_FIXTURE_TEST_SUITE(inbox_poller_on_data, poller_fixture)

BOOST_AUTO_TEST_CASE(a_pending_command_is_claimed_and_applied_only_once_its_claim_committed) {
    host.pending = {namespace_deletion(4, "orders")};
    const auto before = wall_us();
    poller.poll();
    const auto after = wall_us();

    BOOST_REQUIRE_EQUAL(host.reads.size(), 1u);
    // Expiry is in wall time: the sender's process does not share the engine's clock.
    BOOST_TEST(host.reads[0].first >= before);
    BOOST_TEST(host.reads[0].first <= after);
    BOOST_TEST(host.reads[0].second == inbox_poller::batch);
    BOOST_REQUIRE_EQUAL(host.committed.size(), 1u);
    BOOST_TEST(claim_in(host.committed[0]).id == 4);
    BOOST_TEST(host.applied.empty());

    claim_commits(0, true);
    BOOST_REQUIRE_EQUAL(host.applied.size(), 1u);
    const auto* cmd = std::get_if<namespace_delete_command>(&host.applied[0].first);
    BOOST_REQUIRE(cmd);
    BOOST_TEST(cmd->name == "orders");
    BOOST_TEST(host.committed.size() == 1u);   // no answer until the engine gives one
}

BOOST_AUTO_TEST_CASE(each_pending_command_gets_a_claim_of_its_own) {
    host.pending = {namespace_deletion(4, "orders"), namespace_deletion(5, "billing")};
    poller.poll();
    BOOST_REQUIRE_EQUAL(host.committed.size(), 2u);
    BOOST_TEST(claim_in(host.committed[0]).id == 4);
    BOOST_TEST(claim_in(host.committed[1]).id == 5);

    claim_commits(1, true);
    BOOST_REQUIRE_EQUAL(host.applied.size(), 1u);
    BOOST_TEST(std::get<namespace_delete_command>(host.applied[0].first).name == "billing");
}

BOOST_AUTO_TEST_CASE(a_command_whose_claim_is_in_flight_is_not_claimed_again) {
    host.pending = {namespace_deletion(4, "orders")};
    poller.poll();
    poller.poll();   // the claim has not committed: the store still reads the command as pending
    BOOST_REQUIRE_EQUAL(host.committed.size(), 1u);

    claim_commits(0, true);
    BOOST_TEST(host.applied.size() == 1u);
}

BOOST_AUTO_TEST_CASE(commands_claimed_but_not_applied_when_the_data_is_handed_over_are_put_back) {
    host.pending = {namespace_deletion(4, "orders"), namespace_deletion(5, "billing"), namespace_deletion(6, "ledger")};
    poller.poll();
    BOOST_REQUIRE_EQUAL(host.committed.size(), 3u);
    claim_commits(0, true);   // applied: its change is the engine's to commit or refuse
    BOOST_REQUIRE_EQUAL(host.applied.size(), 1u);

    // The engine hands its data over while the other two claims are in the same batch.
    auto released = poller.release_unapplied();
    BOOST_REQUIRE_EQUAL(released.ops.size(), 2u);
    BOOST_TEST(std::get<release_inbox>(released.ops[0]).id == 5);
    BOOST_TEST(std::get<release_inbox>(released.ops[1]).id == 6);
    BOOST_TEST(poller.release_unapplied().ops.empty());   // not twice

    claim_commits(1, true);
    claim_commits(2, true);
    BOOST_TEST(host.applied.size() == 1u);     // the next owner claims and applies them
    BOOST_TEST(host.committed.size() == 3u);   // and no answer is made for them here
}

BOOST_AUTO_TEST_CASE(a_full_read_reads_again_once_its_claims_are_in) {
    for (std::int64_t id = 1; id <= static_cast<std::int64_t>(inbox_poller::batch); ++id)
        host.pending.push_back(namespace_deletion(id, "ns-" + std::to_string(id)));
    poller.poll();
    BOOST_REQUIRE_EQUAL(host.committed.size(), inbox_poller::batch);
    host.pending = {namespace_deletion(100, "behind")};   // what the full read left behind
    for (std::size_t i = 0; i + 1 < inbox_poller::batch; ++i) claim_commits(i, true);
    BOOST_TEST(host.reads.size() == 1u);   // not while claims are in flight: they would read as pending
    claim_commits(inbox_poller::batch - 1, true);
    BOOST_REQUIRE_EQUAL(host.reads.size(), 2u);
    BOOST_TEST(claim_in(host.committed.back()).id == 100);

    claim_commits(host.committed.size() - 1, true);   // a read that was not full: no third read
    BOOST_TEST(host.reads.size() == 2u);
}

BOOST_AUTO_TEST_CASE(notices_that_come_together_make_one_read) {
    host.pending = {namespace_deletion(4, "orders")};
    for (int notice = 0; notice < 5; ++notice) poller.poll_soon(owner);
    BOOST_TEST(host.reads.empty());   // on the strand, not in the caller
    io.run();
    BOOST_TEST(host.reads.size() == 1u);
    BOOST_TEST(host.committed.size() == 1u);

    poller.poll_soon(owner);   // a later notice reads again
    io.restart();
    io.run();
    BOOST_TEST(host.reads.size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_poll_asked_for_by_a_notice_reads_nothing_once_the_engine_stopped_or_went) {
    host.pending = {namespace_deletion(4, "orders")};
    host.taking = false;
    poller.poll_soon(owner);
    io.run();
    host.taking = true;
    poller.poll_soon(owner);
    owner.reset();
    io.restart();
    io.run();
    BOOST_TEST(host.reads.empty());
}

BOOST_AUTO_TEST_CASE(a_claim_that_lost_applies_nothing) {
    host.pending = {namespace_deletion(4, "orders")};
    poller.poll();
    claim_commits(0, false);   // withdrawn by its sender, or expired, before the claim committed
    BOOST_TEST(host.applied.empty());
    BOOST_TEST(host.committed.size() == 1u);   // and answers nothing
}

BOOST_AUTO_TEST_CASE(a_claim_whose_commit_failed_applies_nothing_and_is_tried_again) {
    host.pending = {namespace_deletion(4, "orders")};
    poller.poll();
    auto& unit = host.committed[0];
    claim_in(unit).claimed->store(true);
    unit.effects[0](std::make_exception_ptr(storage_error("disk full")));
    BOOST_TEST(host.applied.empty());

    poller.poll();
    BOOST_REQUIRE_EQUAL(host.committed.size(), 2u);
    BOOST_TEST(claim_in(host.committed[1]).id == 4);
}

BOOST_AUTO_TEST_CASE(an_unreadable_command_is_answered_invalid_argument_with_its_reason) {
    host.pending = {{9, std::nullopt, "unknown command kind 'workflow reset'"}};
    poller.poll();
    claim_commits(0, true);

    BOOST_TEST(host.applied.empty());   // never guessed at
    BOOST_REQUIRE_EQUAL(host.committed.size(), 2u);
    const auto& finish = finish_in(host.committed[1]);
    BOOST_TEST(finish.id == 9);
    BOOST_TEST((*finish.answer ==
                inbox_answer{inbox_failure{errc::invalid_argument, "unknown command kind 'workflow reset'"}}));
}

BOOST_AUTO_TEST_CASE(the_answer_is_committed_as_the_commands_finish_row) {
    auto answer = applied_command(4);
    answer(nullptr, namespace_answer{"orders", "the shop", std::chrono::hours(24)});

    BOOST_REQUIRE_EQUAL(host.committed.size(), 2u);
    const auto& finish = finish_in(host.committed[1]);
    BOOST_TEST(finish.id == 4);
    BOOST_TEST((*finish.answer == inbox_answer{namespace_answer{"orders", "the shop", std::chrono::hours(24)}}));
}

BOOST_AUTO_TEST_CASE(a_command_with_nothing_to_report_is_answered_empty) {
    auto answer = applied_command(4);
    answer(nullptr, {});
    BOOST_REQUIRE_EQUAL(host.committed.size(), 2u);
    BOOST_TEST(std::holds_alternative<std::monostate>(*finish_in(host.committed[1]).answer));
}

BOOST_AUTO_TEST_CASE(a_failing_commands_answer_carries_its_error_code_and_message) {
    auto answer = applied_command(4);
    answer(std::make_exception_ptr(not_found("namespace 'orders' not found")), {});

    BOOST_REQUIRE_EQUAL(host.committed.size(), 2u);
    const auto& finish = finish_in(host.committed[1]);
    BOOST_TEST(finish.id == 4);
    BOOST_TEST((*finish.answer == inbox_answer{inbox_failure{errc::not_found, "namespace 'orders' not found"}}));
}

BOOST_AUTO_TEST_CASE(a_command_made_in_one_unit_that_the_engine_stopped_or_gave_away_before_making_is_put_back) {
    const workflow_target run{"default", "order-1", ""};
    workflow_start_command start;
    start.ns = "default", start.workflow_type = "Order", start.task_queue = "q", start.workflow_id = "order-2";
    for (auto command :
         {inbox_command{workflow_query_command{run, "status", {}}},
          inbox_command{workflow_signal_command{run, "pay", 5}}, inbox_command{start},
          inbox_command{workflow_cancel_command{run}}, inbox_command{workflow_terminate_command{run, "stuck"}}})
        for (auto why : {std::make_exception_ptr(engine_stopped("the engine was shut down")),
                         std::make_exception_ptr(data_moved("the engine handed the data over"))}) {
            host.applied.clear();
            auto answer = applied_command({4, command, {}});
            answer(why, {});
            BOOST_REQUIRE_EQUAL(host.committed.back().ops.size(), 1u);
            const auto* release = std::get_if<release_inbox>(&host.committed.back().ops[0]);
            BOOST_REQUIRE(release);
            BOOST_TEST(release->id == 4);
        }
}

BOOST_AUTO_TEST_CASE(an_update_waiting_when_the_engine_gave_the_data_away_is_answered_unfinished_to_be_sent_again) {
    auto answer = applied_command(
        {4, inbox_command{workflow_update_command{{"default", "order-1", ""}, "double", 2, "u-1"}}, {}});
    answer(std::make_exception_ptr(data_moved("the engine handed the data over")), {});
    BOOST_REQUIRE_EQUAL(host.committed.size(), 2u);
    const auto* failure = std::get_if<inbox_failure>(&*finish_in(host.committed[1]).answer);
    BOOST_REQUIRE(failure);
    BOOST_TEST((failure->code == errc::storage_error));
    BOOST_TEST(failure->unfinished);
}

BOOST_AUTO_TEST_CASE(any_other_command_the_engine_stopped_in_is_answered_as_perhaps_applied) {
    auto answer = applied_command(4);
    answer(std::make_exception_ptr(engine_stopped("the engine was shut down")), {});
    BOOST_REQUIRE_EQUAL(host.committed.size(), 2u);
    const auto* failure = std::get_if<inbox_failure>(&*finish_in(host.committed[1]).answer);
    BOOST_REQUIRE(failure);
    BOOST_TEST((failure->code == errc::storage_error));
    BOOST_TEST(failure->message.find("it may have been applied") != std::string::npos, failure->message);
}

BOOST_AUTO_TEST_CASE(a_failure_that_is_not_perdures_is_answered_invalid_argument) {
    auto answer = applied_command(4);
    answer(std::make_exception_ptr(std::runtime_error("bad input")), {});
    BOOST_REQUIRE_EQUAL(host.committed.size(), 2u);
    BOOST_TEST(
        (*finish_in(host.committed[1]).answer == inbox_answer{inbox_failure{errc::invalid_argument, "bad input"}}));
}

BOOST_AUTO_TEST_CASE(the_timer_polls_again_and_again_with_the_hook_after_each_poll) {
    host.pending = {namespace_deletion(4, "orders")};
    poller.start(owner);
    BOOST_TEST(io.run_one() == 1u);
    BOOST_TEST(host.reads.size() == 1u);
    BOOST_TEST(host.after_polls == 1);
    BOOST_TEST(host.committed.size() == 1u);

    BOOST_TEST(io.run_one() == 1u);
    BOOST_TEST(host.reads.size() == 2u);
    BOOST_TEST(host.after_polls == 2);
    BOOST_TEST(host.committed.size() == 1u);   // its claim is still in flight
}

BOOST_AUTO_TEST_CASE(a_failed_read_is_tried_again_at_the_next_poll) {
    host.read_fails = true;
    poller.start(owner);
    BOOST_TEST(io.run_one() == 1u);
    BOOST_TEST(host.after_polls == 1);

    host.read_fails = false;
    host.pending = {namespace_deletion(4, "orders")};
    BOOST_TEST(io.run_one() == 1u);
    BOOST_TEST(host.reads.size() == 2u);
    BOOST_TEST(host.committed.size() == 1u);
}

BOOST_AUTO_TEST_CASE(nothing_is_polled_once_the_host_says_the_engine_stopped) {
    host.pending = {namespace_deletion(4, "orders")};
    poller.start(owner);
    BOOST_TEST(io.run_one() == 1u);
    BOOST_TEST(host.reads.size() == 1u);

    host.taking = false;
    BOOST_TEST(io.run_one() == 1u);   // the timer fires once more, and polls nothing
    BOOST_TEST(host.reads.size() == 1u);
    BOOST_TEST(host.after_polls == 1);
    BOOST_TEST(io.run_one() == 0u);   // and is not armed again
}

BOOST_AUTO_TEST_CASE(stop_cancels_the_wait) {
    poller.start(owner);
    poller.stop();
    io.run();
    BOOST_TEST(host.reads.empty());
    BOOST_TEST(host.after_polls == 0);
}

BOOST_AUTO_TEST_CASE(a_timer_that_fires_after_its_owner_is_gone_does_nothing) {
    poller.start(owner);
    owner.reset();
    io.run();
    BOOST_TEST(host.reads.empty());
    BOOST_TEST(host.after_polls == 0);
}

BOOST_AUTO_TEST_CASE(a_poller_destroyed_while_it_waits_is_not_touched_by_its_handler) {
    auto own = std::make_unique<inbox_poller>(host, io.get_executor(), std::chrono::hours(1));
    own->start(owner);
    own.reset();   // its timer goes with it, cancelling the wait
    io.run();
    BOOST_TEST(host.reads.empty());
}

BOOST_AUTO_TEST_SUITE_END()
