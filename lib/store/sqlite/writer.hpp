// The SQLite store's writer thread: owns the only write connection and commits group batches.
// Everything appended while it commits forms the next batch; it commits as soon as it is idle.
// It knows nothing of effects: it reports "committed through unit N" and the engine releases
// them.
#pragma once

#include "store/inbox_sweep.hpp"
#include "store/rows.hpp"
#include "store/sqlite/database.hpp"
#include "store/write_queue.hpp"

#include <perdure/clock.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace perdure::detail {

class writer {
public:
    struct callbacks {
        /// Units up to and including `last_unit` are committed. Called on the writer thread.
        std::function<void(std::uint64_t last_unit)> committed;
        /// A commit failed; nothing from `first_unit` on will ever commit. Called once.
        std::function<void(std::uint64_t first_unit, std::string message)> failed;
    };

    /// `clock` (null: the system clock) times the inbox's sweeps and its commands' expiry.
    writer(const database& db, std::shared_ptr<perdure::clock> clock, callbacks cb);
    ~writer();
    writer(const writer&) = delete;
    writer& operator=(const writer&) = delete;

    /// Queues one unit of writes (applied in order, in one transaction with its batch);
    /// returns its sequence number.
    std::uint64_t append(std::vector<write_op>&& ops);
    write_queue& queue() noexcept { return queue_; }
    /// Commits what is queued, then stops the thread.
    void stop();
    /// Units committed so far (for tests and statistics).
    std::uint64_t committed() const;
    std::uint64_t batches() const;
    std::chrono::microseconds committing_time() const;

private:
    void run();
    void commit(std::vector<write_queue::unit>& batch);
    void checkpoint(bool truncate);
    /// Every few minutes (inbox_sweep), deletes the inbox rows no sender waits for.
    void sweep_inbox_if_due();

    const database& db_;
    std::shared_ptr<perdure::clock> clock_;
    callbacks cb_;
    std::unique_ptr<sql::connection> conn_;

    write_queue queue_;
    int wal_pages_ = 0;
    inbox_sweep sweep_;
    std::thread thread_;
};

}   // namespace perdure::detail
