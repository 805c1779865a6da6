// The workflow instance's commands, as workflow_context asks for them: timers, activities, side
// effects and patches, conditions and spawned tasks, children and external workflows,
// continue-as-new and Nexus operations. Each command kind has its machine in machines/.
#include "replay/workflow_instance.hpp"

#include "codec/duration.hpp"
#include "history/retry_policy.hpp"
#include "machines/activity_machine.hpp"
#include "machines/activity_options.hpp"
#include "machines/child_machine.hpp"
#include "machines/nexus_machine.hpp"
#include "machines/timer_machine.hpp"

#include <perdure/error.hpp>

#include <algorithm>
#include <array>

namespace perdure::detail {

// ---------------------------------------------------------------- workflow_context operations

std::shared_ptr<future_state> workflow_instance::labeled(std::shared_ptr<future_state> s, const char* kind,
                                                         std::string about) {
    s->kind = kind;
    s->about = std::move(about);
    return s;
}

std::uint64_t workflow_instance::next_random() noexcept {
    std::uint64_t z = (rng_ += 0x9e3779b97f4a7c15ull);   // splitmix64
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

std::shared_ptr<future_state> workflow_instance::start_timer(std::chrono::milliseconds d) {
    if (d.count() <= 0) {
        auto s = make_future();
        resolve(*s, {});
        return s;
    }
    const auto id = next_timer_++;
    return labeled(add_machine<timer_machine>(id, d).future(), "timer",
                   "timer " + std::to_string(id) + " (" + format_duration(d) + ")");
}

std::shared_ptr<future_state> workflow_instance::schedule_activity(std::string_view type, boost::json::value input,
                                                                   const activity_options& options) {
    boost::json::object attrs;
    const auto id = std::to_string(next_activity_++);
    if (auto err = activity_schedule_attrs(type, id, std::move(input), options, info_.task_queue,
                                           std::chrono::milliseconds(run_timeout_ms_), attrs)) {
        fail_task(task_failure::cause::bad_command, "BAD_SCHEDULE_ACTIVITY_ATTRIBUTES: " + *err);
        return make_future();
    }
    return labeled(add_machine<activity_machine>(std::move(attrs), options.cancellation).future(), "activity",
                   "activity " + std::string(type) + " (activity id " + id + ")");
}

const event* workflow_instance::find_marker(std::string_view name, const char* id_key,
                                            const boost::json::value& id) const {
    for (const auto& e : recorded_commands_) {
        if (e.type != event_type::marker_recorded) continue;
        const auto* n = e.attrs.if_contains("marker_name");
        const auto* d = e.attrs.if_contains("details");
        if (!n || !n->is_string() || n->get_string() != name || !d || !d->is_object()) continue;
        if (const auto* v = d->get_object().if_contains(id_key); v && *v == id) return &e;
    }
    return nullptr;
}

std::shared_ptr<future_state> workflow_instance::side_effect(const std::function<boost::json::value()>& fn) {
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
            fail_task(task_failure::cause::corrupt_history,
                      "corrupt history: " + describe(*m) + " has no details.data");
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

bool workflow_instance::patched(std::string_view change_id, bool deprecated) {
    const std::string id(change_id);
    for (const auto& [known, present] : patches_)
        if (known == id) return present;
    bool present = !replaying_ || find_marker("core_patch", "patch_id", boost::json::value(id)) != nullptr;
    if (present)
        add_command(command_kind::record_marker,
                    {{"marker_name", "core_patch"}, {"details", {{"patch_id", id}, {"deprecated", deprecated}}}},
                    nullptr);
    patches_.emplace_back(id, present);
    return present;
}

void workflow_instance::upsert_search_attributes(perdure::search_attributes values) {
    if (values.empty()) return;
    for (const auto& [name, value] : values) {
        const auto* list = std::get_if<std::vector<std::string>>(&value);
        if (list && list->empty())
            search_attributes_.edit().erase(name);
        else
            search_attributes_.edit().insert_or_assign(name, value);
    }
    // Typed by the engine against the namespace before it is recorded (prepare_upsert).
    add_command(command_kind::upsert_search_attributes, {}, nullptr);
    commands_.back().values = std::move(values);
}

void workflow_instance::upsert_memo(boost::json::object fields) {
    if (fields.empty()) return;
    // Temporal's ModifyWorkflowPropertiesCommandAttributes.upserted_memo; a null value removes
    // the key. The engine merges it into the run's memo once recorded.
    add_command(command_kind::modify_workflow_properties, {{"upserted_memo", std::move(fields)}}, nullptr);
}

std::shared_ptr<future_state> workflow_instance::wait_condition(std::function<bool()> predicate,
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
    labeled(s, "condition", timeout.count() > 0 ? "condition (timeout " + format_duration(timeout) + ")" : "condition");
    auto& c = conditions_.emplace_back(*this, std::move(predicate), s);
    s->cancel = &c;
    if (timeout.count() > 0) {
        c.timeout = start_timer(timeout);
        c.timeout->waiters.push_back({{}, &c});
    }
    return s;
}

void workflow_instance::condition::request_cancel() {
    if (!state->ready()) inst.reject(*state, std::make_exception_ptr(canceled_error("condition wait canceled")));
    if (timeout && !timeout->ready()) detail::request_cancel(*timeout);
}

void workflow_instance::condition::on_resolved(future_state& timer) {
    if (!state->ready() && timer.st == future_state::status::succeeded) inst.resolve(*state, false);
}

std::shared_ptr<future_state> workflow_instance::spawn(workflow<void> task) {
    auto& s = spawned_.emplace_back(spawned{std::move(task), make_future(), false});
    labeled(s.state, "task", "task " + std::to_string(++next_task_) + " (ctx.spawn)");
    s.number = next_task_;
    auto& p = s.task.handle().promise();
    p.sink = this;
    p.sink_key = &s;
    schedule(s.task.handle());
    return s.state;
}

// ---------------------------------------------------------------- children, external workflows, continue-as-new

std::shared_ptr<future_state> workflow_instance::start_child(std::string_view type, boost::json::value input,
                                                             const child_workflow_options& o) {
    if (o.id.find('\0') != std::string::npos)
        throw invalid_argument("child_workflow_options::id holds a NUL character; ids are text without NUL");
    const std::string id = o.id.empty() ? info_.run_id + ":child-" + std::to_string(next_child_) : o.id;
    ++next_child_;
    if (o.execution_timeout.count() < 0) {
        fail_task(task_failure::cause::bad_command, "BAD_START_CHILD_EXECUTION_ATTRIBUTES: negative timeout");
        return make_future();
    }
    if (o.task_queue.size() > 1000) {
        fail_task(task_failure::cause::bad_command,
                  "BAD_START_CHILD_EXECUTION_ATTRIBUTES: child_workflow_options::task_queue is limited to 1000 bytes");
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
    auto& child = add_machine<child_machine>(std::move(attrs), o.cancellation);
    // Typed by the engine against the namespace before it is recorded (prepare_child_start).
    if (!o.search_attributes.empty()) commands_.back().values = o.search_attributes;
    return labeled(child.future(), "child_workflow",
                   "child workflow " + std::string(type) + " (workflow id " + id + ")");
}

std::shared_ptr<future_state> workflow_instance::signal_external(std::string_view workflow_id, std::string_view run_id,
                                                                 std::string_view signal, boost::json::value arg) {
    const std::string about = "signal " + std::string(signal) + " to workflow " + std::string(workflow_id);
    return labeled(add_machine<external_machine>(
                       command_kind::signal_external,
                       boost::json::object{{"namespace", info_.ns},
                                           {"workflow_execution", {{"workflow_id", workflow_id}, {"run_id", run_id}}},
                                           {"signal_name", signal},
                                           {"input", std::move(arg)},
                                           {"child_workflow_only", false}})
                       .future(),
                   "external_signal", about);
}

std::shared_ptr<future_state> workflow_instance::cancel_external(std::string_view workflow_id,
                                                                 std::string_view run_id) {
    return labeled(add_machine<external_machine>(
                       command_kind::request_cancel_external,
                       boost::json::object{{"namespace", info_.ns},
                                           {"workflow_execution", {{"workflow_id", workflow_id}, {"run_id", run_id}}},
                                           {"child_workflow_only", false}})
                       .future(),
                   "external_cancel", "cancel request to workflow " + std::string(workflow_id));
}

std::shared_ptr<future_state> workflow_instance::continue_as_new(boost::json::value input,
                                                                 continue_as_new_options options) {
    if (!continue_as_new_) continue_as_new_.reset(new continuation{std::move(input), std::move(options)});
    // Never resolves: the run ends with this activation.
    return labeled(make_future(), "continue_as_new", "continue-as-new");
}

// ---------------------------------------------------------------- Nexus

namespace {
constexpr std::size_t max_nexus_name_bytes = 1000;
constexpr std::size_t max_nexus_header_bytes = 8192;
/// The header keys Temporal's server refuses in a ScheduleNexusOperation command (its
/// component.nexusoperations.disallowedHeaders default), compared without case.
constexpr std::array<std::string_view, 9> disallowed_nexus_headers{
    "request-timeout", "xdc-redirection", "xdc-redirection-api",     "xdc-redirection-source-cell", "caller-name",
    "caller-type",     "call-initiation", "temporal-principal-type", "temporal-principal-name"};

std::optional<std::string> nexus_attribute_problem(const std::string& endpoint, const std::string& service,
                                                   const std::string& operation, const nexus::operation_options& o) {
    if (endpoint.empty() || service.empty() || operation.empty())
        return "endpoint, service and operation must not be empty";
    if (endpoint.starts_with("__temporal_") || service.starts_with("__temporal_") ||
        operation.starts_with("__temporal_"))
        return "endpoint, service and operation names must not start with __temporal_";
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
        if (std::find(disallowed_nexus_headers.begin(), disallowed_nexus_headers.end(), lower) !=
            disallowed_nexus_headers.end())
            return "header key '" + k + "' is reserved";
    }
    if (header > max_nexus_header_bytes) return "the Nexus header is larger than 8192 bytes";
    return std::nullopt;
}
}   // namespace

nexus_futures workflow_instance::schedule_nexus(const std::string& endpoint, const std::string& service,
                                                const std::string& operation, boost::json::value input,
                                                const nexus::operation_options& o) {
    if (auto problem = nexus_attribute_problem(endpoint, service, operation, o)) {
        fail_task(task_failure::cause::bad_command, "BAD_SCHEDULE_NEXUS_OPERATION_ATTRIBUTES: " + *problem);
        return {make_future(), make_future()};
    }
    int pending = 0;
    for (const auto& m : machines_)
        if (const auto* n = dynamic_cast<const nexus_machine*>(m.get()); n && n->pending()) ++pending;
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
    const std::string about = "Nexus operation " + service + "/" + operation + " (endpoint " + endpoint + ")";
    return {labeled(m.started(), "nexus_operation_start", "start of " + about),
            labeled(m.future(), "nexus_operation", about)};
}

nexus_futures schedule_nexus(workflow_instance& inst, const std::string& endpoint, const std::string& service,
                             const std::string& operation, boost::json::value input,
                             const nexus::operation_options& o) {
    inst.check_active();
    return inst.schedule_nexus(endpoint, service, operation, std::move(input), o);
}

}   // namespace perdure::detail
