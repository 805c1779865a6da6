// The workflow instance's messages: signals (buffered in arrival order, carried over by
// continue-as-new), queries answered from the current state, and updates with their validators.
#include "replay/workflow_instance.hpp"

#include <perdure/error.hpp>

#include <algorithm>

namespace perdure::detail {
namespace {

const boost::json::object* object_in(const boost::json::object& o, const char* key) {
    const auto* v = o.if_contains(key);
    return v ? v->if_object() : nullptr;
}

}   // namespace

// ---------------------------------------------------------------- signals

void workflow_instance::deliver_signal(const std::string& name, boost::json::value value) {
    auto& m = messages();
    auto& receivers = m.signal_receivers[name];
    while (!receivers.empty() && receivers.front()->ready()) receivers.pop_front();
    if (!receivers.empty()) {
        auto r = receivers.front();
        receivers.pop_front();
        resolve(*r, std::move(value));
        return;
    }
    m.signal_buffers[name].push_back({std::move(value), ++m.signal_order});
}

std::shared_ptr<future_state> workflow_instance::receive_signal(const std::string& name) {
    auto s = labeled(make_future(), "signal", "signal channel " + name);
    auto& m = messages();
    auto& buffer = m.signal_buffers[name];
    if (!buffer.empty()) {
        resolve(*s, std::move(buffer.front().value));
        buffer.pop_front();
        return s;
    }
    m.signal_receivers[name].push_back(s);
    return s;
}

std::optional<boost::json::value> workflow_instance::try_receive_signal(const std::string& name) {
    if (!messages_) return std::nullopt;
    auto it = messages_->signal_buffers.find(name);
    if (it == messages_->signal_buffers.end() || it->second.empty()) return std::nullopt;
    auto v = std::move(it->second.front().value);
    it->second.pop_front();
    return v;
}

std::vector<std::pair<std::string, boost::json::value>> workflow_instance::unread_signals() const {
    std::vector<std::tuple<std::uint64_t, std::string, boost::json::value>> all;
    if (messages_)
        for (const auto& [name, buffer] : messages_->signal_buffers)
            for (const auto& b : buffer) all.emplace_back(b.order, name, b.value);
    std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return std::get<0>(a) < std::get<0>(b); });
    std::vector<std::pair<std::string, boost::json::value>> out;
    for (auto& [order, name, value] : all) out.emplace_back(std::move(name), std::move(value));
    return out;
}

// ---------------------------------------------------------------- queries and updates

void workflow_instance::set_query_handler(std::string name, query_handler_fn fn) {
    messages().query_handlers[std::move(name)] = std::move(fn);
}

void workflow_instance::set_update_handler(std::string name, update_handler_fn handler, update_validator_fn validator) {
    messages().update_handlers[std::move(name)] = {std::move(handler), std::move(validator)};
}

boost::json::value workflow_instance::query(const std::string& name, const boost::json::value& arg) {
    static const decltype(message_state::query_handlers) none;
    const auto& handlers = messages_ ? messages_->query_handlers : none;
    auto it = handlers.find(name);
    // Built in, as Temporal's SDKs have them; a handler of the same name takes precedence.
    if (it == handlers.end() && name == "__stack_trace") return boost::json::value(stack_trace());
    if (it == handlers.end() && name == "__enhanced_stack_trace") return stack_trace_json();
    if (it == handlers.end()) {
        std::string known;
        for (const auto& [n, h] : handlers) known += (known.empty() ? "" : ", ") + n;
        throw query_failed_error("workflow " + info_.workflow_id + " has no query handler named '" + name +
                                 "' (known: " + (known.empty() ? "none" : known) +
                                 "; built in: __stack_trace, __enhanced_stack_trace)");
    }
    current_scope guard(this);
    try {
        return it->second(arg);
    } catch (...) {
        throw query_failed_error("query '" + name + "' of workflow " + info_.workflow_id +
                                 " failed: " + describe_exception(std::current_exception()));
    }
}

std::optional<std::string> workflow_instance::validate_update(const std::string& name, const boost::json::value& arg) {
    static const decltype(message_state::update_handlers) none;
    const auto& handlers = messages_ ? messages_->update_handlers : none;
    auto it = handlers.find(name);
    if (it == handlers.end()) {
        std::string known;
        for (const auto& [n, h] : handlers) known += (known.empty() ? "" : ", ") + n;
        return "workflow " + info_.workflow_id + " has no update handler named '" + name +
               "' (known: " + (known.empty() ? "none" : known) + ")";
    }
    if (!it->second.validator) return std::nullopt;
    current_scope guard(this);
    try {
        it->second.validator(arg);
    } catch (...) {
        return describe_exception(std::current_exception());
    }
    return std::nullopt;
}

void workflow_instance::accept_update(const event& e) {
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
    auto& m = messages();
    m.updates.emplace(id, std::nullopt);
    auto& s = spawned_.emplace_back(spawned{workflow<void>{}, make_future(), false, id, {}, name});
    auto it = m.update_handlers.find(name);
    if (it == m.update_handlers.end()) {
        // The handler is gone (changed code): the update fails rather than hanging.
        boost::json::object outcome{{"failure", failure{"no update handler named '" + name + "'",
                                                        failure_kind::application,
                                                        {{"type", "UpdateHandlerNotFound"}, {"non_retryable", true}}}
                                                    .to_json()}};
        m.updates[id] = outcome;
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

void workflow_instance::set_closing_query(std::string name, boost::json::value arg) {
    closing_query_.reset(new closing_query{std::move(name), std::move(arg)});
}

void workflow_instance::answer_closing_query() {
    try {
        closing_query_->answer = query(closing_query_->name, closing_query_->arg);
        closing_query_->error = nullptr;
    } catch (...) {
        if (!closing_query_->answer) closing_query_->error = std::current_exception();
    }
}

boost::json::value workflow_instance::closing_query_answer() {
    // A closed run waits on nothing: its stack trace is empty, not the last wait before it closed.
    if (closed_ && !(messages_ && messages_->query_handlers.contains(closing_query_->name))) {
        if (closing_query_->name == "__stack_trace") return boost::json::value(stack_trace());
        if (closing_query_->name == "__enhanced_stack_trace") return stack_trace_json();
    }
    if (closing_query_->answer) return *closing_query_->answer;
    if (closing_query_->error) std::rethrow_exception(closing_query_->error);
    throw query_failed_error("workflow " + info_.workflow_id + " never registered a query handler named '" +
                             closing_query_->name + "'");
}

}   // namespace perdure::detail
