#include "runtime/owner_link.hpp"

#include <perdure/error.hpp>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <optional>

namespace perdure::detail {
namespace {

using stage = inbox_status::stage;

/// Wall time, as the inbox's expiry is measured by whichever engine owns the database.
std::int64_t wall_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

/// The answered failure as the exception the API throws for its code.
std::exception_ptr thrown(const inbox_failure& f) {
    switch (f.code) {
    case errc::not_found: return std::make_exception_ptr(not_found(f.message));
    case errc::already_exists:
        if (!f.run_id.empty()) return std::make_exception_ptr(workflow_already_started(f.message, f.run_id));
        return std::make_exception_ptr(already_exists(f.message));
    case errc::invalid_argument: return std::make_exception_ptr(invalid_argument(f.message));
    case errc::database_locked: return std::make_exception_ptr(database_locked(f.message));
    case errc::storage_error: return std::make_exception_ptr(storage_error(f.message));
    case errc::payload_error: return std::make_exception_ptr(payload_error(f.message));
    case errc::query_failed: return std::make_exception_ptr(query_failed_error(f.message));
    case errc::engine_stopped: return std::make_exception_ptr(engine_stopped(f.message));
    case errc::failure: {
        if (f.failure.is_object()) try {
                auto record = failure::from_json(f.failure);
                return f.rejected ? std::make_exception_ptr(update_rejected_error(std::move(record)))
                                  : make_exception(record);
            } catch (const payload_error&) {
                // a record this build cannot read: the message alone below
            }
        failure cause;
        cause.message = f.message;
        return std::make_exception_ptr(failure_error(std::move(cause)));
    }
    default: return std::make_exception_ptr(failed_precondition(f.message));
    }
}

}   // namespace

struct owner_link::exchange {
    exchange(boost::asio::any_io_executor strand, std::weak_ptr<const void> o, answered t)
        : timer(std::move(strand)), owner(std::move(o)), then(std::move(t)) {}

    boost::asio::steady_timer timer;
    std::weak_ptr<const void> owner;
    answered then;
    std::int64_t id = 0;
    std::chrono::steady_clock::time_point sent = std::chrono::steady_clock::now(), claimed{};
    /// Strand: an answer was heard of; the caller looks without waiting for its timer.
    bool poked = false;
    /// Strand: the caller has its outcome (a shutdown may finish it while a look is in flight).
    bool finished = false;
    /// The command, kept when it may be sent again (an update: see send_again), and how often it was.
    std::optional<inbox_command> again{};
    int resent = 0;
};

void owner_link::send(inbox_command command, std::weak_ptr<const void> owner, answered then) {
    auto x = std::make_shared<exchange>(strand_, std::move(owner), std::move(then));
    if (std::holds_alternative<workflow_update_command>(command)) x->again = command;
    submit(std::move(x), std::move(command));
}

void owner_link::submit(std::shared_ptr<exchange> x, inbox_command command) {
    (void)store_.post_read([this, x, command = std::move(command)](store_reads&) mutable {
        try {
            const auto now = wall_us();
            x->id = store_.submit_command(command, now, now + std::chrono::microseconds(claim_patience).count());
        } catch (...) {
            return finish(x, std::current_exception());
        }
        boost::asio::post(strand_, [this, x] {
            if (!x->owner.lock()) return;
            waiting_.emplace(x->id, x);
            // Its answer may have been heard of before it was waited for: the first look is now.
            x->poked = true;
            watch(x);
        });
    });
}

void owner_link::heard_answer(std::int64_t id) {
    if (const auto it = waiting_.find(id); it != waiting_.end()) {
        it->second->poked = true;
        it->second->timer.cancel();
    }
}

void owner_link::heard_all() {
    for (auto& [id, x] : waiting_) {
        x->poked = true;
        x->timer.cancel();
    }
}

void owner_link::watch(std::shared_ptr<exchange> x) {
    // Heard of while it was being read: looked at again at once.
    if (x->poked) return look(std::move(x));
    x->timer.expires_after(interval_);
    x->timer.async_wait([this, x](boost::system::error_code ec) {
        // Cancelled without a poke: the engine is going away with its timers.
        if (ec && !x->poked) return;
        look(x);
    });
}

namespace {

std::exception_ptr stopped_while_applied() {
    return std::make_exception_ptr(engine_stopped(
        "the engine was shut down while the owner applied the command; check its outcome with describe"));
}

}   // namespace

void owner_link::stop() {
    stopped_ = true;
    // Their timers go with the engine: they would never look again.
    for (auto& [id, x] : std::exchange(waiting_, {})) {
        x->timer.cancel();
        finish(x, stopped_while_applied());
    }
}

void owner_link::look(std::shared_ptr<exchange> x) {
    x->poked = false;
    if (!x->owner.lock()) return;
    if (stopped_) return finish(x, stopped_while_applied());
    (void)store_.post_read([this, x](store_reads&) { check(x); });
}

void owner_link::send_again(std::shared_ptr<exchange> x) {
    boost::asio::post(strand_, [this, x] {
        if (!x->owner.lock() || x->finished) return;
        if (stopped_) return finish(x, stopped_while_applied());
        waiting_.erase(x->id);
        ++x->resent;
        x->sent = std::chrono::steady_clock::now();
        x->claimed = {};
        submit(x, *x->again);
    });
}

void owner_link::finish(std::shared_ptr<exchange> x, std::exception_ptr e, inbox_answer answer) {
    if (!x->owner.lock()) return;
    boost::asio::post(strand_, [this, x, e, answer = std::move(answer)]() mutable {
        if (std::exchange(x->finished, true)) return;
        if (x->owner.lock()) waiting_.erase(x->id);
        x->then(e, std::move(answer));
    });
}

void owner_link::check(std::shared_ptr<exchange> x) {
    const auto& db = store_.name();
    try {
        const auto status = store_.command_status(x->id);
        if (!status)
            throw storage_error("the command left for the engine owning database " + db +
                                " disappeared before an answer (a server that crashed before flushing it loses it "
                                "before any engine applies it); check the outcome with describe or list");
        const auto now = std::chrono::steady_clock::now();
        switch (status->at) {
        case stage::answered:
            if (const auto* f = std::get_if<inbox_failure>(&status->answer)) {
                if (x->again && detail::send_again(*x->again, *f, x->resent)) return send_again(x);
                return finish(x, thrown(*f));
            }
            return finish(x, nullptr, std::move(status->answer));
        case stage::withdrawn:
            throw storage_error("the command left for the engine owning database " + db + " was withdrawn");
        case stage::pending:
            if (now - x->sent >= claim_patience && store_.withdraw_command(x->id)) {
                const auto patience = std::to_string(claim_patience.count()) + " s";
                if (x->resent > 0)   // the engine that took it first may have made it
                    throw storage_error(
                        "the engine that took the update stopped before it finished, and no engine "
                        "owning database " +
                        db + " took it again within " + patience +
                        "; it may have been applied: check with describe before retrying it with "
                        "the same update id");
                throw storage_error("no engine owning database " + db + " took the command within " + patience +
                                    ", so it was withdrawn and nothing changed; is the engine holding it running "
                                    "and started (engine.start())?");
            }
            break;
        case stage::claimed:
            if (x->claimed == std::chrono::steady_clock::time_point{}) x->claimed = now;
            if (now - x->claimed >= answer_patience)
                throw storage_error("the engine owning database " + db +
                                    " took the command but did not answer within " +
                                    std::to_string(answer_patience.count()) +
                                    " s; it may still apply it: check with describe before retrying");
            break;
        }
    } catch (...) {
        return finish(x, std::current_exception());
    }
    boost::asio::post(strand_, [this, x] {
        if (x->owner.lock()) watch(x);
    });
}

}   // namespace perdure::detail
