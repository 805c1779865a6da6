// Thin RAII over SQLite: a connection with a cache of persistent prepared statements, a
// statement with typed binds and columns, and a transaction guard that rolls back unless
// committed. Only the SQLite store (store/sqlite/) uses these, and the tests and the benchmark
// that open its file themselves; sqlite3 itself is forward-declared.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

struct sqlite3;
struct sqlite3_stmt;

namespace perdure::detail::sql {

/// Thrown by this layer; the store turns it into storage_error and friends.
struct sqlite_failure {
    int code;   ///< the extended SQLite result code
    std::string message;
};

class statement {
public:
    statement() = default;
    explicit statement(sqlite3_stmt* s) noexcept : stmt_(s) {}
    statement(statement&& o) noexcept : stmt_(std::exchange(o.stmt_, nullptr)), owned_(o.owned_) {}
    statement& operator=(statement&&) noexcept;
    ~statement();

    statement& bind(int index, std::int64_t v);
    statement& bind(int index, int v) { return bind(index, static_cast<std::int64_t>(v)); }
    statement& bind(int index, double v);
    statement& bind(int index, std::string_view v);   // copied by SQLite (SQLITE_TRANSIENT)
    statement& bind_null(int index);

    /// Steps once: true when a row is available, false when done. Throws sqlite_failure.
    bool step();
    /// Steps to completion (for writes).
    void run();
    void reset() noexcept;

    std::int64_t int64(int col) const;
    double real(int col) const;
    std::string_view text(int col) const;
    bool is_null(int col) const;

    sqlite3_stmt* get() const noexcept { return stmt_; }
    void set_owned(bool owned) noexcept { owned_ = owned; }

private:
    sqlite3_stmt* stmt_ = nullptr;
    bool owned_ = true;
};

class connection {
public:
    /// Opens `path` (a file path, or an SQLite URI when `uri` is true). Throws sqlite_failure.
    connection(const std::string& path, bool read_only, bool uri);
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;
    ~connection();

    void exec(std::string_view sql);
    /// A statement prepared once per connection and kept (reset between uses); `sql` must be a
    /// string with static storage (it is the cache key).
    statement& cached(const char* sql);
    /// A one-off statement.
    statement prepare(std::string_view sql);
    std::int64_t last_insert_rowid() const noexcept;
    int changes() const noexcept;
    /// PRAGMA data_version: changes when another connection commits.
    std::int64_t data_version();
    sqlite3* get() const noexcept { return db_; }

private:
    sqlite3* db_ = nullptr;
    std::unordered_map<const char*, statement> cache_;
};

/// BEGIN IMMEDIATE ... COMMIT; rolls back in the destructor unless committed.
class transaction {
public:
    explicit transaction(connection& c, bool immediate = true);
    transaction(const transaction&) = delete;
    ~transaction();
    void commit();

private:
    connection& c_;
    bool done_ = false;
};

/// Throws sqlite_failure for `rc` unless it is SQLITE_OK.
void check(sqlite3* db, int rc);

}   // namespace perdure::detail::sql
