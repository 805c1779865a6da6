// The engine's side of the inbox: a command from another process (the perdure CLI beside a
// running engine), once the inbox poller (inbox_poller.hpp) claimed it, is applied through the
// same entry points as the API, and its outcome becomes the answer the poller commits. The
// commands arrive typed: the store alone reads and writes their stored form.
#include "runtime/core.hpp"
#include "runtime/inbox_answers.hpp"

#include "store/start_command_json.hpp"
#include "store/store.hpp"

#include <perdure/error.hpp>

#include <functional>
#include <variant>

namespace perdure::detail {
namespace {

/// Applies each kind of command through the engine's own entry points, as the API would.
struct command_applier {
    engine_core& core;
    answer_sender answer;

    callback<bool> done() const {
        return [answer = answer](std::exception_ptr e, bool) { answer(e, {}); };
    }
    callback<namespace_info> namespace_done() const {
        return [answer = answer](std::exception_ptr e, namespace_info n) { answer(e, inbox_answer_of(n)); };
    }
    callback<nexus::endpoint> endpoint_done() const {
        return [answer = answer](std::exception_ptr e, nexus::endpoint ep) { answer(e, inbox_answer_of(ep)); };
    }

    void operator()(namespace_create_command& c) const {
        if (c.retention.count() == 0) return core.create_namespace(c.name, c.description, false, namespace_done());
        // Then its retention; values the CLI refuses were refused before the command was sent.
        core.create_namespace(c.name, c.description, false,
                              [&core = core, name = c.name, retention = c.retention, done = namespace_done()](
                                  std::exception_ptr e, namespace_info n) mutable {
                                  if (e) return done(e, std::move(n));
                                  core.set_namespace_retention(name, retention, std::move(done));
                              });
    }
    void operator()(namespace_update_command& c) const {
        core.set_namespace_retention(c.name, c.retention, namespace_done());
    }
    void operator()(namespace_delete_command& c) const { core.remove_namespace(c.name, done()); }
    void operator()(endpoint_create_command& c) const {
        core.create_endpoint({std::move(c.name), std::move(c.target_namespace), std::move(c.target_task_queue),
                              std::move(c.description), c.max_operations_per_second},
                             false, endpoint_done());
    }
    void operator()(endpoint_update_command& c) const {
        core.update_endpoint(c.name,
                             {std::move(c.new_name), std::move(c.target_namespace), std::move(c.target_task_queue),
                              std::move(c.description), c.expected_version, c.max_operations_per_second},
                             endpoint_done());
    }
    void operator()(endpoint_delete_command& c) const { core.remove_endpoint(c.name, done()); }
    void operator()(workflow_signal_command& c) const {
        core.signal_workflow(c.run.ns, c.run.workflow_id, c.run.run_id, c.signal, std::move(c.input), done());
    }
    void operator()(workflow_cancel_command& c) const {
        core.cancel_workflow(c.run.ns, c.run.workflow_id, c.run.run_id, c.first_run_id, done());
    }
    void operator()(workflow_terminate_command& c) const {
        core.terminate_workflow(c.run.ns, c.run.workflow_id, c.run.run_id, c.first_run_id, c.reason, done());
    }
    void operator()(workflow_delete_command& c) const {
        core.delete_workflow(c.run.ns, c.run.workflow_id, c.run.run_id, done());
    }
    void operator()(search_attribute_create_command& c) const {
        core.add_search_attribute(c.ns, c.name, c.type, done());
    }
    void operator()(search_attribute_remove_command& c) const { core.remove_search_attribute(c.ns, c.name, done()); }
    void operator()(workflow_start_command& c) const {
        // The API starts a workflow whatever the workers; another process starting one expects
        // this engine to run it, so a type it does not serve is refused rather than left waiting.
        try {
            if (!c.from_engine) check_served(c);
        } catch (...) {
            return answer(std::current_exception(), {});
        }
        auto options = options_of(c);
        auto started = [answer = answer](std::exception_ptr e, started_run r) {
            answer(e, workflow_started_answer{std::move(r.workflow_id), std::move(r.run_id),
                                              std::move(r.first_execution_run_id)});
        };
        if (c.signal.empty())
            return core.start_workflow(std::move(c.ns), std::move(c.workflow_type), std::move(c.input),
                                       std::move(options), std::move(started));
        core.signal_with_start(std::move(c.ns), std::move(c.workflow_type), std::move(c.input), std::move(options),
                               std::move(c.signal), std::move(c.signal_arg), std::move(started));
    }
    void operator()(workflow_query_command& c) const {
        core.query_workflow(c.run.ns, c.run.workflow_id, c.run.run_id, c.query, std::move(c.arg), payload_done());
    }
    void operator()(workflow_update_command& c) const {
        core.update_workflow(c.run.ns, c.run.workflow_id, c.run.run_id, c.update, std::move(c.arg),
                             std::move(c.update_id), payload_done());
    }

    void operator()(endpoint_health_command& c) const {
        core.endpoint_health(std::move(c.name), std::move(c.caller_ns),
                             [answer = answer](std::exception_ptr e, nexus::endpoint_health h) {
                                 answer(e, payload_answer{health_json(h)});
                             });
    }

    void operator()(activity_report_command& c) const { core.report_activity(c, answer); }
    void operator()(engine_handover_command&) const { core.answer_handover(answer); }
    void operator()(workflow_task_command& c) const { core.complete_workflow_task(c, answer); }
    void operator()(workflow_query_answer_command& c) const { core.answer_remote_query(c, answer); }
    void operator()(nexus_report_command& c) const {
        core.report_nexus(c);
        answer(nullptr, {});
    }

    callback<boost::json::value> payload_done() const {
        return
            [answer = answer](std::exception_ptr e, boost::json::value v) { answer(e, payload_answer{std::move(v)}); };
    }
    void check_served(const workflow_start_command& c) const {
        // Engines beside this one may run it from the shared task table: accepted, as Temporal
        // accepts a start whatever its queue.
        if (core.storage().shares_tasks()) return;
        const auto ns_id = core.namespace_id(c.ns);
        if (core.workers().workflow(ns_id, c.task_queue, c.workflow_type)) return;
        std::string known;
        for (const auto& n : core.workers().workflow_names(ns_id, c.task_queue))
            known += (known.empty() ? "" : ", ") + n;
        if (known.empty())
            throw failed_precondition("no worker of the running engine serves task queue '" + c.task_queue +
                                      "' in namespace '" + c.ns + "'; start the application that registers it (" +
                                      "engine.add_worker(\"" + c.ns + "\", \"" + c.task_queue + "\"))");
        throw failed_precondition("the running engine's worker on task queue '" + c.task_queue +
                                  "' does not register workflow type '" + c.workflow_type +
                                  "' (it registers: " + known + ")");
    }
};

}   // namespace

namespace_answer inbox_answer_of(const namespace_info& n) { return {n.name, n.description, n.retention}; }

endpoint_answer inbox_answer_of(const nexus::endpoint& e) {
    return {e.id,
            e.version,
            e.spec.name,
            e.spec.target_namespace,
            e.spec.target_task_queue,
            e.spec.description,
            e.spec.max_operations_per_second};
}

void engine_core::start_inbox() {
    listen_for_notices();
    // A standby's inbox is the owner's to answer, until it takes over.
    if (standing_by_) return start_standby_tick();
    // An in-memory store is this process's alone: no other process can leave a command in it.
    if (store_->in_memory()) return;
    answer_abandoned_commands();
    if (notices_) inbox_.poll_every(inbox_poller::announced_interval);
    inbox_.start(weak_from_this());
    try {
        inbox_.poll();   // what was left meanwhile (a standby's own commands too) is answered now, not at the next poll
    } catch (...) {
        // read again at the next poll
    }
}

void engine_core::answer_abandoned_commands() {
    // This engine owns the data now, so whoever claimed these is gone: their senders would
    // otherwise wait for an answer that never comes.
    write_unit unit;
    try {
        for (auto id : store_->reads().abandoned_commands())
            unit.ops.emplace_back(finish_inbox{
                id, inbox_failure{errc::storage_error,
                                  "the engine that took this command stopped before it answered; the command may "
                                  "have been applied: check with describe or list before sending it again",
                                  {},
                                  {},
                                  false,
                                  true}});
    } catch (const error&) {
        return;   // the server is away: the senders' patience runs out instead
    }
    if (!unit.ops.empty()) commit(std::move(unit));
}

std::vector<pending_command> engine_core::pending_commands(std::int64_t now_wall_us, std::size_t limit) {
    return store_->reads().pending_commands(now_wall_us, limit);
}

void engine_core::report_activity(activity_report_command& c, answer_sender answer) {
    using stage = activity_report_command::stage;
    const task_key key{c.run_key, c.seq};
    const auto reply = [&](activity_dispatcher::report_answer a) {
        answer(nullptr, payload_answer{boost::json::object{{"run", a.run}, {"cancel_requested", a.cancel_requested}}});
    };
    if (c.at == stage::started) return reply(activities_.remote_started(key, c.attempt, std::move(c.identity)));
    if (c.at == stage::heartbeat) return reply(activities_.remote_heartbeat(key, c.attempt, std::move(c.value)));
    std::optional<failure> f;
    if (!c.failure.is_null()) try {
            f = failure::from_json(c.failure);
        } catch (const payload_error& e) {
            f.emplace();
            f->message =
                std::string("the engine that ran the attempt reported a failure that cannot be read: ") + e.what();
        }
    activities_.remote_finished(key, c.attempt, std::move(c.value), std::move(c.details), std::move(f));
    answer(nullptr, {});
}

void engine_core::after_poll() {
    // Each poll may sweep: deletion left for an idle writer needs no commit to wake it, and
    // queries offered to other engines are only there with a shared store, whose inbox is polled.
    maybe_sweep_retention();
    queries_updates_.give_up_overdue();
}

void engine_core::apply(inbox_command& command, answer_sender answer) {
    std::visit(command_applier{*this, std::move(answer)}, command);
}

}   // namespace perdure::detail
