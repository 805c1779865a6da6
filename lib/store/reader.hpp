// A thread with its own read connection: loads histories for replay and answers client reads
// without touching the engine's strand.
#pragma once

#include "store/database.hpp"
#include "support/unique_function.hpp"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace perdure::detail {

class reader {
public:
    explicit reader(const database& db);
    ~reader();
    reader(const reader&) = delete;
    reader& operator=(const reader&) = delete;

    /// Runs `job` on the reader thread with its connection. Jobs run in order.
    void post(unique_function<void(sql::connection&)> job);
    /// Finishes queued jobs and stops.
    void stop();

private:
    void run();
    std::unique_ptr<sql::connection> conn_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<unique_function<void(sql::connection&)>> jobs_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace perdure::detail
