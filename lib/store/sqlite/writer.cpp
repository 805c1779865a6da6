// Group commit on SQLite, on a dedicated thread.
#include "store/sqlite/writer.hpp"

#include "store/clock_us.hpp"
#include "store/sqlite/writes.hpp"

#include <perdure/error.hpp>

#include <sqlite3.h>

#include <chrono>

namespace perdure::detail {
namespace {

constexpr std::size_t max_ops_per_batch = 20'000;
constexpr int passive_checkpoint_pages = 1024;   // about 4 MB of WAL
constexpr auto idle_before_truncate = std::chrono::milliseconds(500);

int on_wal_commit(void* self, sqlite3*, const char*, int pages) {
    *static_cast<int*>(self) = pages;
    return SQLITE_OK;
}

bool is_busy(const sql::sqlite_failure& f) {
    const int primary = f.code & 0xff;
    return primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
}

}   // namespace

writer::writer(const database& db, std::shared_ptr<perdure::clock> clock, callbacks cb)
    : db_(db), clock_(std::move(clock)), cb_(std::move(cb)) {
    conn_ = db_.connect(false);
    if (!db_.in_memory()) {
        conn_->exec("PRAGMA wal_autocheckpoint=0");
        sqlite3_wal_hook(conn_->get(), &on_wal_commit, &wal_pages_);
    }
    thread_ = std::thread([this] { run(); });
}

writer::~writer() { stop(); }

std::uint64_t writer::append(std::vector<write_op>&& ops) { return queue_.push(std::move(ops)); }

void writer::stop() {
    queue_.request_stop();
    if (thread_.joinable()) thread_.join();
    conn_.reset();
}

std::uint64_t writer::committed() const { return queue_.committed(); }

std::uint64_t writer::batches() const { return queue_.batches(); }

std::chrono::microseconds writer::committing_time() const { return queue_.committing_time(); }

void writer::run() {
    bool checkpointed = false;   // idle since the last truncating checkpoint
    for (;;) {
        std::vector<write_queue::unit> batch;
        const auto next =
            queue_.wait(checkpointed ? std::chrono::hours(1) : idle_before_truncate, batch, max_ops_per_batch);
        if (next == write_queue::next::stop) break;
        if (next == write_queue::next::idle) {
            // Idle for a while: fold the WAL back into the database file.
            if (!checkpointed && wal_pages_ > 0 && !queue_.failed()) checkpoint(true);
            checkpointed = true;
            continue;
        }
        checkpointed = false;
        if (queue_.failed()) continue;
        commit(batch);
        // Commands reach the inbox only while batches are made (their claims and answers), so
        // an idle database has nothing new to sweep.
        sweep_inbox_if_due();
    }
    if (!queue_.failed() && wal_pages_ > 0) checkpoint(true);
}

void writer::commit(std::vector<write_queue::unit>& batch) {
    const std::uint64_t first = batch.front().seq, last = batch.back().seq;
    const auto began = std::chrono::steady_clock::now();
    for (int attempt = 0;; ++attempt) {
        try {
            sql::transaction tx(*conn_);
            for (const auto& u : batch)
                for (const auto& op : u.ops) apply_write(*conn_, op);
            tx.commit();
            break;
        } catch (const sql::sqlite_failure& f) {
            if (is_busy(f) && attempt < 100) continue;   // a CLI holding a lock: busy_timeout waited already
            queue_.fail();
            std::string message;
            try {
                throw_storage(f, db_, "committing a batch");
            } catch (const std::exception& e) {
                message = e.what();
            }
            if (cb_.failed) cb_.failed(first, message);
            return;
        }
    }
    queue_.committed_through(last, std::chrono::steady_clock::now() - began);
    if (cb_.committed) cb_.committed(last);
    if (wal_pages_ >= passive_checkpoint_pages) checkpoint(false);
}

void writer::sweep_inbox_if_due() {
    const auto now = clock_us(clock_);
    if (!sweep_.due(now)) return;
    try {
        if (sweep_.below() > 0)
            conn_
                ->prepare(
                    "DELETE FROM inbox WHERE id < ? AND state <> 'running' AND (state <> 'pending' OR expires < ?)")
                .bind(1, sweep_.below())
                .bind(2, now)
                .run();
        auto next = conn_->prepare("SELECT COALESCE(max(id), 0) + 1 FROM inbox");
        next.step();
        sweep_.done(now, next.int64(0));
    } catch (const sql::sqlite_failure&) {
        // Busy (a CLI's write) or the disk full: swept at the next batch instead.
    }
}

void writer::checkpoint(bool truncate) {
    int log = 0, done = 0;
    const int rc = sqlite3_wal_checkpoint_v2(
        conn_->get(), nullptr, truncate ? SQLITE_CHECKPOINT_TRUNCATE : SQLITE_CHECKPOINT_PASSIVE, &log, &done);
    // A reader in the way (SQLITE_BUSY) only delays the checkpoint; it is retried later.
    if (rc == SQLITE_OK) wal_pages_ = truncate ? 0 : log - done;
}

}   // namespace perdure::detail
