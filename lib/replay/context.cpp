// workflow_context and the future hooks: thin forwarding into the instance, with the guards
// that keep workflow code deterministic (right instance, inside its activation).
#include "replay/workflow_instance.hpp"

#include "codec/uuid.hpp"

#include <perdure/error.hpp>

#include <algorithm>

namespace perdure {
namespace detail {

void await_future(future_state& s, std::coroutine_handle<> h) {
    if (s.owner != current_instance())
        throw failed_precondition(
            "a perdure::future was awaited by another workflow instance than the one that created it; futures "
            "belong to one workflow run");
    s.waiters.push_back({h, nullptr});
}

void await_multi(future_state& s, multi_waiter* w) {
    if (s.owner != current_instance())
        throw failed_precondition("perdure::all / any was given a future of another workflow instance");
    s.waiters.push_back({{}, w});
}

void forget_multi(future_state& s, multi_waiter* w) noexcept {
    std::erase_if(s.waiters, [w](const future_state::waiter& x) { return x.multi == w; });
}

void schedule_resume(future_state& s, std::coroutine_handle<> h) { s.owner->schedule(h); }

void request_cancel(future_state& s) {
    if (s.cancel && !s.ready()) s.cancel->request_cancel();
}

std::shared_ptr<future_state> channel_receive(workflow_instance& inst, const std::string& name) {
    inst.check_active();
    return inst.receive_signal(name);
}

std::optional<boost::json::value> channel_try_receive(workflow_instance& inst, const std::string& name) {
    inst.check_active();
    return inst.try_receive_signal(name);
}

}   // namespace detail

const workflow_info& workflow_context::info() const { return inst_->info(); }

std::chrono::system_clock::time_point workflow_context::now() const {
    return std::chrono::system_clock::time_point(std::chrono::microseconds(inst_->now_us()));
}

std::uint64_t workflow_context::random() {
    inst_->check_active();
    return inst_->next_random();
}

std::string workflow_context::uuid() {
    inst_->check_active();
    const std::uint64_t a = inst_->next_random(), b = inst_->next_random();
    std::array<unsigned char, 16> bytes;
    for (int i = 0; i < 8; ++i) {
        bytes[i] = static_cast<unsigned char>(a >> (8 * i));
        bytes[8 + i] = static_cast<unsigned char>(b >> (8 * i));
    }
    bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0f) | 0x40);
    bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3f) | 0x80);
    return detail::format_uuid(bytes);   // bytes of each number least significant first, as recorded histories expect
}

bool workflow_context::is_replaying() const { return inst_->replaying(); }
bool workflow_context::cancel_requested() const { return inst_->cancel_requested(); }

std::shared_ptr<detail::future_state> workflow_context::start_timer_(std::chrono::milliseconds d) {
    inst_->check_active();
    return inst_->start_timer(d);
}

std::shared_ptr<detail::future_state> workflow_context::schedule_activity_(std::string_view type,
                                                                           boost::json::value input,
                                                                           const activity_options& options) {
    inst_->check_active();
    return inst_->schedule_activity(type, std::move(input), options);
}

std::shared_ptr<detail::future_state> workflow_context::side_effect_(const std::function<boost::json::value()>& fn) {
    inst_->check_active();
    return inst_->side_effect(fn);
}

bool workflow_context::patched(std::string_view change_id) {
    inst_->check_active();
    return inst_->patched(change_id, false);
}

void workflow_context::deprecate_patch(std::string_view change_id) {
    inst_->check_active();
    inst_->patched(change_id, true);
}

void workflow_context::upsert_search_attributes(perdure::search_attributes values) {
    inst_->check_active();
    inst_->upsert_search_attributes(std::move(values));
}

const perdure::search_attributes& workflow_context::search_attributes() const {
    return inst_->current_search_attributes();
}

void workflow_context::upsert_memo(boost::json::object fields) {
    inst_->check_active();
    inst_->upsert_memo(std::move(fields));
}

std::shared_ptr<detail::future_state> workflow_context::wait_condition_(std::function<bool()> predicate,
                                                                        std::chrono::milliseconds timeout) {
    inst_->check_active();
    return inst_->wait_condition(std::move(predicate), timeout);
}

void workflow_context::set_query_handler_(std::string_view name, detail::query_handler_fn fn) {
    inst_->check_active();
    inst_->set_query_handler(std::string(name), std::move(fn));
}

void workflow_context::set_update_handler_(std::string_view name, detail::update_handler_fn handler,
                                           detail::update_validator_fn validator) {
    inst_->check_active();
    inst_->set_update_handler(std::string(name), std::move(handler), std::move(validator));
}

std::shared_ptr<detail::future_state> workflow_context::start_child_(std::string_view type, boost::json::value input,
                                                                     child_workflow_options options) {
    inst_->check_active();
    return inst_->start_child(type, std::move(input), options);
}

std::shared_ptr<detail::future_state> workflow_context::signal_external_(std::string_view workflow_id,
                                                                         std::string_view run_id,
                                                                         std::string_view signal,
                                                                         boost::json::value arg) {
    inst_->check_active();
    return inst_->signal_external(workflow_id, run_id, signal, std::move(arg));
}

future<void> workflow_context::request_cancel_external_workflow(std::string_view workflow_id, std::string_view run_id) {
    inst_->check_active();
    return future<void>(inst_->cancel_external(workflow_id, run_id));
}

std::shared_ptr<detail::future_state> workflow_context::continue_as_new_(boost::json::value input,
                                                                         continue_as_new_options options) {
    inst_->check_active();
    return inst_->continue_as_new(std::move(input), std::move(options));
}

perdure::nexus_client workflow_context::nexus_client(std::string_view endpoint, std::string_view service) {
    inst_->check_active();
    return perdure::nexus_client(*inst_, std::string(endpoint), std::string(service));
}

future<void> workflow_context::spawn(workflow<void> task) {
    inst_->check_active();
    return future<void>(inst_->spawn(std::move(task)));
}

}   // namespace perdure
