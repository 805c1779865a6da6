// The PostgreSQL store's writer thread: group commit as the SQLite writer does (everything
// appended while a batch commits forms the next one), each batch one transaction that first
// checks the epochs of the shards it writes (the fence), and the lease renewal. libpq is used
// synchronously on this thread; the engine's strand never waits for it.
#pragma once

#include "store/inbox_sweep.hpp"
#include "store/postgres/pg_connection.hpp"
#include "store/postgres/shard_leases.hpp"
#include "store/store.hpp"
#include "store/write_queue.hpp"

#include <perdure/clock.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace perdure::detail {

struct pg_writer_config {
    std::string uri;
    std::string name;   ///< the redacted URI, for messages
    open_mode opened_as = open_mode::owner;
    int shard_count = 1;
    std::int64_t lease_us = 0;
    /// How long a lost connection is retried (with backoff) before the batch fails.
    std::chrono::milliseconds reconnect_patience{30'000};
    std::shared_ptr<perdure::clock> clock;   ///< lease times
    /// False: commits return before the server flushes them (synchronous_commit off), for the
    /// durabilities below full; a server crash may lose the last ones, never half of one.
    bool synchronous = true;
    /// engine_options::max_database_bytes (0: none): a batch that would leave perdure's tables
    /// and their indexes larger than this rolls back and fails like a full disk.
    std::uint64_t max_bytes = 0;
};

class pg_writer {
public:
    /// Takes over `conn` and the leases the store acquired on it, and starts the thread.
    pg_writer(pg_writer_config config, held_leases held, std::unique_ptr<pg::connection> conn,
              commit_callbacks callbacks);
    ~pg_writer();
    pg_writer(const pg_writer&) = delete;
    pg_writer& operator=(const pg_writer&) = delete;

    /// Queues one unit of writes; returns its sequence number.
    std::uint64_t append(std::vector<write_op>&& ops);
    write_queue& queue() noexcept { return queue_; }
    /// Commits what is queued, stops the thread, then gives the leases up (unless ownership
    /// was lost or the connection is gone: then they expire on their own).
    void stop();
    std::uint64_t batches() const;
    std::chrono::microseconds committing_time() const;

private:
    void run();
    void commit(std::vector<write_queue::unit>& batch);
    /// Sends a batch in one pipeline (BEGIN, the fence, its statements, its progress row, then
    /// COMMIT, or with a size cap the size, left in `size`). Returns the fence's refusal, or ""
    /// when every statement ran. Throws pg::failure for anything else.
    std::string send(pg::connection& c, const std::vector<write_queue::unit>& batch, std::int64_t& size);
    /// Session settings of the writer's connection, made again after each reconnect.
    void set_up(pg::connection& c) const;
    /// The connection, made again with backoff when it broke. Throws pg::failure.
    pg::connection& connected();
    /// Renews the leases when a third of their time has passed; notes a lost ownership.
    void renew_if_due(pg::connection& c);
    /// Every few minutes (inbox_sweep), deletes the inbox rows no sender waits for.
    void sweep_inbox_if_due(pg::connection& c, std::int64_t now);
    /// The shards a batch writes (all held shards when it writes rows of the whole database or
    /// a run whose shard is unknown).
    std::vector<std::int64_t> shards_of(pg::connection& c, const std::vector<write_queue::unit>& batch);
    /// The last unit this writer's progress row says committed (0 without a row).
    std::uint64_t stored_progress(pg::connection& c);
    void fail(std::uint64_t first, commit_failure failure);

    pg_writer_config config_;
    held_leases held_;
    std::unique_ptr<pg::connection> conn_;
    commit_callbacks cb_;
    std::string lost_;    // why ownership is lost ("" while held); writer thread only
    inbox_sweep sweep_;   // writer thread only
    /// A new connection: before its first batch, the progress row must still cover every unit
    /// reported committed (a server that crashed may have lost unflushed commits).
    bool progress_unchecked_ = false;
    std::unordered_map<std::int64_t, std::int64_t> shard_of_run_;   // writer thread only
    write_queue queue_;
    std::thread thread_;
};

}   // namespace perdure::detail
