// The workflow instance: activations, the FIFO scheduler, the main coroutine and spawned tasks,
// futures and the commands of an activation.
#include "replay/workflow_instance.hpp"

#include "codec/duration.hpp"
#include "codec/json_parse.hpp"
#include "history/typed_attributes.hpp"

#include <perdure/error.hpp>

#include <boost/json/serialize.hpp>

#include <algorithm>

namespace perdure::detail {
namespace {

thread_local workflow_instance* current = nullptr;

std::uint64_t seed_from(const std::string& run_id) {
    std::uint64_t h = 1469598103934665603ull;   // FNV-1a
    for (unsigned char c : run_id) h = (h ^ c) * 1099511628211ull;
    return h;
}

bool is_message_event(event_type t) {
    return t == event_type::workflow_execution_signaled || t == event_type::workflow_execution_update_accepted ||
           t == event_type::workflow_execution_cancel_requested;
}

std::int64_t target_event_id(const event& e) {
    for (const char* key : {"scheduled_event_id", "initiated_event_id", "started_event_id"})
        if (const auto* v = e.attrs.if_contains(key); v && v->is_int64()) return v->get_int64();
    return 0;
}

}   // namespace

std::string describe_exception(const std::exception_ptr& ep) {
    try {
        std::rethrow_exception(ep);
    } catch (const std::exception& e) {
        return demangle(typeid(e)) + ": " + e.what();
    } catch (...) {
        return "an exception that is not a std::exception";
    }
}

workflow_instance::current_scope::current_scope(workflow_instance* i) noexcept : previous(std::exchange(current, i)) {}
workflow_instance::current_scope::~current_scope() { current = previous; }

const char* to_string(task_failure::cause c) noexcept {
    switch (c) {
    case task_failure::cause::workflow_error: return "workflow error";
    case task_failure::cause::nondeterminism: return "nondeterminism";
    case task_failure::cause::bad_command: return "bad command";
    case task_failure::cause::corrupt_history: return "corrupt history";
    }
    return "unknown";
}

workflow_instance* current_instance() noexcept { return current; }

workflow_instance::workflow_instance(workflow_function fn, workflow_info info, std::int64_t run_timeout_ms)
    : fn_(std::move(fn)),
      info_(std::move(info)),
      run_timeout_ms_(run_timeout_ms),
      ctx_(*this),
      rng_(seed_from(info_.run_id)) {}

workflow_instance::~workflow_instance() {
    // Tear down as one unit: coroutine frames first (their locals may hold futures and
    // awaiters that point into machines), then the machines.
    clear_ready();
    conditions_.clear();
    spawned_.clear();
    main_ = {};
    by_event_.clear();
    machines_.clear();
    retired_.clear();
}

std::size_t workflow_instance::approximate_bytes() const noexcept {
    return 4096 + (machines_.size() - retired_slots_) * 256 + spawned_.size() * 512 + conditions_.size() * 128;
}

// ---------------------------------------------------------------- activations

workflow_instance::activation_result workflow_instance::activate(std::span<const event> inbound, std::int64_t now_us,
                                                                 bool replaying,
                                                                 std::span<const event> recorded_commands) {
    current_scope guard(this);
    retired_.clear();
    commands_.clear();
    failure_.reset();
    now_us_ = now_us;
    replaying_ = replaying;
    recorded_commands_ = recorded_commands;
    active_ = true;

    // The run's start first, then signals, updates and cancellation, then resolutions.
    for (const auto& e : inbound)
        if (e.type == event_type::workflow_execution_started && !main_.valid()) start_main(e);
    for (const auto& e : inbound)
        if (is_message_event(e.type)) apply(e);
    for (const auto& e : inbound)
        if (e.type != event_type::workflow_execution_started && !is_message_event(e.type)) apply(e);

    if (!failure_) drain();
    active_ = false;
    std::erase_if(commands_, [](const command& c) { return c.dropped; });
    return {&commands_, failure_ ? std::optional<task_failure>(*failure_) : std::nullopt};
}

void workflow_instance::recorded(std::span<const event> events) {
    const std::size_t n = std::min(events.size(), commands_.size());
    for (std::size_t i = 0; i < n; ++i)
        if (commands_[i].owner) commands_[i].owner->recorded(events[i]);
    // Given back, not kept for the next activation: a cached instance may wait months for it.
    std::vector<command>().swap(commands_);
    retired_.clear();
}

void workflow_instance::annotate(event& e) const {
    if (auto* m = machine_for(target_event_id(e))) m->annotate(e);
}

boost::json::object workflow_instance::started_attributes() const {
    if (started_json_.empty()) return {};
    return detail::parse_json(started_json_).as_object();
}

void workflow_instance::start_main(const event& started) {
    const auto& a = started.attrs;
    if (const auto* t = a.if_contains("workflow_run_timeout"); t && t->is_string())
        if (auto d = parse_duration(t->get_string())) run_timeout_ms_ = d->count();
    if (const auto* n = a.if_contains("attempt"); n && n->is_int64()) info_.attempt = static_cast<int>(n->get_int64());
    if (const auto* f = a.if_contains("first_execution_run_id"); f && f->is_string())
        info_.first_execution_run_id = f->get_string();
    if (const auto* c = a.if_contains("continued_execution_run_id"); c && c->is_string())
        info_.continued_execution_run_id = c->get_string();
    const auto* in = a.if_contains("input");
    started_json_ = "{";
    for (const std::string_view key : {"input", "memo", "workflow_task_timeout", "workflow_execution_timeout"}) {
        const auto* v = a.if_contains(key);
        // No execution timeout ("0s", what most runs record) is what a missing one means.
        if (!v || (key == "workflow_execution_timeout" && v->is_string() && v->get_string() == "0s")) continue;
        started_json_.append(started_json_.size() > 1 ? ",\"" : "\"")
            .append(key)
            .append("\":")
            .append(boost::json::serialize(*v));
    }
    started_json_ += '}';
    if (const auto* sa = a.if_contains("search_attributes"); sa && sa->is_object())
        if (const auto* f = sa->get_object().if_contains("indexed_fields"))
            search_attributes_ = values_of(typed_attributes_from_json(*f));
    main_ = fn_(ctx_, in ? *in : boost::json::value{});
    auto& p = main_.handle().promise();
    p.sink = this;
    p.sink_key = &main_;
    schedule(main_.handle());
}

void workflow_instance::apply(const event& e) {
    switch (e.type) {
    case event_type::workflow_execution_signaled: {
        const auto* n = e.attrs.if_contains("signal_name");
        const auto* in = e.attrs.if_contains("input");
        deliver_signal(n && n->is_string() ? std::string(n->get_string()) : std::string(), in ? *in : nullptr);
        return;
    }
    case event_type::workflow_execution_update_accepted: accept_update(e); return;
    case event_type::workflow_task_failed:
        return;   // a failed activation left nothing behind: its commands were discarded
    case event_type::workflow_execution_cancel_requested:
        if (!cancel_requested_) {
            cancel_requested_ = true;
            // Deliver canceled_error once, into every await pending now.
            std::vector<machine*> pending;
            for (auto& m : machines_)
                if (m) pending.push_back(m.get());
            for (auto* m : pending) m->cancel_for_run();
            for (auto& c : conditions_) c.request_cancel();
            if (messages_) {
                for (auto& [name, receivers] : messages_->signal_receivers)
                    for (auto& r : receivers) reject(*r, std::make_exception_ptr(canceled_error("workflow canceled")));
                messages_->signal_receivers.clear();
            }
        }
        return;
    default: break;
    }
    const std::int64_t target = target_event_id(e);
    if (auto* m = target != 0 ? machine_for(target) : nullptr) m->apply(e);
}

void workflow_instance::drain() {
    for (;;) {
        while (ready_head_ < ready_.size() && !main_done_ && !failure_ && !continue_as_new_) {
            auto h = ready_[ready_head_++];
            h.resume();   // may schedule more
        }
        if (ready_head_ == ready_.size()) clear_ready();
        if (continue_as_new_ && !closed_ && !failure_) finish_continue_as_new();
        if (main_done_ && !closed_ && !failure_) finish_main();
        if (closed_ || failure_) break;
        if (!resolve_conditions()) break;
    }
    check_unobserved_failures();
}

bool workflow_instance::resolve_conditions() {
    for (auto it = conditions_.begin(); it != conditions_.end(); ++it) {
        if (it->state->ready()) {
            conditions_.erase(it);
            return true;
        }
        bool satisfied = false;
        try {
            satisfied = it->predicate();
        } catch (...) {
            fail_task(task_failure::cause::workflow_error,
                      "a wait_condition predicate threw " + describe_exception(std::current_exception()));
            return false;
        }
        if (satisfied) {
            resolve(*it->state, true);
            if (it->timeout && !it->timeout->ready()) detail::request_cancel(*it->timeout);
            conditions_.erase(it);
            return true;
        }
    }
    return false;
}

void workflow_instance::task_done(void* key) noexcept {
    if (key == &main_) {
        main_done_ = true;
        return;
    }
    auto* s = static_cast<spawned*>(key);
    s->done = true;
    if (!s->update_id.empty()) {
        // An update handler finished: its outcome is recorded as WorkflowExecutionUpdateCompleted.
        auto& p = s->update.handle().promise();
        boost::json::object outcome;
        if (p.exception)
            outcome["failure"] = failure_from_exception(p.exception).to_json();
        else
            outcome["success"] = p.value ? *p.value : boost::json::value{};
        messages().updates[s->update_id] = outcome;
        add_command(command_kind::complete_update,
                    {{"meta", {{"update_id", s->update_id}}}, {"outcome", std::move(outcome)}}, nullptr);
        resolve(*s->state, {});
        return;
    }
    auto& p = s->task.handle().promise();
    if (p.exception)
        reject(*s->state, p.exception);
    else
        resolve(*s->state, {});
}

void workflow_instance::main_returning() noexcept {
    if (closing_query_) answer_closing_query();
}

void main_returning() noexcept {
    if (auto* i = current_instance()) i->main_returning();
}

void workflow_instance::finish_main() {
    auto& p = main_.handle().promise();
    clear_ready();
    if (!p.exception) {
        add_command(command_kind::complete_workflow, {{"result", p.value ? *p.value : boost::json::value{}}}, nullptr);
    } else {
        try {
            std::rethrow_exception(p.exception);
        } catch (const canceled_error& e) {
            if (cancel_requested_)
                add_command(
                    command_kind::cancel_workflow,
                    {{"details", e.failure().info.contains("details") ? e.failure().info.at("details") : nullptr}},
                    nullptr);
            else
                add_command(command_kind::fail_workflow, {{"failure", e.failure().to_json()}}, nullptr);
        } catch (const failure_error& e) {
            // A Nexus operation's cancellation (nexus_operation_failure caused by CanceledError)
            // that leaves a canceled workflow cancels it, as Temporal unwraps it.
            const auto& f = e.failure();
            if (cancel_requested_ && f.kind == failure_kind::nexus_operation && f.cause &&
                f.cause->kind == failure_kind::canceled)
                add_command(command_kind::cancel_workflow,
                            {{"details", f.cause->info.contains("details") ? f.cause->info.at("details") : nullptr}},
                            nullptr);
            else
                add_command(command_kind::fail_workflow, {{"failure", f.to_json()}}, nullptr);
        } catch (...) {
            fail_task(task_failure::cause::workflow_error,
                      "workflow " + info_.workflow_type + " threw " + describe_exception(p.exception) +
                          "; only perdure::failure_error subclasses (application_error, ...) fail a run, other "
                          "exceptions fail the workflow task, which is retried");
            return;
        }
    }
    closed_ = true;
    // Spawned tasks and handlers never run again once the main coroutine has returned.
    spawned_.clear();
    conditions_.clear();
    drop_handlers();
}

void workflow_instance::finish_continue_as_new() {
    clear_ready();
    const auto& o = continue_as_new_->options;
    const auto run_timeout = o.run_timeout.count() > 0 ? o.run_timeout : std::chrono::milliseconds(run_timeout_ms_);
    boost::json::object attrs{{"workflow_type", {{"name", info_.workflow_type}}},
                              {"task_queue", {{"name", o.task_queue.empty() ? info_.task_queue : o.task_queue}}},
                              {"input", std::move(continue_as_new_->input)},
                              {"workflow_run_timeout", format_duration(run_timeout)},
                              {"initiator", "WORKFLOW"}};
    if (o.task_timeout.count() > 0) attrs["workflow_task_timeout"] = format_duration(o.task_timeout);
    if (o.memo) attrs["memo"] = *o.memo;
    add_command(command_kind::continue_as_new, std::move(attrs), nullptr);
    closed_ = true;
    spawned_.clear();
    conditions_.clear();
    drop_handlers();
}

void workflow_instance::check_unobserved_failures() {
    for (auto it = spawned_.begin(); it != spawned_.end();) {
        if (!it->done) {
            ++it;
            continue;
        }
        if (it->state->st == future_state::status::failed && it->state.use_count() == 1 && !failure_)
            fail_task(task_failure::cause::workflow_error,
                      "a task started with ctx.spawn failed and nobody holds its future: " +
                          describe_exception(it->state->error) +
                          " (keep the future spawn returns and await it, or catch inside the task)");
        it = spawned_.erase(it);
    }
}

void workflow_instance::fail_task(task_failure::cause c, std::string message) {
    if (!failure_) failure_ = std::make_unique<task_failure>(task_failure{c, std::move(message)});
}

// ---------------------------------------------------------------- futures and commands

std::shared_ptr<future_state> workflow_instance::make_future(cancel_target* cancel) {
    auto s = std::make_shared<future_state>();
    s->owner = this;
    s->cancel = cancel;
    return s;
}

void workflow_instance::resolve(future_state& s, boost::json::value v) {
    if (s.ready()) return;
    s.value = std::move(v);
    settle(s, future_state::status::succeeded);
}

void workflow_instance::reject(future_state& s, std::exception_ptr e) {
    if (s.ready()) return;
    s.error = std::move(e);
    settle(s, future_state::status::failed);
}

void workflow_instance::settle(future_state& s, future_state::status outcome) {
    s.st = outcome;
    s.resolved_seq = ++resolved_seq_;
    s.cancel = nullptr;
    auto waiters = std::move(s.waiters);
    s.waiters.clear();
    for (auto& w : waiters) {
        if (w.handle)
            schedule(w.handle);
        else if (w.multi)
            w.multi->on_resolved(s);
    }
}

void workflow_instance::add_command(command_kind k, boost::json::object attrs, machine* owner) {
    commands_.push_back(command{k, std::move(attrs), owner, false});
}

void workflow_instance::drop_command(const machine* owner) {
    for (auto& c : commands_)
        if (c.owner == owner && !c.dropped) {
            c.dropped = true;
            return;
        }
}

namespace {
bool before(const std::pair<std::int64_t, machine*>& entry, std::int64_t event_id) noexcept {
    return entry.first < event_id;
}
}   // namespace

machine* workflow_instance::machine_for(std::int64_t event_id) const noexcept {
    auto it = std::lower_bound(by_event_.begin(), by_event_.end(), event_id, before);
    return it != by_event_.end() && it->first == event_id ? it->second : nullptr;
}

void workflow_instance::index_event(std::int64_t event_id, machine* m) {
    auto it = std::lower_bound(by_event_.begin(), by_event_.end(), event_id, before);
    if (it != by_event_.end() && it->first == event_id)
        it->second = m;
    else
        by_event_.insert(it, {event_id, m});
}

void workflow_instance::unindex_event(std::int64_t event_id) {
    auto it = std::lower_bound(by_event_.begin(), by_event_.end(), event_id, before);
    if (it != by_event_.end() && it->first == event_id) by_event_.erase(it);
}

void workflow_instance::retire(machine* m) {
    if (m->future()) m->future()->cancel = nullptr;
    if (m->slot >= machines_.size() || machines_[m->slot].get() != m) return;
    retired_.push_back(std::move(machines_[m->slot]));
    if (++retired_slots_ * 2 < machines_.size()) return;
    std::erase(machines_, nullptr);
    retired_slots_ = 0;
    for (std::size_t i = 0; i < machines_.size(); ++i) machines_[i]->slot = i;
}

void workflow_instance::check_active() const {
    if (current != this || !active_)
        throw failed_precondition(
            "workflow_context was used outside its workflow's activation: use ctx only from the workflow's own "
            "coroutines while they run (never from threads, callbacks or another workflow)");
}

}   // namespace perdure::detail
