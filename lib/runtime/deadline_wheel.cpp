// The ordered deadline set.
#include "runtime/deadline_wheel.hpp"

#include <perdure/error.hpp>

#include <string>

namespace perdure::detail {

deadline_wheel::~deadline_wheel() {
    by_key_.clear();
    by_due_.clear_and_dispose([](node* n) { delete n; });
}

void deadline_wheel::remove(node& n) noexcept {
    by_key_.erase(by_key_.iterator_to(n));
    by_due_.erase(by_due_.iterator_to(n));
    delete &n;
}

bool deadline_wheel::arm(wheel_kind kind, std::int64_t run_key, std::int64_t seq, std::int64_t due_us) {
    constexpr std::int64_t seq_limit = std::int64_t{1} << 55;
    if (seq >= seq_limit || seq < -seq_limit)
        throw storage_error("a deadline of run " + std::to_string(run_key) + " has the sequence number " +
                            std::to_string(seq) + ", which no history reaches: the database is damaged");
    disarm(kind, run_key, seq);
    auto* n = new node{due_us, run_key, seq, static_cast<std::int64_t>(kind), {}, {}};
    by_key_.insert(*n);
    by_due_.insert(*n);
    publish_next_due();
    return waiting_for_us_ == 0 || due_us < waiting_for_us_;
}

void deadline_wheel::disarm(wheel_kind kind, std::int64_t run_key, std::int64_t seq) {
    auto it = by_key_.find(key{run_key, static_cast<int>(kind), seq});
    if (it == by_key_.end()) return;
    remove(*it);
    publish_next_due();
}

void deadline_wheel::disarm_run(std::int64_t run_key) {
    auto it =
        by_key_.lower_bound(key{run_key, std::numeric_limits<int>::min(), std::numeric_limits<std::int64_t>::min()});
    while (it != by_key_.end() && it->run_key == run_key) remove(*it++);
    publish_next_due();
}

void deadline_wheel::clear() {
    while (!by_key_.empty()) remove(*by_key_.begin());
    publish_next_due();
}

std::optional<std::int64_t> deadline_wheel::due_of(wheel_kind kind, std::int64_t run_key, std::int64_t seq) const {
    auto it = by_key_.find(key{run_key, static_cast<int>(kind), seq});
    if (it == by_key_.end()) return std::nullopt;
    return it->due_us;
}

std::optional<std::int64_t> deadline_wheel::next_due() const {
    if (by_due_.empty()) return std::nullopt;
    return by_due_.begin()->due_us;
}

std::optional<wheel_entry> deadline_wheel::pop_due(std::int64_t now_us) {
    if (by_due_.empty() || by_due_.begin()->due_us > now_us) return std::nullopt;
    const auto e = by_due_.begin()->entry();
    remove(*by_due_.begin());
    publish_next_due();
    return e;
}

std::optional<std::int64_t> deadline_wheel::plan_wait() {
    const auto next = next_due();
    waiting_for_us_ = next.value_or(0);
    return next;
}

void deadline_wheel::publish_next_due() noexcept {
    next_due_snapshot_.store(by_due_.empty() ? std::numeric_limits<std::int64_t>::max() : by_due_.begin()->due_us);
}

}   // namespace perdure::detail
