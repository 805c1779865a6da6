// The SQLite store's reader thread, with its own read connection: loads histories for replay
// and answers client reads without touching the engine's strand.
#pragma once

#include "store/sqlite/database.hpp"
#include "support/job_thread.hpp"

#include <memory>

namespace perdure::detail {

class reader {
public:
    explicit reader(const database& db) : conn_(db.connect(!db.in_memory())), jobs_(*conn_) {}
    ~reader() { stop(); }
    reader(const reader&) = delete;
    reader& operator=(const reader&) = delete;

    /// Runs `job` on the reader thread with its connection. Jobs run in order; false once
    /// stopped (the job never runs).
    bool post(unique_function<void(sql::connection&)> job) { return jobs_.post(std::move(job)); }
    /// Finishes queued jobs and stops; the connection closes.
    void stop() {
        jobs_.stop();
        conn_.reset();
    }

private:
    std::unique_ptr<sql::connection> conn_;
    job_thread<sql::connection> jobs_;
};

}   // namespace perdure::detail
