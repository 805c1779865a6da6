// The workflow instance: activations, the FIFO scheduler, conditions and spawned tasks.
#include "replay/instance.hpp"

#include "machines/activity_machine.hpp"
#include "machines/child_machine.hpp"
#include "machines/nexus_machine.hpp"
#include "machines/activity_options.hpp"
#include "machines/timer_machine.hpp"
#include "codec/duration.hpp"
#include "machines/retry.hpp"

#include <perdure/error.hpp>

#include <algorithm>

namespace perdure::detail {
namespace {

thread_local instance* current = nullptr;

struct current_guard {
    instance* previous;
    explicit current_guard(instance* i) : previous(std::exchange(current, i)) {}
    ~current_guard() { current = previous; }
};

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

const boost::json::object* object_in(const boost::json::object& o, const char* key) {
    const auto* v = o.if_contains(key);
    return v ? v->if_object() : nullptr;
}

std::string describe_exception(const std::exception_ptr& ep) {
    try {
        std::rethrow_exception(ep);
    } catch (const std::exception& e) {
        return demangle(typeid(e)) + ": " + e.what();
    } catch (...) {
        return "an exception that is not a std::exception";
    }
}

}  // namespace

const char* to_string(task_failure::cause c) noexcept {
    switch (c) {
    case task_failure::cause::workflow_error: return "workflow error";
    case task_failure::cause::nondeterminism: return "nondeterminism";
    case task_failure::cause::bad_command: return "bad command";
    case task_failure::cause::corrupt_history: return "corrupt history";
    }
    return "unknown";
}

instance* current_instance() noexcept { return current; }

instance::instance(workflow_function fn, workflow_info info, std::int64_t run_timeout_ms)
    : fn_(std::move(fn)), info_(std::move(info)), run_timeout_ms_(run_timeout_ms), ctx_(*this),
      rng_(seed_from(info_.run_id)) {}

instance::~instance() {
    // Tear down as one unit: coroutine frames first (their locals may hold futures and
    // awaiters that point into machines), then the machines.
    ready_.clear();
    conditions_.clear();
    spawned_.clear();
    main_ = {};
    by_event_.clear();
    machines_.clear();
    retired_.clear();
}

std::size_t instance::approximate_bytes() const noexcept {
    return 4096 + machines_.size() * 256 + spawned_.size() * 512 + conditions_.size() * 128;
}

// ---------------------------------------------------------------- activations

instance::activation_result instance::activate(std::span<const event> inbound, std::int64_t now_us, bool replaying,
                                               std::span<const event> recorded_commands) {
    current_guard guard(this);
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
    return {&commands_, failure_};
}

void instance::recorded(std::span<const event> events) {
    const std::size_t n = std::min(events.size(), commands_.size());
    for (std::size_t i = 0; i < n; ++i)
        if (commands_[i].owner) commands_[i].owner->recorded(events[i]);
    commands_.clear();
    retired_.clear();
}

void instance::annotate(event& e) const {
    if (auto it = by_event_.find(target_event_id(e)); it != by_event_.end()) it->second->annotate(e);
}

void instance::start_main(const event& started) {
    const auto& a = started.attrs;
    if (const auto* t = a.if_contains("workflow_run_timeout"); t && t->is_string())
        if (auto d = parse_duration(t->get_string())) run_timeout_ms_ = d->count();
    if (const auto* n = a.if_contains("attempt"); n && n->is_int64()) info_.attempt = static_cast<int>(n->get_int64());
    if (const auto* f = a.if_contains("first_execution_run_id"); f && f->is_string())
        info_.first_execution_run_id = f->get_string();
    if (const auto* c = a.if_contains("continued_execution_run_id"); c && c->is_string())
        info_.continued_execution_run_id = c->get_string();
    const auto* in = a.if_contains("input");
    started_attrs_ = a;
    main_ = fn_(ctx_, in ? *in : boost::json::value{});
    auto& p = main_.handle().promise();
    p.sink = this;
    p.sink_key = &main_;
    schedule(main_.handle());
}

void instance::apply(const event& e) {
    switch (e.type) {
    case event_type::workflow_execution_signaled: {
        const auto* n = e.attrs.if_contains("signal_name");
        const auto* in = e.attrs.if_contains("input");
        deliver_signal(n && n->is_string() ? std::string(n->get_string()) : std::string(), in ? *in : nullptr);
        return;
    }
    case event_type::workflow_execution_update_accepted:
        accept_update(e);
        return;
    case event_type::workflow_task_failed:
        return;   // a failed activation left nothing behind: its commands were discarded
    case event_type::workflow_execution_cancel_requested:
        if (!cancel_requested_) {
            cancel_requested_ = true;
            // Deliver canceled_error once, into every await pending now.
            std::vector<machine*> pending;
            for (auto& [m, owned] : machines_) pending.push_back(owned.get());
            for (auto* m : pending) m->cancel_for_run();
            for (auto& c : conditions_) c.request_cancel();
            for (auto& [name, receivers] : signal_receivers_)
                for (auto& r : receivers) reject(*r, std::make_exception_ptr(canceled_error("workflow canceled")));
            signal_receivers_.clear();
        }
        return;
    default:
        break;
    }
    const std::int64_t target = target_event_id(e);
    if (auto it = by_event_.find(target); target != 0 && it != by_event_.end()) it->second->apply(e);
}

void instance::drain() {
    for (;;) {
        while (!ready_.empty() && !main_done_ && !failure_ && !continue_as_new_) {
            auto h = ready_.front();
            ready_.pop_front();
            h.resume();
        }
        if (continue_as_new_ && !closed_ && !failure_) finish_continue_as_new();
        if (main_done_ && !closed_ && !failure_) finish_main();
        if (closed_ || failure_) break;
        if (!resolve_conditions()) break;
    }
    check_unobserved_failures();
}

bool instance::resolve_conditions() {
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

void instance::task_done(void* key) noexcept {
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
        updates_[s->update_id] = outcome;
        add_command(command_kind::complete_update, {{"meta", {{"update_id", s->update_id}}}, {"outcome", std::move(outcome)}},
                    nullptr);
        resolve(*s->state, {});
        return;
    }
    auto& p = s->task.handle().promise();
    if (p.exception)
        reject(*s->state, p.exception);
    else
        resolve(*s->state, {});
}

void instance::main_returning() noexcept {
    if (closing_query_) answer_closing_query();
}

void main_returning() noexcept {
    if (auto* i = current_instance()) i->main_returning();
}

void instance::finish_main() {
    auto& p = main_.handle().promise();
    ready_.clear();
    if (!p.exception) {
        add_command(command_kind::complete_workflow, {{"result", p.value ? *p.value : boost::json::value{}}}, nullptr);
    } else {
        try {
            std::rethrow_exception(p.exception);
        } catch (const canceled_error& e) {
            if (cancel_requested_)
                add_command(command_kind::cancel_workflow, {{"details", e.failure().info.contains("details") ? e.failure().info.at("details") : nullptr}}, nullptr);
            else
                add_command(command_kind::fail_workflow, {{"failure", e.failure().to_json()}}, nullptr);
        } catch (const failure_error& e) {
            // A Nexus operation's cancellation (nexus_operation_failure caused by CanceledError)
            // that leaves a canceled workflow cancels it, as Temporal unwraps it.
            const auto& f = e.failure();
            if (cancel_requested_ && f.kind == failure_kind::nexus_operation && f.cause &&
                f.cause->kind == failure_kind::canceled)
                add_command(command_kind::cancel_workflow,
                            {{"details", f.cause->info.contains("details") ? f.cause->info.at("details") : nullptr}}, nullptr);
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
    query_handlers_.clear();
    update_handlers_.clear();
}

void instance::finish_continue_as_new() {
    ready_.clear();
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
    query_handlers_.clear();
    update_handlers_.clear();
}

void instance::check_unobserved_failures() {
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

void instance::fail_task(task_failure::cause c, std::string message) {
    if (!failure_) failure_ = task_failure{c, std::move(message)};
}

// ---------------------------------------------------------------- futures and commands

std::shared_ptr<future_state> instance::make_future(cancel_target* cancel) {
    auto s = std::make_shared<future_state>();
    s->owner = this;
    s->cancel = cancel;
    return s;
}

void instance::resolve(future_state& s, boost::json::value v) {
    if (s.ready()) return;
    s.st = future_state::status::succeeded;
    s.value = std::move(v);
    s.resolved_seq = ++resolved_seq_;
    s.cancel = nullptr;
    auto waiters = std::move(s.waiters);
    s.waiters.clear();
    for (auto& w : waiters) {
        if (w.handle) schedule(w.handle);
        else if (w.multi) w.multi->on_resolved(s);
    }
}

void instance::reject(future_state& s, std::exception_ptr e) {
    if (s.ready()) return;
    s.st = future_state::status::failed;
    s.error = std::move(e);
    s.resolved_seq = ++resolved_seq_;
    s.cancel = nullptr;
    auto waiters = std::move(s.waiters);
    s.waiters.clear();
    for (auto& w : waiters) {
        if (w.handle) schedule(w.handle);
        else if (w.multi) w.multi->on_resolved(s);
    }
}

void instance::add_command(command_kind k, boost::json::object attrs, machine* owner) {
    commands_.push_back(command{k, std::move(attrs), owner, false});
}

void instance::drop_command(const machine* owner) {
    for (auto& c : commands_)
        if (c.owner == owner && !c.dropped) {
            c.dropped = true;
            return;
        }
}

void instance::retire(machine* m) {
    if (m->future()) m->future()->cancel = nullptr;
    if (auto it = machines_.find(m); it != machines_.end()) {
        retired_.push_back(std::move(it->second));
        machines_.erase(it);
    }
}

void instance::check_active() const {
    if (current != this || !active_)
        throw failed_precondition(
            "workflow_context was used outside its workflow's activation: use ctx only from the workflow's own "
            "coroutines while they run (never from threads, callbacks or another workflow)");
}

// ---------------------------------------------------------------- workflow_context operations

std::uint64_t instance::next_random() noexcept {
    std::uint64_t z = (rng_ += 0x9e3779b97f4a7c15ull);   // splitmix64
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

std::shared_ptr<future_state> instance::start_timer(std::chrono::milliseconds d) {
    if (d.count() <= 0) {
        auto s = make_future();
        resolve(*s, {});
        return s;
    }
    return add_machine<timer_machine>(next_timer_++, d).future();
}

std::shared_ptr<future_state> instance::schedule_activity(std::string_view type, boost::json::value input,
                                                          const activity_options& options) {
    boost::json::object attrs;
    const auto id = std::to_string(next_activity_++);
    if (auto err = activity_schedule_attrs(type, id, std::move(input), options, info_.task_queue,
                                           std::chrono::milliseconds(run_timeout_ms_), attrs)) {
        fail_task(task_failure::cause::bad_command, "BAD_SCHEDULE_ACTIVITY_ATTRIBUTES: " + *err);
        return make_future();
    }
    return add_machine<activity_machine>(std::move(attrs), options.cancellation).future();
}

const event* instance::find_marker(std::string_view name, const char* id_key, const boost::json::value& id) const {
    for (const auto& e : recorded_commands_) {
        if (e.type != event_type::marker_recorded) continue;
        const auto* n = e.attrs.if_contains("marker_name");
        const auto* d = e.attrs.if_contains("details");
        if (!n || !n->is_string() || n->get_string() != name || !d || !d->is_object()) continue;
        if (const auto* v = d->get_object().if_contains(id_key); v && *v == id) return &e;
    }
    return nullptr;
}

std::shared_ptr<future_state> instance::side_effect(const std::function<boost::json::value()>& fn) {
    auto s = make_future();
    const std::int64_t id = next_side_effect_++;
    boost::json::value data;
    if (replaying_) {
        const event* m = find_marker("SideEffect", "side_effect_id", id);
        if (!m) {
            fail_task(task_failure::cause::nondeterminism,
                      "side_effect #" + std::to_string(id) + " has no recorded marker at this point of history");
            return s;
        }
        const auto* recorded = m->attrs.at("details").get_object().if_contains("data");
        if (!recorded) {
            fail_task(task_failure::cause::corrupt_history, "corrupt history: " + describe(*m) + " has no details.data");
            return s;
        }
        data = *recorded;
    } else {
        try {
            data = fn();
        } catch (...) {
            fail_task(task_failure::cause::workflow_error,
                      "the function given to side_effect threw " + describe_exception(std::current_exception()));
            return s;
        }
    }
    add_command(command_kind::record_marker,
                {{"marker_name", "SideEffect"}, {"details", {{"side_effect_id", id}, {"data", data}}}}, nullptr);
    resolve(*s, std::move(data));
    return s;
}

bool instance::patched(std::string_view change_id, bool deprecated) {
    const std::string id(change_id);
    if (auto it = patches_.find(id); it != patches_.end()) return it->second;
    bool present = !replaying_ || find_marker("core_patch", "patch_id", boost::json::value(id)) != nullptr;
    if (present)
        add_command(command_kind::record_marker,
                    {{"marker_name", "core_patch"}, {"details", {{"patch_id", id}, {"deprecated", deprecated}}}},
                    nullptr);
    patches_.emplace(id, present);
    return present;
}

std::shared_ptr<future_state> instance::wait_condition(std::function<bool()> predicate,
                                                       std::chrono::milliseconds timeout) {
    auto s = make_future();
    bool satisfied = false;
    try {
        satisfied = predicate();
    } catch (...) {
        fail_task(task_failure::cause::workflow_error,
                  "a wait_condition predicate threw " + describe_exception(std::current_exception()));
        return s;
    }
    if (satisfied) {
        resolve(*s, true);
        return s;
    }
    auto& c = conditions_.emplace_back(*this, std::move(predicate), s);
    s->cancel = &c;
    if (timeout.count() > 0) {
        c.timeout = start_timer(timeout);
        c.timeout->waiters.push_back({{}, &c});
    }
    return s;
}

void instance::condition::request_cancel() {
    if (!state->ready()) inst.reject(*state, std::make_exception_ptr(canceled_error("condition wait canceled")));
    if (timeout && !timeout->ready()) detail::request_cancel(*timeout);
}

void instance::condition::on_resolved(future_state& timer) {
    if (!state->ready() && timer.st == future_state::status::succeeded) inst.resolve(*state, false);
}

std::shared_ptr<future_state> instance::spawn(workflow<void> task) {
    auto& s = spawned_.emplace_back(spawned{std::move(task), make_future(), false});
    auto& p = s.task.handle().promise();
    p.sink = this;
    p.sink_key = &s;
    schedule(s.task.handle());
    return s.state;
}

}  // namespace perdure::detail

namespace perdure::detail {

// ---------------------------------------------------------------- signals

void instance::deliver_signal(const std::string& name, boost::json::value value) {
    auto& receivers = signal_receivers_[name];
    while (!receivers.empty() && receivers.front()->ready()) receivers.pop_front();
    if (!receivers.empty()) {
        auto r = receivers.front();
        receivers.pop_front();
        resolve(*r, std::move(value));
        return;
    }
    signal_buffers_[name].push_back({std::move(value), ++signal_order_});
}

std::shared_ptr<future_state> instance::receive_signal(const std::string& name) {
    auto s = make_future();
    auto& buffer = signal_buffers_[name];
    if (!buffer.empty()) {
        resolve(*s, std::move(buffer.front().value));
        buffer.pop_front();
        return s;
    }
    signal_receivers_[name].push_back(s);
    return s;
}

std::optional<boost::json::value> instance::try_receive_signal(const std::string& name) {
    auto it = signal_buffers_.find(name);
    if (it == signal_buffers_.end() || it->second.empty()) return std::nullopt;
    auto v = std::move(it->second.front().value);
    it->second.pop_front();
    return v;
}

std::vector<std::pair<std::string, boost::json::value>> instance::unread_signals() const {
    std::vector<std::tuple<std::uint64_t, std::string, boost::json::value>> all;
    for (const auto& [name, buffer] : signal_buffers_)
        for (const auto& b : buffer) all.emplace_back(b.order, name, b.value);
    std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return std::get<0>(a) < std::get<0>(b); });
    std::vector<std::pair<std::string, boost::json::value>> out;
    for (auto& [order, name, value] : all) out.emplace_back(std::move(name), std::move(value));
    return out;
}

// ---------------------------------------------------------------- queries and updates

void instance::set_query_handler(std::string name, query_handler_fn fn) { query_handlers_[std::move(name)] = std::move(fn); }

void instance::set_update_handler(std::string name, update_handler_fn handler, update_validator_fn validator) {
    update_handlers_[std::move(name)] = {std::move(handler), std::move(validator)};
}

boost::json::value instance::query(const std::string& name, const boost::json::value& arg) {
    auto it = query_handlers_.find(name);
    if (it == query_handlers_.end()) {
        std::string known;
        for (const auto& [n, h] : query_handlers_) known += (known.empty() ? "" : ", ") + n;
        throw query_failed_error("workflow " + info_.workflow_id + " has no query handler named '" + name +
                                 "' (known: " + (known.empty() ? "none" : known) + ")");
    }
    current_guard guard(this);
    try {
        return it->second(arg);
    } catch (...) {
        throw query_failed_error("query '" + name + "' of workflow " + info_.workflow_id + " failed: " +
                                 describe_exception(std::current_exception()));
    }
}

std::optional<std::string> instance::validate_update(const std::string& name, const boost::json::value& arg) {
    auto it = update_handlers_.find(name);
    if (it == update_handlers_.end()) {
        std::string known;
        for (const auto& [n, h] : update_handlers_) known += (known.empty() ? "" : ", ") + n;
        return "workflow " + info_.workflow_id + " has no update handler named '" + name + "' (known: " +
               (known.empty() ? "none" : known) + ")";
    }
    if (!it->second.validator) return std::nullopt;
    current_guard guard(this);
    try {
        it->second.validator(arg);
    } catch (...) {
        return describe_exception(std::current_exception());
    }
    return std::nullopt;
}

void instance::accept_update(const event& e) {
    const auto* request = object_in(e.attrs, "accepted_request");
    const auto* meta = request ? object_in(*request, "meta") : nullptr;
    const auto* input = request ? object_in(*request, "input") : nullptr;
    const auto* update_id = meta ? meta->if_contains("update_id") : nullptr;
    const auto* update_name = input ? input->if_contains("name") : nullptr;
    if (!update_id || !update_id->is_string() || !update_name || !update_name->is_string()) {
        fail_task(task_failure::cause::corrupt_history,
                  "corrupt history: " + describe(e) +
                      " needs accepted_request.meta.update_id and accepted_request.input.name, both strings");
        return;
    }
    const std::string id(update_id->get_string());
    const std::string name(update_name->get_string());
    const auto* arg = input->if_contains("args");
    updates_.emplace(id, std::nullopt);
    auto& s = spawned_.emplace_back(spawned{workflow<void>{}, make_future(), false, id, {}});
    auto it = update_handlers_.find(name);
    if (it == update_handlers_.end()) {
        // The handler is gone (changed code): the update fails rather than hanging.
        boost::json::object outcome{
            {"failure", failure{"no update handler named '" + name + "'", failure_kind::application,
                                {{"type", "UpdateHandlerNotFound"}, {"non_retryable", true}}}
                            .to_json()}};
        updates_[id] = outcome;
        add_command(command_kind::complete_update, {{"meta", {{"update_id", id}}}, {"outcome", std::move(outcome)}},
                    nullptr);
        spawned_.pop_back();
        return;
    }
    s.update = it->second.handler(arg ? *arg : boost::json::value{});
    auto& p = s.update.handle().promise();
    p.sink = this;
    p.sink_key = &s;
    schedule(s.update.handle());
}

void instance::set_closing_query(std::string name, boost::json::value arg) {
    closing_query_ = closing_query{std::move(name), std::move(arg)};
}

void instance::answer_closing_query() {
    try {
        closing_query_->answer = query(closing_query_->name, closing_query_->arg);
        closing_query_->error = nullptr;
    } catch (...) {
        if (!closing_query_->answer) closing_query_->error = std::current_exception();
    }
}

boost::json::value instance::closing_query_answer() {
    if (closing_query_->answer) return *closing_query_->answer;
    if (closing_query_->error) std::rethrow_exception(closing_query_->error);
    throw query_failed_error("workflow " + info_.workflow_id + " never registered a query handler named '" +
                             closing_query_->name + "'");
}

// ---------------------------------------------------------------- children, external workflows, continue-as-new

std::shared_ptr<future_state> instance::start_child(std::string_view type, boost::json::value input,
                                                    const child_workflow_options& o) {
    const std::string id = o.id.empty() ? info_.run_id + ":child-" + std::to_string(next_child_) : o.id;
    ++next_child_;
    if (o.execution_timeout.count() < 0) {
        fail_task(task_failure::cause::bad_command, "BAD_START_CHILD_EXECUTION_ATTRIBUTES: negative timeout");
        return make_future();
    }
    const char* policy = o.parent_close == parent_close_policy::terminate        ? "TERMINATE"
                         : o.parent_close == parent_close_policy::request_cancel ? "REQUEST_CANCEL"
                                                                                 : "ABANDON";
    boost::json::object attrs{{"namespace", info_.ns},
                              {"workflow_id", id},
                              {"workflow_type", {{"name", type}}},
                              {"task_queue", {{"name", o.task_queue.empty() ? info_.task_queue : o.task_queue}}},
                              {"input", std::move(input)},
                              {"workflow_execution_timeout", format_duration(o.execution_timeout)},
                              {"parent_close_policy", policy}};
    if (o.retry) attrs["retry_policy"] = to_json(with_defaults(*o.retry));
    return add_machine<child_machine>(std::move(attrs), o.cancellation).future();
}

std::shared_ptr<future_state> instance::signal_external(std::string_view workflow_id, std::string_view run_id,
                                                        std::string_view signal, boost::json::value arg) {
    return add_machine<external_machine>(command_kind::signal_external,
                                         boost::json::object{{"namespace", info_.ns},
                                                             {"workflow_execution", {{"workflow_id", workflow_id}, {"run_id", run_id}}},
                                                             {"signal_name", signal},
                                                             {"input", std::move(arg)},
                                                             {"child_workflow_only", false}})
        .future();
}

std::shared_ptr<future_state> instance::cancel_external(std::string_view workflow_id, std::string_view run_id) {
    return add_machine<external_machine>(command_kind::request_cancel_external,
                                         boost::json::object{{"namespace", info_.ns},
                                                             {"workflow_execution", {{"workflow_id", workflow_id}, {"run_id", run_id}}},
                                                             {"child_workflow_only", false}})
        .future();
}

std::shared_ptr<future_state> instance::continue_as_new(boost::json::value input, continue_as_new_options options) {
    if (!continue_as_new_) continue_as_new_ = continuation{std::move(input), std::move(options)};
    return make_future();   // never resolves: the run ends with this activation
}

}  // namespace perdure::detail

namespace perdure::detail {

// ---------------------------------------------------------------- Nexus

namespace {
constexpr std::size_t max_nexus_name_bytes = 1000;
constexpr std::size_t max_nexus_header_bytes = 8192;

std::optional<std::string> nexus_attribute_problem(const std::string& endpoint, const std::string& service,
                                                   const std::string& operation, const nexus::operation_options& o) {
    if (endpoint.empty() || service.empty() || operation.empty()) return "endpoint, service and operation must not be empty";
    if (endpoint.starts_with("__temporal_") || service.starts_with("__temporal_"))
        return "endpoint and service names must not start with __temporal_";
    if (service.size() > max_nexus_name_bytes || operation.size() > max_nexus_name_bytes)
        return "service and operation names are limited to 1000 bytes";
    if (o.schedule_to_close_timeout.count() < 0 || o.schedule_to_start_timeout.count() < 0 ||
        o.start_to_close_timeout.count() < 0)
        return "timeouts must not be negative";
    std::size_t header = 0;
    for (const auto& [k, v] : o.header) {
        header += k.size() + v.size();
        std::string lower = k;
        for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        if (lower == "request-timeout" || lower.starts_with("temporal-") || lower.starts_with("content-"))
            return "header key '" + k + "' is reserved";
    }
    if (header > max_nexus_header_bytes) return "the Nexus header is larger than 8192 bytes";
    return std::nullopt;
}
}  // namespace

nexus_futures instance::schedule_nexus(const std::string& endpoint, const std::string& service,
                                       const std::string& operation, boost::json::value input,
                                       const nexus::operation_options& o) {
    if (auto problem = nexus_attribute_problem(endpoint, service, operation, o)) {
        fail_task(task_failure::cause::bad_command, "BAD_SCHEDULE_NEXUS_OPERATION_ATTRIBUTES: " + *problem);
        return {make_future(), make_future()};
    }
    int pending = 0;
    for (const auto& [m, owned] : machines_)
        if (const auto* n = dynamic_cast<const nexus_machine*>(m); n && n->pending()) ++pending;
    if (pending >= max_pending_nexus_) {
        fail_task(task_failure::cause::bad_command,
                  "PENDING_NEXUS_OPERATIONS_LIMIT_EXCEEDED: a workflow may have at most " +
                      std::to_string(max_pending_nexus_) + " Nexus operations in flight (engine_limits)");
        return {make_future(), make_future()};
    }
    // Capped as Temporal does: schedule-to-close by the run timeout; the others by schedule-to-close.
    using ms = std::chrono::milliseconds;
    ms s2c = o.schedule_to_close_timeout;
    if (run_timeout_ms_ > 0 && (s2c.count() == 0 || s2c.count() > run_timeout_ms_)) s2c = ms(run_timeout_ms_);
    auto cap = [&](ms v) { return s2c.count() > 0 && v > s2c ? s2c : v; };
    boost::json::object header;
    for (const auto& [k, v] : o.header) {
        std::string lower = k;
        for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        header[lower] = v;
    }
    boost::json::object attrs{{"endpoint", endpoint},
                              {"service", service},
                              {"operation", operation},
                              {"input", std::move(input)},
                              {"schedule_to_close_timeout", format_duration(s2c)},
                              {"schedule_to_start_timeout", format_duration(cap(o.schedule_to_start_timeout))},
                              {"start_to_close_timeout", format_duration(cap(o.start_to_close_timeout))},
                              {"nexus_header", std::move(header)}};
    if (!o.summary.empty()) attrs["user_metadata"] = {{"summary", o.summary}};
    auto& m = add_machine<nexus_machine>(std::move(attrs), o.cancellation);
    return {m.started(), m.future()};
}

nexus_futures schedule_nexus(instance& inst, const std::string& endpoint, const std::string& service,
                             const std::string& operation, boost::json::value input, const nexus::operation_options& o) {
    inst.check_active();
    return inst.schedule_nexus(endpoint, service, operation, std::move(input), o);
}

}  // namespace perdure::detail
