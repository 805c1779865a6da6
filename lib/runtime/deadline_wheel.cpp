// The ordered deadline set.
#include "runtime/deadline_wheel.hpp"

namespace perdure::detail {

bool deadline_wheel::arm(wheel_kind kind, std::int64_t run_key, std::int64_t seq, std::int64_t due_us) {
    disarm(kind, run_key, seq);
    entries_.insert({due_us, kind, run_key, seq});
    due_of_[{run_key, static_cast<int>(kind), seq}] = due_us;
    publish_next_due();
    return waiting_for_us_ == 0 || due_us < waiting_for_us_;
}

void deadline_wheel::disarm(wheel_kind kind, std::int64_t run_key, std::int64_t seq) {
    auto it = due_of_.find({run_key, static_cast<int>(kind), seq});
    if (it == due_of_.end()) return;
    entries_.erase({it->second, kind, run_key, seq});
    due_of_.erase(it);
    publish_next_due();
}

void deadline_wheel::disarm_run(std::int64_t run_key) {
    auto it = due_of_.lower_bound({run_key, std::numeric_limits<int>::min(), std::numeric_limits<std::int64_t>::min()});
    while (it != due_of_.end() && std::get<0>(it->first) == run_key) {
        entries_.erase({it->second, static_cast<wheel_kind>(std::get<1>(it->first)), run_key, std::get<2>(it->first)});
        it = due_of_.erase(it);
    }
    publish_next_due();
}

std::optional<std::int64_t> deadline_wheel::due_of(wheel_kind kind, std::int64_t run_key, std::int64_t seq) const {
    auto it = due_of_.find({run_key, static_cast<int>(kind), seq});
    if (it == due_of_.end()) return std::nullopt;
    return it->second;
}

std::optional<std::int64_t> deadline_wheel::next_due() const {
    if (entries_.empty()) return std::nullopt;
    return entries_.begin()->due_us;
}

std::optional<wheel_entry> deadline_wheel::pop_due(std::int64_t now_us) {
    if (entries_.empty() || entries_.begin()->due_us > now_us) return std::nullopt;
    auto e = *entries_.begin();
    entries_.erase(entries_.begin());
    due_of_.erase({e.run_key, static_cast<int>(e.kind), e.seq});
    publish_next_due();
    return e;
}

std::optional<std::int64_t> deadline_wheel::plan_wait() {
    const auto next = next_due();
    waiting_for_us_ = next.value_or(0);
    return next;
}

void deadline_wheel::publish_next_due() noexcept {
    next_due_snapshot_.store(entries_.empty() ? std::numeric_limits<std::int64_t>::max() : entries_.begin()->due_us);
}

}   // namespace perdure::detail
