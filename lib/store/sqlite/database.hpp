// Owning a SQLite database file: the single-owner lock, creating and checking the schema, and
// opening configured connections for the writer and the readers.
#pragma once

#include "store/sqlite/sqlite.hpp"

#include <perdure/engine_options.hpp>

#include <memory>
#include <string>

namespace perdure::detail {

/// The schema version this build writes and reads.
inline constexpr int schema_version = 5;

class database {
public:
    enum class mode {
        owner,         ///< an engine: lock, create if missing, migrate
        maintenance,   ///< the CLI with no engine running: lock, never create or migrate
        reader,        ///< the CLI beside a running engine: no lock, read-only
        create,        ///< the CLI's create commands: lock, create a missing file as an engine would,
                       ///< never migrate; an existing file is only checked
    };
    /// Opens `path` (":memory:" for an in-memory database). Throws database_locked when
    /// another engine owns the file, and storage_error / failed_precondition / invalid_argument
    /// with a message that says what to do when the file cannot be used.
    database(std::string path, durability d, mode m = mode::owner);
    ~database();
    database(const database&) = delete;
    database& operator=(const database&) = delete;

    /// A new connection with the pragmas of the durability mode.
    std::unique_ptr<sql::connection> connect(bool read_only = false) const;
    /// Caps the file for connections made from now on (0: no cap), by SQLite's max_page_count.
    void set_max_bytes(std::uint64_t bytes) noexcept { max_bytes_ = bytes; }
    const std::string& path() const noexcept { return path_; }
    /// True when this open created the file (only an owner or create mode does).
    bool created() const noexcept { return created_; }
    mode open_mode() const noexcept { return mode_; }
    bool in_memory() const noexcept { return memory_; }
    durability durability_mode() const noexcept { return durability_; }

private:
    void take_lock();
    void init_schema(sql::connection&);

    std::string path_;
    std::string open_name_;
    bool memory_ = false;
    bool uri_ = false;
    bool created_ = false;
    durability durability_;
    mode mode_;
    int lock_fd_ = -1;
    std::uint64_t max_bytes_ = 0;
    std::unique_ptr<sql::connection> keep_alive_;   // keeps an in-memory database alive
};

/// Turns a sqlite_failure into the matching perdure::error, naming the file and what to do.
/// `opened_as` decides whose words the remedy uses: an engine's (engine_options::database) or
/// the CLI's (--db PATH), since each reader can only change their own setting.
[[noreturn]] void throw_storage(const sql::sqlite_failure&, const std::string& path, const char* doing,
                                database::mode opened_as);
[[noreturn]] inline void throw_storage(const sql::sqlite_failure& f, const database& db, const char* doing) {
    throw_storage(f, db.path(), doing, db.open_mode());
}

}   // namespace perdure::detail
