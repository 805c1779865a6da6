// Ownership leaving an engine: fenced by the engine that took its data over (step_back), or
// handed on request to a standby that runs workflows when this owner runs none (hand_over). Either
// way the engine forgets what it held of the runs and stands by beside the new owner.
#include "runtime/core.hpp"
#include "runtime/inbox_answers.hpp"

#include <perdure/error.hpp>

namespace perdure::detail {
namespace {

std::exception_ptr moved_error(const std::string& why) {
    return std::make_exception_ptr(
        data_moved(why + "; this engine stands by now beside that engine: the call was not applied; make it "
                         "again, and it goes to the engine that owns the data"));
}

constexpr std::chrono::seconds answers_patience{2};
constexpr std::chrono::milliseconds answers_look_every{5};

}   // namespace

void engine_core::step_back(const std::string& why) {
    if (!running() || standing_by_) return;
    // Standing by from here on: what the failures below set off commits nothing (commit()), and
    // calls go to the owner.
    standing_by_ = true;
    auto results = forget_owned_state(moved_error(why));
    if (give_up_ownership(why)) stand_by_beside_owner(std::move(results));
}

void engine_core::answer_handover(const answer_sender& answer) {
    // Only an owner that cannot run the workflows gives them up, never the CLI's maintenance, and
    // only where the store can stand by: a SQLite file has one owner for its whole life.
    const bool hands_over = !runs_workflows() && !options_.maintenance && store_->shares_tasks();
    answer(nullptr, payload_answer{boost::json::object{{"hands_over", hands_over}}});
    // The answer is queued, so it commits before the leases are given up; handing over at once
    // leaves no moment for more commands to be claimed.
    if (hands_over) hand_over();
}

void engine_core::hand_over() {
    if (!running() || standing_by_) return;
    // Commands claimed with this one (or before it) and not applied yet are put back in the same
    // drain: the new owner claims and applies them, instead of answering them as abandoned.
    if (auto released = inbox_.release_unapplied(); !released.ops.empty()) commit(std::move(released));
    const std::string why = "this engine handed the data over to an engine whose workers run workflows";
    // Inputs waiting for their run's history, and queries and updates waiting for the engines
    // that run the workflows, are answered while the answers can still commit: a standby's
    // signal or query is put back for the new owner, a standby's update answered unfinished,
    // which its sender sends again.
    fail_inputs_and_messages(moved_error(why));
    // Commands applied and not answered yet (a start reading whether its id is taken, say) are
    // waited for, a moment at most, so that their answers commit too.
    finish_hand_over(why, std::chrono::steady_clock::now() + answers_patience);
}

void engine_core::finish_hand_over(const std::string& why, steady_time give_up_at) {
    if (!running() || standing_by_) return;
    if (inbox_.answering() && std::chrono::steady_clock::now() < give_up_at) {
        auto timer = std::make_shared<boost::asio::steady_timer>(strand_, answers_look_every);
        timer->async_wait([self = weak_from_this(), timer, why, give_up_at](boost::system::error_code ec) {
            if (const auto core = self.lock(); core && !ec) core->finish_hand_over(why, give_up_at);
        });
        return;
    }
    // Units queued from here on are refused (commit()): they would be the new owner's to make.
    standing_by_ = true;
    // The writer commits what was queued before it gives the leases up, and reports those
    // commits to the strand ahead of what is posted next: their callers hear they succeeded.
    if (!give_up_ownership(why)) return;
    post([this, why] {
        if (running()) stand_by_beside_owner(forget_owned_state(moved_error(why)));
    });
}

void engine_core::ask_for_the_data() {
    // Once per owner: one that runs workflows says no and keeps them until it goes.
    auto holder = store_->holder();
    if (holder.empty() || holder == asked_holder_) return;
    asked_holder_ = std::move(holder);
    via_owner(engine_handover_command{}, [this](std::exception_ptr e, inbox_answer) {
        if (e) asked_holder_.clear();   // not answered (the owner was busy or gone): asked again
    });
}

bool engine_core::give_up_ownership(const std::string& why) {
    started_ = false;
    try {
        if (!store_->step_back()) throw storage_error(why + "; the engine stopped: reopen the database to recover");
    } catch (...) {
        fail_engine(std::current_exception());
        return false;
    }
    return true;
}

std::vector<result_waiter> engine_core::forget_owned_state(std::exception_ptr moved) {
    // Taken first: a close that will not commit now (its unit fails below) must not answer them.
    std::vector<result_waiter> results;
    for (auto& [key, r] : lifecycle_.runs().all())
        for (auto& w : r->take_result_waiters()) results.push_back(std::move(w));
    pipeline_.fail_waiting(moved);
    fail_inputs_and_messages(moved);
    timer_.forget_all();
    activities_.forget_all();
    nexus_.forget_all();
    outbox_.forget_all();
    family_.forget_all();
    lifecycle_.forget_runs();
    inbox_.stop();
    return results;
}

void engine_core::fail_inputs_and_messages(std::exception_ptr why) {
    for (auto& [key, r] : lifecycle_.runs().all()) {
        for (auto& in : r->pending)
            for (auto& cb : in.on_recorded) cb(why);
        r->pending.clear();
        queries_updates_.fail_messages(*r, why);
    }
    queries_updates_.fail_asked(why);   // a closed run's too
}

void engine_core::stand_by_beside_owner(std::vector<result_waiter> results) {
    pipeline_.restart();
    try {
        reload_registries();
    } catch (...) {
        // the server is away: reloaded by the standby's safety net
    }
    for (auto& w : results) w(nullptr, nullptr);   // waited for through the new owner
    on_workers_changed();                          // claims what the new owner offers on this one's queues
    start_standby_tick();
}

}   // namespace perdure::detail
