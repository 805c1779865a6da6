// The SQLite store's RAII wrappers over sqlite3.
#include "store/sqlite/sqlite.hpp"

#include <sqlite3.h>

#include <utility>

namespace perdure::detail::sql {

void check(sqlite3* db, int rc) {
    if (rc == SQLITE_OK || rc == SQLITE_ROW || rc == SQLITE_DONE) return;
    throw sqlite_failure{db ? sqlite3_extended_errcode(db) : rc, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)};
}

statement& statement::operator=(statement&& o) noexcept {
    if (this != &o) {
        if (stmt_ && owned_) sqlite3_finalize(stmt_);
        stmt_ = std::exchange(o.stmt_, nullptr);
        owned_ = o.owned_;
    }
    return *this;
}

statement::~statement() {
    if (stmt_ && owned_) sqlite3_finalize(stmt_);
}

statement& statement::bind(int index, std::int64_t v) {
    check(sqlite3_db_handle(stmt_), sqlite3_bind_int64(stmt_, index, v));
    return *this;
}

statement& statement::bind(int index, double v) {
    check(sqlite3_db_handle(stmt_), sqlite3_bind_double(stmt_, index, v));
    return *this;
}

statement& statement::bind(int index, std::string_view v) {
    check(sqlite3_db_handle(stmt_),
          sqlite3_bind_text64(stmt_, index, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
    return *this;
}

statement& statement::bind_null(int index) {
    check(sqlite3_db_handle(stmt_), sqlite3_bind_null(stmt_, index));
    return *this;
}

bool statement::step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    sqlite3* db = sqlite3_db_handle(stmt_);
    sqlite_failure f{sqlite3_extended_errcode(db), sqlite3_errmsg(db)};
    sqlite3_reset(stmt_);
    throw f;
}

void statement::run() {
    while (step()) {
    }
    reset();
}

void statement::reset() noexcept {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

std::int64_t statement::int64(int col) const { return sqlite3_column_int64(stmt_, col); }
double statement::real(int col) const { return sqlite3_column_double(stmt_, col); }
std::string_view statement::text(int col) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return p ? std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))) : std::string_view{};
}
bool statement::is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

connection::connection(const std::string& path, bool read_only, bool uri) {
    int flags = (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX;
    if (uri) flags |= SQLITE_OPEN_URI;
    const int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
        sqlite_failure f{db_ ? sqlite3_extended_errcode(db_) : rc, db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc)};
        sqlite3_close_v2(db_);
        db_ = nullptr;
        throw f;
    }
    sqlite3_extended_result_codes(db_, 1);
}

connection::~connection() {
    cache_.clear();
    if (db_) sqlite3_close_v2(db_);
}

void connection::exec(std::string_view sql) {
    std::string s(sql);
    char* err = nullptr;
    const int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
        sqlite_failure f{sqlite3_extended_errcode(db_), err ? err : sqlite3_errmsg(db_)};
        sqlite3_free(err);
        throw f;
    }
}

statement& connection::cached(const char* sql) {
    auto it = cache_.find(sql);
    if (it != cache_.end()) return it->second;
    sqlite3_stmt* s = nullptr;
    check(db_, sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr));
    return cache_.emplace(sql, statement(s)).first->second;
}

statement connection::prepare(std::string_view sql) {
    sqlite3_stmt* s = nullptr;
    check(db_, sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &s, nullptr));
    return statement(s);
}

std::int64_t connection::last_insert_rowid() const noexcept { return sqlite3_last_insert_rowid(db_); }
int connection::changes() const noexcept { return sqlite3_changes(db_); }

std::int64_t connection::data_version() {
    auto& s = cached("PRAGMA data_version");
    s.step();
    const auto v = s.int64(0);
    s.reset();
    return v;
}

// BEGIN, COMMIT and ROLLBACK are prepared once per connection: the writer runs them for every
// batch, and parsing them each time showed in its profile.
transaction::transaction(connection& c, bool immediate) : c_(c) {
    c_.cached(immediate ? "BEGIN IMMEDIATE" : "BEGIN").run();
}

transaction::~transaction() {
    if (!done_) {
        try {
            c_.cached("ROLLBACK").run();
        } catch (...) {
        }
    }
}

void transaction::commit() {
    c_.cached("COMMIT").run();
    done_ = true;
}

}   // namespace perdure::detail::sql
