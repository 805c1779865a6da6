// Group commit on a dedicated thread.
#include "store/writer.hpp"

#include "store/writes.hpp"

#include <perdure/error.hpp>

#include <sqlite3.h>

#include <chrono>

namespace perdure::detail {
namespace {

constexpr std::size_t max_ops_per_batch = 20'000;
constexpr int passive_checkpoint_pages = 1024;          // about 4 MB of WAL
constexpr auto idle_before_truncate = std::chrono::milliseconds(500);

int on_wal_commit(void* self, sqlite3*, const char*, int pages) {
    *static_cast<int*>(self) = pages;
    return SQLITE_OK;
}

bool is_busy(const sql::sqlite_failure& f) {
    const int primary = f.code & 0xff;
    return primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
}

}  // namespace

writer::writer(const database& db, callbacks cb) : db_(db), cb_(std::move(cb)) {
    conn_ = db_.connect(false);
    if (!db_.in_memory()) {
        conn_->exec("PRAGMA wal_autocheckpoint=0");
        sqlite3_wal_hook(conn_->get(), &on_wal_commit, &wal_pages_);
    }
    thread_ = std::thread([this] { run(); });
}

writer::~writer() { stop(); }

std::uint64_t writer::append(std::vector<write_op>&& ops) {
    std::uint64_t seq;
    {
        std::lock_guard lk(mutex_);
        seq = next_seq_++;
        queue_.push_back({seq, std::move(ops)});
    }
    wake_.notify_one();
    return seq;
}

void writer::stop() {
    {
        std::lock_guard lk(mutex_);
        if (stopping_ && !thread_.joinable()) return;
        stopping_ = true;
    }
    wake_.notify_one();
    if (thread_.joinable()) thread_.join();
    conn_.reset();
}

std::uint64_t writer::committed() const {
    std::lock_guard lk(mutex_);
    return committed_;
}

std::uint64_t writer::batches() const {
    std::lock_guard lk(mutex_);
    return batches_;
}

void writer::run() {
    std::unique_lock lk(mutex_);
    for (;;) {
        if (queue_.empty() && !stopping_) {
            const bool woke = wake_.wait_for(lk, idle_before_truncate, [&] { return !queue_.empty() || stopping_; });
            if (!woke) {
                // Idle for a while: fold the WAL back into the database file.
                if (wal_pages_ > 0 && !failed_) {
                    lk.unlock();
                    checkpoint(true);
                    lk.lock();
                }
                wake_.wait(lk, [&] { return !queue_.empty() || stopping_; });
            }
        }
        if (queue_.empty() && stopping_) break;
        std::vector<unit> batch;
        std::size_t ops = 0;
        while (!queue_.empty() && (batch.empty() || ops < max_ops_per_batch)) {
            ops += queue_.front().ops.size();
            batch.push_back(std::move(queue_.front()));
            queue_.pop_front();
        }
        const bool failed = failed_;
        lk.unlock();
        if (!failed) commit(batch);
        lk.lock();
    }
    lk.unlock();
    if (!failed_ && wal_pages_ > 0) checkpoint(true);
}

void writer::commit(std::vector<unit>& batch) {
    const std::uint64_t first = batch.front().seq, last = batch.back().seq;
    for (int attempt = 0;; ++attempt) {
        try {
            sql::transaction tx(*conn_);
            for (const auto& u : batch)
                for (const auto& op : u.ops) apply_write(*conn_, op);
            tx.commit();
            break;
        } catch (const sql::sqlite_failure& f) {
            if (is_busy(f) && attempt < 100) continue;   // a CLI holding a lock: busy_timeout waited already
            {
                std::lock_guard lk(mutex_);
                failed_ = true;
            }
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
    {
        std::lock_guard lk(mutex_);
        committed_ = last;
        ++batches_;
    }
    if (cb_.committed) cb_.committed(last);
    if (wal_pages_ >= passive_checkpoint_pages) checkpoint(false);
}

void writer::checkpoint(bool truncate) {
    int log = 0, done = 0;
    const int rc = sqlite3_wal_checkpoint_v2(conn_->get(), nullptr,
                                             truncate ? SQLITE_CHECKPOINT_TRUNCATE : SQLITE_CHECKPOINT_PASSIVE, &log, &done);
    // A reader in the way (SQLITE_BUSY) only delays the checkpoint; it is retried later.
    if (rc == SQLITE_OK) wal_pages_ = truncate ? 0 : log - done;
}

}  // namespace perdure::detail
