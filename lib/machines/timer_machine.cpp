// Timer state machine.
#include "machines/timer_machine.hpp"

#include "codec/duration.hpp"
#include "machines/machine_host.hpp"

#include <perdure/error.hpp>

namespace perdure::detail {

timer_machine::timer_machine(machine_host& inst, std::int64_t seq, std::chrono::milliseconds duration)
    : inst_(inst), seq_(seq) {
    future_ = inst.make_future(this);
    inst_.add_command(command_kind::start_timer,
                      {{"timer_id", std::to_string(seq)}, {"start_to_fire_timeout", format_duration(duration)}}, this);
}

void timer_machine::recorded(const event& e) {
    if (e.type != event_type::timer_started) return;
    started_event_id_ = e.id;
    state_ = state::started;
    inst_.index_event(e.id, this);
}

void timer_machine::annotate(event& e) const {
    if (!e.attrs.contains("timer_id")) e.attrs["timer_id"] = std::to_string(seq_);
}

void timer_machine::apply(const event& e) {
    if (e.type != event_type::timer_fired || state_ != state::started) return;
    state_ = state::done;
    inst_.unindex_event(started_event_id_);
    inst_.resolve(*future_, {});
    inst_.retire(this);
}

void timer_machine::request_cancel() {
    if (state_ == state::done) return;
    if (state_ == state::created) {
        inst_.drop_command(this);
    } else {
        inst_.add_command(command_kind::cancel_timer,
                          {{"timer_id", std::to_string(seq_)}, {"started_event_id", started_event_id_}}, nullptr);
        inst_.unindex_event(started_event_id_);
    }
    state_ = state::done;
    inst_.reject(*future_, std::make_exception_ptr(canceled_error("timer canceled")));
    inst_.retire(this);
}

}   // namespace perdure::detail
