// The reader thread.
#include "store/reader.hpp"

namespace perdure::detail {

reader::reader(const database& db) : conn_(db.connect(!db.in_memory())) {
    thread_ = std::thread([this] { run(); });
}

reader::~reader() { stop(); }

void reader::post(unique_function<void(sql::connection&)> job) {
    {
        std::lock_guard lk(mutex_);
        jobs_.push_back(std::move(job));
    }
    wake_.notify_one();
}

void reader::stop() {
    {
        std::lock_guard lk(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    if (thread_.joinable()) thread_.join();
    conn_.reset();
}

void reader::run() {
    std::unique_lock lk(mutex_);
    for (;;) {
        wake_.wait(lk, [&] { return !jobs_.empty() || stopping_; });
        if (jobs_.empty()) break;
        auto job = std::move(jobs_.front());
        jobs_.pop_front();
        lk.unlock();
        job(*conn_);   // jobs catch their own errors and report them to whoever waits
        lk.lock();
    }
}

}  // namespace perdure::detail
