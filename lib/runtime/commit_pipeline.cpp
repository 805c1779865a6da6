#include "runtime/commit_pipeline.hpp"

#include <algorithm>

namespace perdure::detail {

std::uint64_t commit_pipeline::submit(std::vector<write_op>&& ops, std::vector<effect>&& effects) {
    if (ops.empty()) {
        if (!waiting_.empty()) {
            auto& last = waiting_.back();
            for (auto& fx : effects) last.second.push_back(std::move(fx));
            return last.first;
        }
        for (auto& fx : effects) fx(nullptr);
        return committed_unit_;
    }
    const auto seq = store_.append(std::move(ops));
    waiting_.emplace_back(seq, std::move(effects));
    return seq;
}

long commit_pipeline::committed(std::uint64_t last) {
    committed_unit_ = std::max(committed_unit_, last);
    long units = 0;
    while (!waiting_.empty() && waiting_.front().first <= committed_unit_) {
        auto effects = std::move(waiting_.front().second);
        waiting_.pop_front();
        ++units;
        for (auto& fx : effects) fx(nullptr);
    }
    return units;
}

void commit_pipeline::fail_waiting(std::exception_ptr why) {
    auto waiting = std::move(waiting_);
    waiting_.clear();
    for (auto& [seq, effects] : waiting)
        for (auto& fx : effects) fx(why);
}

}   // namespace perdure::detail
