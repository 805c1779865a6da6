// Group-commit batches out of the queue of units.
#include "store/write_queue.hpp"

namespace perdure::detail {

std::uint64_t write_queue::push(std::vector<write_op>&& ops) {
    std::uint64_t seq;
    {
        std::lock_guard lk(mutex_);
        seq = next_seq_++;
        queue_.push_back({seq, std::move(ops)});
    }
    wake_.notify_one();
    return seq;
}

write_queue::next write_queue::wait(std::chrono::milliseconds idle_after, std::vector<unit>& batch,
                                    std::size_t max_ops) {
    std::unique_lock lk(mutex_);
    if (!wake_.wait_for(lk, idle_after, [&] { return (!queue_.empty() && holds_ == 0) || stopping_; }))
        return next::idle;
    if (queue_.empty()) return next::stop;
    std::size_t ops = 0;
    while (!queue_.empty() && (batch.empty() || ops < max_ops)) {
        ops += queue_.front().ops.size();
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
    }
    return next::batch;
}

void write_queue::hold() {
    std::lock_guard lk(mutex_);
    ++holds_;
}

void write_queue::release() {
    {
        std::lock_guard lk(mutex_);
        --holds_;
    }
    wake_.notify_one();
}

void write_queue::request_stop() {
    {
        std::lock_guard lk(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
}

void write_queue::fail() {
    std::lock_guard lk(mutex_);
    failed_ = true;
}

bool write_queue::failed() const {
    std::lock_guard lk(mutex_);
    return failed_;
}

void write_queue::committed_through(std::uint64_t last, std::chrono::steady_clock::duration took) {
    std::lock_guard lk(mutex_);
    committed_ = last;
    ++batches_;
    committing_ += took;
}

std::uint64_t write_queue::committed() const {
    std::lock_guard lk(mutex_);
    return committed_;
}

std::uint64_t write_queue::batches() const {
    std::lock_guard lk(mutex_);
    return batches_;
}

std::chrono::microseconds write_queue::committing_time() const {
    std::lock_guard lk(mutex_);
    return std::chrono::duration_cast<std::chrono::microseconds>(committing_);
}

}   // namespace perdure::detail
