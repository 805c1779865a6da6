// One thread that runs posted jobs in order, each with the resource it serves (a store's read
// connection); stop() finishes the queued jobs first, and a job posted after that is refused.
#pragma once

#include "support/unique_function.hpp"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace perdure::detail {

template <class Resource>
class job_thread {
public:
    /// Starts the thread; `resource` must outlive it (or the call to stop()).
    explicit job_thread(Resource& resource) : resource_(resource), thread_([this] { run(); }) {}
    ~job_thread() { stop(); }
    job_thread(const job_thread&) = delete;
    job_thread& operator=(const job_thread&) = delete;

    /// Queues `job`; jobs catch their own errors and report them to whoever waits. False once
    /// the thread has ended (stop()): the job is dropped unrun, and its poster answers for it.
    bool post(unique_function<void(Resource&)> job) {
        {
            std::lock_guard lk(mutex_);
            if (ended_) return false;
            jobs_.push_back(std::move(job));
        }
        wake_.notify_one();
        return true;
    }

    /// Runs the queued jobs, then ends the thread.
    void stop() {
        {
            std::lock_guard lk(mutex_);
            stopping_ = true;
        }
        wake_.notify_one();
        if (thread_.joinable()) thread_.join();
    }

private:
    void run() {
        std::unique_lock lk(mutex_);
        for (;;) {
            wake_.wait(lk, [&] { return !jobs_.empty() || stopping_; });
            if (jobs_.empty()) {
                ended_ = true;   // under the lock: a job is either queued before this, and run, or refused
                break;
            }
            auto job = std::move(jobs_.front());
            jobs_.pop_front();
            lk.unlock();
            job(resource_);
            lk.lock();
        }
    }

    Resource& resource_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<unique_function<void(Resource&)>> jobs_;
    bool stopping_ = false;
    bool ended_ = false;
    std::thread thread_;   // last: starts once everything it uses exists
};

}   // namespace perdure::detail
