// The system clock and the manual clock.
#include <perdure/clock.hpp>

#include <algorithm>

namespace perdure {

std::uint64_t clock::subscribe(std::function<void()> fn) {
    std::lock_guard lk(mutex_);
    listeners_.emplace_back(next_id_, std::move(fn));
    return next_id_++;
}

void clock::unsubscribe(std::uint64_t id) {
    std::lock_guard lk(mutex_);
    std::erase_if(listeners_, [id](const auto& l) { return l.first == id; });
}

void clock::notify() {
    std::vector<std::function<void()>> copy;
    {
        std::lock_guard lk(mutex_);
        for (const auto& [id, fn] : listeners_) copy.push_back(fn);
    }
    for (auto& fn : copy) fn();
}

namespace {
class system_clock_impl final : public clock {
public:
    time_point now() const override { return std::chrono::system_clock::now(); }
};
}   // namespace

std::shared_ptr<clock> system_clock() {
    static const auto c = std::make_shared<system_clock_impl>();
    return c;
}

manual_clock::manual_clock(time_point start)
    : now_(start == time_point{} ? time_point(std::chrono::seconds(1'735'689'600)) : start) {}

clock::time_point manual_clock::now() const {
    std::lock_guard lk(time_mutex_);
    return now_;
}

void manual_clock::advance(std::chrono::nanoseconds d) {
    {
        std::lock_guard lk(time_mutex_);
        now_ += std::chrono::duration_cast<time_point::duration>(d);
    }
    notify();
}

void manual_clock::set(time_point t) {
    {
        std::lock_guard lk(time_mutex_);
        now_ = t;
    }
    notify();
}

}   // namespace perdure
