// Opening the SQLite database file: lock, create or check, migrate, configure connections.
#include "store/sqlite/database.hpp"

#include "store/sqlite/schema.hpp"

#include <perdure/error.hpp>

#include <sqlite3.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace perdure::detail {
namespace {

constexpr std::int64_t application_id = 0x70647265;   // "pdre"

std::int64_t pragma_int(sql::connection& c, const char* pragma) {
    auto s = c.prepare(pragma);
    return s.step() ? s.int64(0) : 0;
}

bool file_exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

/// The setting that names the file, as the one who opened it wrote it: an application's engine,
/// or the perdure CLI (which opens in every other mode).
std::string path_setting(database::mode m) {
    return m == database::mode::owner ? "engine_options::database" : "--db PATH (or $PERDURE_DB)";
}

}   // namespace

void throw_storage(const sql::sqlite_failure& f, const std::string& path, const char* doing, database::mode opened_as) {
    const int primary = f.code & 0xff;
    std::string where = "database " + path + ": " + doing + ": ";
    switch (primary) {
    case SQLITE_NOTADB:
        throw invalid_argument(where + "the file is not a SQLite database (" + f.message + "); point " +
                               path_setting(opened_as) + " at a perdure database or a new path");
    case SQLITE_CORRUPT:
        throw storage_error(where + "the database is corrupted (" + f.message + "); restore it from a backup");
    case SQLITE_FULL:
        if (opened_as != database::mode::owner)   // the CLI sets no cap
            throw storage_error(where + "the disk is full (" + f.message + "); free space, then run the command again");
        throw storage_error(where + "the disk is full or the file reached engine_options::max_database_bytes (" +
                            f.message + "); free space or raise the cap, then reopen the database");
    case SQLITE_CANTOPEN:
        throw storage_error(where + "cannot open the file (" + f.message +
                            "); check that the directory exists and is writable");
    case SQLITE_READONLY:
        if (f.code == SQLITE_READONLY_ROLLBACK || f.code == SQLITE_READONLY_RECOVERY ||
            f.code == SQLITE_READONLY_CANTINIT)
            throw storage_error(where +
                                "a process stopped while writing it, and recovering its journal needs a writer (" +
                                f.message + "); open it once with the application's engine, then read it again");
        throw storage_error(where + "the file is read-only (" + f.message + "); check its permissions");
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        throw database_locked(where + "the database stayed locked (" + f.message +
                              "); another process holds a long transaction on it");
    default: throw storage_error(where + f.message + " (SQLite error " + std::to_string(f.code) + ")");
    }
}

database::database(std::string path, durability d, mode m) : path_(std::move(path)), durability_(d), mode_(m) {
    memory_ = path_ == ":memory:" || d == durability::memory;
    if (memory_) {
        static std::atomic<std::uint64_t> counter{0};
        open_name_ =
            "file:/perdure-memory-" + std::to_string(::getpid()) + "-" + std::to_string(++counter) + "?vfs=memdb";
        uri_ = true;
        durability_ = durability::memory;
    } else {
        open_name_ = path_;
        if (struct stat st{}; ::stat(path_.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
            throw invalid_argument("database " + path_ + " is a directory; give the path of a database file (" + path_ +
                                   (path_.ends_with('/') ? "" : "/") + "perdure.db, say)");
        const bool creates = mode_ == mode::owner || mode_ == mode::create;
        if (!creates && !file_exists(path_))
            throw not_found("no database at " + path_ +
                            ": check --db PATH (or $PERDURE_DB); perdure operator namespace create makes a new one");
        if (mode_ != mode::reader) take_lock();
        if (creates && !file_exists(path_)) {
            // Created by us so that it gets mode 0600; SQLite gives its -wal and -shm files the same mode.
            const int fd = ::open(path_.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
            if (fd < 0 && errno != EEXIST)
                throw storage_error("cannot create database " + path_ + ": " + std::strerror(errno) +
                                    "; check that the directory exists and is writable");
            if (fd >= 0) ::close(fd);
            created_ = fd >= 0;
        }
    }
    try {
        auto c = connect(mode_ == mode::reader);
        init_schema(*c);
        if (memory_) keep_alive_ = std::move(c);
    } catch (const sql::sqlite_failure& f) {
        throw_storage(f, path_, "opening", mode_);
    }
}

database::~database() {
    keep_alive_.reset();
    if (lock_fd_ >= 0) ::close(lock_fd_);   // closing the descriptor drops the flock
}

void database::take_lock() {
    const std::string lock_path = path_ + "-perdure.lock";
    lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lock_fd_ < 0)
        throw storage_error("cannot create the lock file " + lock_path + ": " + std::strerror(errno) +
                            "; check that the directory is writable");
    if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
        const int err = errno;
        ::close(lock_fd_);
        lock_fd_ = -1;
        if (err == EWOULDBLOCK)
            throw database_locked("database " + path_ +
                                  " is in use by another perdure engine (in this or another process); open each "
                                  "database from one engine only (the perdure CLI works beside a running engine)");
        throw storage_error("cannot lock " + lock_path + ": " + std::strerror(err));
    }
}

std::unique_ptr<sql::connection> database::connect(bool read_only) const {
    auto c = std::make_unique<sql::connection>(open_name_, read_only, uri_);
    sqlite3_busy_timeout(c->get(), 10'000);
    switch (durability_) {
    case durability::full: c->exec("PRAGMA synchronous=FULL"); break;
    case durability::normal: c->exec("PRAGMA synchronous=NORMAL"); break;
    case durability::memory:
    case durability::off: c->exec("PRAGMA synchronous=OFF"); break;
    }
    c->exec("PRAGMA temp_store=MEMORY");
    c->exec("PRAGMA cache_size=-16384");
    if (max_bytes_ > 0 && !read_only) {
        const auto page = static_cast<std::uint64_t>(pragma_int(*c, "PRAGMA page_size"));
        c->exec("PRAGMA max_page_count=" + std::to_string(std::max<std::uint64_t>(1, max_bytes_ / page)));
    }
    return c;
}

void database::init_schema(sql::connection& c) {
    const auto app = pragma_int(c, "PRAGMA application_id");
    const auto version = pragma_int(c, "PRAGMA user_version");
    const auto tables = pragma_int(c, "SELECT count(*) FROM sqlite_master");
    if (app == 0 && tables == 0) {
        // The create mode fills only the file it made: an empty file someone else left is not its to claim.
        if (mode_ != mode::owner && !created_)
            throw invalid_argument("database " + path_ + " is empty, not a perdure database; point " +
                                   path_setting(mode_) +
                                   " at a perdure database, or remove the empty file to create one there");
        c.exec("PRAGMA auto_vacuum=INCREMENTAL");
        if (!memory_) c.exec("PRAGMA journal_mode=WAL");
        sql::transaction tx(c);
        create_schema(c);
        c.exec("PRAGMA application_id=" + std::to_string(application_id));
        c.exec("PRAGMA user_version=" + std::to_string(schema_version));
        tx.commit();
        return;
    }
    if (app != application_id)
        throw invalid_argument("database " + path_ + " is not a perdure database (it is a SQLite file with " +
                               std::to_string(tables) + " other tables); point " + path_setting(mode_) +
                               " at a perdure database or a new path");
    if (version > schema_version)
        throw failed_precondition("database " + path_ + " was written by a newer perdure (schema " +
                                  std::to_string(version) + ", this build reads up to " +
                                  std::to_string(schema_version) + "); upgrade perdure to open it");
    if (version < schema_version) {
        if (mode_ != mode::owner)
            throw failed_precondition("database " + path_ + " uses schema " + std::to_string(version) +
                                      " and needs a migration; open it once with the application's engine");
        sql::transaction tx(c);
        migrate_schema(c, static_cast<int>(version));
        c.exec("PRAGMA user_version=" + std::to_string(schema_version));
        tx.commit();
    }
    if (!memory_ && mode_ == mode::owner) c.exec("PRAGMA journal_mode=WAL");
}

}   // namespace perdure::detail
