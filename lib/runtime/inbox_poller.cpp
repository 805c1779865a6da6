// The inbox poller: a timer on the strand, a claim per pending command, the command handed to
// the engine only once its claim committed and took it, and its answer committed as the
// command's finish.
#include "runtime/inbox_poller.hpp"
#include "support/holds_error.hpp"

#include <perdure/error.hpp>

#include <boost/asio/post.hpp>

#include <atomic>
#include <utility>

namespace perdure::detail {
namespace {

inbox_failure failure_of(std::exception_ptr e) {
    try {
        std::rethrow_exception(e);
    } catch (const workflow_already_started& err) {
        return {errc::already_exists, err.what(), err.run_id()};
    } catch (const update_rejected_error& err) {
        return {errc::failure, err.what(), {}, err.failure().to_json(), true};
    } catch (const failure_error& err) {
        return {errc::failure, err.what(), {}, err.failure().to_json()};
    } catch (const engine_stopped&) {
        // This engine stopped while applying it: the sender's own engine runs on, and the next
        // owner answers the command if it is sent again.
        return {errc::storage_error,
                "the engine that took this command stopped before it finished; it may have been applied: check "
                "with describe or list before sending it again (an idempotent call can simply be repeated)",
                {},
                {},
                false,
                true};
    } catch (const data_moved& err) {
        return {errc::storage_error, err.what(), {}, {}, false, true};
    } catch (const error& err) {
        return {static_cast<errc>(err.code().value()), err.what()};
    } catch (const std::exception& ex) {
        // Not one of perdure's errors: the command itself was at fault as far as its sender can tell.
        return {errc::invalid_argument, ex.what()};
    } catch (...) {
        return {errc::invalid_argument, "unknown error"};
    }
}

/// Commands that this engine stopping, or giving its data away, before it answered them
/// (engine_stopped, data_moved) left unmade: a query changes nothing, and a start, signal, cancel
/// or termination is made in one unit whose commit answers it. Put back, the next owner makes
/// them. (An update may have been accepted already, so it is answered as perhaps applied.)
bool put_back_when_stopped(const inbox_command& c) {
    return std::holds_alternative<workflow_query_command>(c) || std::holds_alternative<workflow_signal_command>(c) ||
           std::holds_alternative<workflow_start_command>(c) || std::holds_alternative<workflow_cancel_command>(c) ||
           std::holds_alternative<workflow_terminate_command>(c);
}

/// Wall time: other processes do not share the engine's clock (a test environment's is manual),
/// and a command's expiry was set in theirs.
std::int64_t now_us_wall() {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}   // namespace

inbox_poller::inbox_poller(inbox_host& host, boost::asio::any_io_executor strand, std::chrono::milliseconds interval)
    : host_(host), interval_(interval), timer_(std::move(strand)) {}

void inbox_poller::start(std::weak_ptr<const void> owner) {
    // Taking the data (again): what an earlier ownership applied and left unanswered is the
    // commands' next owner's to answer, not this one's to wait for.
    releasing_ = false;
    applying_.clear();
    arm(std::move(owner));
}

void inbox_poller::arm(std::weak_ptr<const void> owner) {
    timer_.expires_after(interval_);
    timer_.async_wait([this, owner = std::move(owner)](boost::system::error_code ec) {
        // Cancelled (stop, or the timer destroyed with the poller): `this` may be gone already.
        if (ec) return;
        const auto alive = owner.lock();
        if (!alive || !host_.takes_commands()) return;
        try {
            poll();
        } catch (...) {
            // A failed read of the inbox is tried again at the next poll; the engine itself is fine.
        }
        host_.after_poll();
        arm(owner);
    });
}

void inbox_poller::poll() {
    if (releasing_) return;
    auto read = host_.pending_commands(now_us_wall(), batch);
    more_ = more_ || read.size() == batch;
    for (auto& pending : read) {
        const auto id = pending.id;
        // Its claim from an earlier poll has not committed yet, so it still reads as pending.
        if (!claiming_.insert(id).second) continue;
        auto took = std::make_shared<std::atomic<bool>>(false);
        write_unit unit;
        unit.ops.emplace_back(claim_inbox{id, took});
        unit.effects.emplace_back([this, pending = std::move(pending), took](std::exception_ptr e) mutable {
            claiming_.erase(pending.id);
            if (released_.erase(pending.id)) return;   // put back for the next owner
            // A claim that lost (the sender withdrew the command, or it expired) applies nothing.
            if (!e && took->load()) claimed(std::move(pending));
            // The commands behind a full read would otherwise wait for the next notice or tick.
            if (!e && claiming_.empty() && std::exchange(more_, false) && host_.takes_commands()) try {
                    poll();
                } catch (...) {
                    // read again at the next poll
                }
        });
        host_.commit(std::move(unit));
    }
}

void inbox_poller::poll_soon(std::weak_ptr<const void> owner) {
    if (poll_queued_) return;
    poll_queued_ = true;
    boost::asio::post(timer_.get_executor(), [this, owner = std::move(owner)] {
        const auto alive = owner.lock();
        if (!alive) return;
        poll_queued_ = false;
        if (!host_.takes_commands()) return;
        try {
            poll();
        } catch (...) {
            // read again at the next poll
        }
    });
}

write_unit inbox_poller::release_unapplied() {
    releasing_ = true;
    write_unit unit;
    for (const auto id : claiming_)
        if (released_.insert(id).second) unit.ops.emplace_back(release_inbox{id});
    return unit;
}

void inbox_poller::claimed(pending_command pending) {
    applying_.insert(pending.id);
    auto answer = answer_for(pending.id, pending.command && put_back_when_stopped(*pending.command));
    // Damaged, or written by a newer sender: answered with why, rather than guessed at.
    if (!pending.command) return answer(nullptr, inbox_failure{errc::invalid_argument, std::move(pending.unreadable)});
    host_.apply(*pending.command, std::move(answer));
}

answer_sender inbox_poller::answer_for(std::int64_t id, bool put_back) {
    return [this, id, put_back](std::exception_ptr e, inbox_answer result) {
        applying_.erase(id);
        write_unit unit;
        if (put_back && (holds_error<engine_stopped>(e) || holds_error<data_moved>(e)))
            unit.ops.emplace_back(release_inbox{id});
        else
            unit.ops.emplace_back(finish_inbox{id, e ? inbox_answer(failure_of(e)) : std::move(result)});
        host_.commit(std::move(unit));
    };
}

}   // namespace perdure::detail
