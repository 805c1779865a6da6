// An engine beside the live owner of a shared database (PostgreSQL) stands by: it reads the
// database, sends what its clients ask to the owner through the inbox (owner_link), keeps its
// namespaces and endpoints as the owner leaves them, and once started, takes the data over
// when the owner's leases lapse or its process dies, then recovers and runs like any owner.
#include "runtime/core.hpp"
#include "runtime/inbox_answers.hpp"

#include "store/start_command_json.hpp"
#include "store/store.hpp"
#include "support/holds_error.hpp"

#include <perdure/error.hpp>

namespace perdure::detail {
namespace {

/// How often a standby reloads the registries and, when it runs workflows, tries to take over.
constexpr std::chrono::milliseconds standby_tick{200};
/// One that runs none tries every tenth tick only: a standby that runs them, beside it, almost
/// always takes the data first, and it would only hand the data to that one afterwards.
constexpr int ticks_between_tries_without_workflows = 10;
/// With notices, how often a standby still reloads the registries and reads every awaited
/// result: a safety net only, as a lost connection to the server is announced
/// (store_notice::kind::missed).
constexpr std::chrono::seconds safety_net{5};
/// How long a standby's caller waits through failed reads of its result (the server restarting)
/// before it hears the storage_error: as long as the store retries a lost connection.
constexpr std::chrono::seconds storage_patience{30};

template <class T>
using answer_to = unique_function<void(std::exception_ptr, T)>;

/// A namespace, endpoint or search attribute change: the registries are reloaded after it.
bool changes_registries(const inbox_command& c) {
    return std::holds_alternative<namespace_create_command>(c) || std::holds_alternative<namespace_update_command>(c) ||
           std::holds_alternative<namespace_delete_command>(c) || std::holds_alternative<endpoint_create_command>(c) ||
           std::holds_alternative<endpoint_update_command>(c) || std::holds_alternative<endpoint_delete_command>(c) ||
           std::holds_alternative<search_attribute_create_command>(c) ||
           std::holds_alternative<search_attribute_remove_command>(c);
}

}   // namespace

void engine_core::start_standby_tick() {
    standby_timer_.expires_after(standby_tick);
    standby_timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
        const auto self = weak.lock();
        if (ec || !self || !self->running() || !self->standing_by_) return;
        // With notices, what they announce is read as they come; this is the net.
        const auto now = std::chrono::steady_clock::now();
        const bool net = !self->notices_ || now - self->safety_net_at_ >= safety_net;
        try {
            const bool runs = self->runs_workflows();
            const bool tries = runs || ++self->ticks_without_workflows_ % ticks_between_tries_without_workflows == 0;
            if (tries && !self->options_.stand_by) {
                if (self->store_->take_ownership()) return self->take_over();
                if (runs) self->ask_for_the_data();
            }
            if (net) self->reload_registries();
        } catch (...) {
            // The server is away: the next tick reconnects and tries again.
        }
        if (net) {
            self->safety_net_at_ = now;
            self->run_rechecks();
            // A standby that waits for no result is not told of every close the owner makes.
            if (self->hearing_closes_ && self->rechecks_.empty() && now - self->awaited_at_ >= safety_net) {
                self->hearing_closes_ = false;
                self->store_->hear_closes(false);
            }
        }
        self->claimed_.poll_if_due();
        self->closed_before_ = std::exchange(self->closed_now_, {});
        self->start_standby_tick();
    });
}

bool engine_core::runs_workflows() const { return start_requested_ && workers_.serves_workflows(); }

void engine_core::listen_for_notices() {
    if (notices_) return;
    // The weak pointer is locked on the strand only: the listener's call must never hold the
    // last reference, as destroying the engine closes the store, which waits for that call.
    notices_ = store_->listen(*io_, [weak = weak_from_this(), strand = strand_](store_notice n) {
        boost::asio::post(strand, [weak, n] {
            if (const auto self = weak.lock()) self->heard(n);
        });
    });
    if (notices_) link_.hears_answers();
}

void engine_core::heard(store_notice n) {
    if (!running()) return;
    using kind = store_notice::kind;
    if ((n.what == kind::inbox || n.what == kind::missed) && !standing_by_) inbox_.poll_soon(weak_from_this());
    if (n.what == kind::answered) link_.heard_answer(n.id);
    if (n.what == kind::tasks) claimed_.claim(n.id);
    if (n.what == kind::closed && standing_by_) {
        closed_now_.insert(n.id);
        run_rechecks(n.id);
    }
    if ((n.what == kind::registry || n.what == kind::missed) && standing_by_) try {
            reload_registries();
        } catch (...) {
            // the server is away: reloaded by the safety net
        }
    if (n.what == kind::missed) {
        link_.heard_all();
        run_rechecks();
        claimed_.claim();
    }
}

void engine_core::await_close(std::int64_t run_key, unique_function<void()> recheck) {
    if (closed_now_.count(run_key) || closed_before_.count(run_key)) return recheck();
    awaited_at_ = std::chrono::steady_clock::now();
    // Once hearing, the store says `missed`, which reads every awaited result again: a close
    // made before that was not heard.
    if (!std::exchange(hearing_closes_, true)) store_->hear_closes(true);
    rechecks_.emplace(run_key, std::move(recheck));
}

callback<boost::json::value> engine_core::patient_result(std::int64_t ns_id, std::string wid, std::string rid,
                                                         callback<boost::json::value> cb, steady_time failing_since) {
    return [self = shared_from_this(), ns_id, wid = std::move(wid), rid = std::move(rid), cb = std::move(cb),
            failing_since](std::exception_ptr e, boost::json::value v) mutable {
        const auto now = std::chrono::steady_clock::now();
        const auto since = failing_since == steady_time{} ? now : failing_since;
        if (!holds_error<storage_error>(e) || !self->standing_by() || now - since >= storage_patience)
            return cb(e, std::move(v));
        self->post([self, ns_id, wid = std::move(wid), rid = std::move(rid), cb = std::move(cb), since]() mutable {
            // Under no run's key: read again with every awaited result (after a reconnection,
            // and by the safety net).
            self->await_close(0, [self, ns_id, wid, rid, cb = std::move(cb), since]() mutable {
                auto patient = self->patient_result(ns_id, wid, rid, std::move(cb), since);
                self->resolve_result(ns_id, std::move(wid), std::move(rid), std::move(patient), 0);
            });
        });
    };
}

void engine_core::run_rechecks() {
    auto due = std::exchange(rechecks_, {});
    for (auto& [key, recheck] : due) recheck();
}

void engine_core::run_rechecks(std::int64_t run_key) {
    const auto [first, last] = rechecks_.equal_range(run_key);
    std::vector<unique_function<void()>> due;
    for (auto it = first; it != last; ++it) due.push_back(std::move(it->second));
    rechecks_.erase(first, last);
    for (auto& recheck : due) recheck();
}

void engine_core::reload_registries() {
    auto& reads = store_->reads();
    namespaces_.load(reads.namespaces(), reads.max_namespace_id());
    endpoints_ = endpoint_table{};
    for (const auto& e : reads.endpoints()) endpoints_.put(endpoint_of(e));
}

void engine_core::take_over() {
    standby_timer_.cancel();
    endpoints_ = endpoint_table{};
    load_index(store_->reads(), {namespaces_, endpoints_, lifecycle_.runs(), outbox_, family_});
    standing_by_ = false;
    claimed_.workflows.forget_instances();
    start_inbox();
    on_workers_changed();
    if (start_requested_) begin_work();
    run_rechecks();
}

void engine_core::via_owner(inbox_command command, unique_function<void(std::exception_ptr, inbox_answer)> then) {
    // On the strand, so that a shutdown (which stops the link there before the store closes)
    // either comes first and refuses it, or after it was sent.
    post([this, command = std::move(command), then = std::move(then)]() mutable {
        if (auto e = unavailable()) return then(e, {});
        const bool registry = changes_registries(command);
        link_.send(std::move(command), weak_from_this(),
                   [this, registry, then = std::move(then)](std::exception_ptr e, inbox_answer answer) mutable {
                       // What the owner changed is visible here before the caller hears of it.
                       try {
                           if (registry && running()) reload_registries();
                       } catch (...) {
                       }
                       then(e, std::move(answer));
                   });
    });
}

namespace {

/// An answer with no result: the call's bool.
unique_function<void(std::exception_ptr, inbox_answer)> done(answer_to<bool> cb) {
    return [cb = std::move(cb)](std::exception_ptr e, inbox_answer) mutable { cb(e, !e); };
}

unique_function<void(std::exception_ptr, inbox_answer)> payload(answer_to<boost::json::value> cb) {
    return [cb = std::move(cb)](std::exception_ptr e, inbox_answer a) mutable {
        if (e) return cb(e, {});
        auto* p = std::get_if<payload_answer>(&a);
        cb(nullptr, p ? std::move(p->value) : boost::json::value{});
    };
}

}   // namespace

void engine_core::start_via_owner(std::string ns, std::string type, boost::json::value input, start_workflow_options o,
                                  std::string signal, boost::json::value arg, callback<started_run> cb) {
    auto c = start_command_of(std::move(ns), std::move(type), std::move(input), std::move(o));
    c.signal = std::move(signal);
    c.signal_arg = std::move(arg);
    c.from_engine = true;
    via_owner(std::move(c), [cb = std::move(cb)](std::exception_ptr e, inbox_answer a) mutable {
        if (e) return cb(e, {});
        const auto* started = std::get_if<workflow_started_answer>(&a);
        if (!started) return cb(std::make_exception_ptr(storage_error("the owner's answer to a start has no run")), {});
        const auto& first = started->first_execution_run_id;
        cb(nullptr, {started->workflow_id, started->run_id, first.empty() ? started->run_id : first});
    });
}

void engine_core::message_via_owner(inbox_command c, callback<bool> cb) {
    via_owner(std::move(c), done(std::move(cb)));
}

void engine_core::ask_owner(inbox_command c, callback<boost::json::value> cb) {
    via_owner(std::move(c), payload(std::move(cb)));
}

void engine_core::namespace_via_owner(inbox_command c, std::string name, callback<namespace_info> cb) {
    via_owner(std::move(c),
              [this, name = std::move(name), cb = std::move(cb)](std::exception_ptr e, inbox_answer) mutable {
                  if (e) return cb(e, {});
                  // As the owner left it (with its creation time), from the registries just reloaded.
                  describe_namespace(std::move(name), std::move(cb));
              });
}

void engine_core::endpoint_via_owner(inbox_command c, std::string name, callback<nexus::endpoint> cb) {
    via_owner(std::move(c),
              [this, name = std::move(name), cb = std::move(cb)](std::exception_ptr e, inbox_answer) mutable {
                  if (e) return cb(e, {});
                  describe_endpoint(std::move(name), std::move(cb));
              });
}

}   // namespace perdure::detail
