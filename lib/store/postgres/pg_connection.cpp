// The libpq calls behind pg::connection: connect, prepare on first use, execute with text
// parameters, and read failures (SQLSTATE, message, whether the connection is gone).
#include "store/postgres/pg_connection.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <charconv>
#include <thread>

namespace perdure::detail::pg {
namespace {

std::string trimmed(const char* message) {
    std::string m = message ? message : "";
    while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
    return m;
}

/// Class 08 (connection exception) and 57P01-57P03 (the server shut down or is starting) mean
/// the session is over, whatever state the socket is in.
bool session_over(std::string_view sqlstate) {
    return sqlstate.starts_with("08") || sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03";
}

}  // namespace

params& params::add(std::int64_t v) {
    values_.push_back(std::to_string(v));
    return *this;
}

params& params::add(double v) {
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);   // shortest text that reads back exactly
    values_.emplace_back(buf, r.ptr);
    return *this;
}

params& params::add(std::string_view v) {
    values_.emplace_back(v);
    return *this;
}

params& params::add(const std::vector<std::int64_t>& v) {
    std::string a = "{";
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (i) a += ',';
        a += std::to_string(v[i]);
    }
    a += '}';
    values_.push_back(std::move(a));
    return *this;
}

result::~result() {
    if (r_) PQclear(r_);
}

int result::rows() const noexcept { return PQntuples(r_); }

bool result::null(int row, int col) const noexcept { return PQgetisnull(r_, row, col) != 0; }

std::string_view result::text(int row, int col) const noexcept {
    return {PQgetvalue(r_, row, col), static_cast<std::size_t>(PQgetlength(r_, row, col))};
}

std::int64_t result::int64(int row, int col) const {
    if (null(row, col)) return 0;
    const auto t = text(row, col);
    std::int64_t v = 0;
    const auto r = std::from_chars(t.data(), t.data() + t.size(), v);
    if (r.ec != std::errc{} || r.ptr != t.data() + t.size())
        throw failure("", "column " + std::to_string(col) + " holds '" + std::string(t) + "', not an integer", false);
    return v;
}

double result::real(int row, int col) const {
    if (null(row, col)) return 0;
    const auto t = text(row, col);
    double v = 0;
    const auto r = std::from_chars(t.data(), t.data() + t.size(), v);
    if (r.ec != std::errc{})
        throw failure("", "column " + std::to_string(col) + " holds '" + std::string(t) + "', not a number", false);
    return v;
}

std::int64_t result::affected() const {
    const std::string_view n = PQcmdTuples(r_);
    std::int64_t v = 0;
    std::from_chars(n.data(), n.data() + n.size(), v);
    return v;
}

connection::connection(const std::string& uri, const char* application_name) {
    // The URI is expanded into its parts; what follows it only fills what it leaves unset.
    const char* keys[] = {"dbname", "fallback_application_name", "client_encoding", nullptr};
    const char* values[] = {uri.c_str(), application_name, "UTF8", nullptr};
    c_ = PQconnectdbParams(keys, values, 1);
    if (!c_) throw failure("", "out of memory", true);
    if (PQstatus(c_) != CONNECTION_OK) {
        auto message = trimmed(PQerrorMessage(c_));
        PQfinish(c_);
        c_ = nullptr;
        throw failure("", std::move(message), true);
    }
    // Unqualified names are perdure's tables; the schema may not exist yet (it is made on open).
    run("SET search_path TO perdure");
}

connection::~connection() {
    if (c_) PQfinish(c_);
}

void connection::fail(pg_result* r) {
    const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
    std::string sqlstate = state ? state : "";
    std::string message = trimmed(r ? PQresultErrorMessage(r) : PQerrorMessage(c_));
    if (message.empty()) message = trimmed(PQerrorMessage(c_));
    if (r) PQclear(r);
    const bool lost = PQstatus(c_) == CONNECTION_BAD || session_over(sqlstate);
    throw failure(std::move(sqlstate), std::move(message), lost);
}

result connection::exec(std::string_view sql, const params& p) {
    auto [it, fresh] = prepared_.try_emplace(std::string(sql));
    if (fresh) {
        it->second = "s" + std::to_string(prepared_.size());
        PGresult* r = PQprepare(c_, it->second.c_str(), it->first.c_str(), static_cast<int>(p.size()), nullptr);
        if (!r || PQresultStatus(r) != PGRES_COMMAND_OK) {
            prepared_.erase(it);
            fail(r);
        }
        PQclear(r);
    }
    std::vector<const char*> values(p.size());
    for (std::size_t i = 0; i < p.size(); ++i) values[i] = p[i].c_str();
    PGresult* r = PQexecPrepared(c_, it->second.c_str(), static_cast<int>(p.size()), values.data(), nullptr, nullptr, 0);
    const auto status = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(r);
    return result(r);
}

void connection::run(const char* sql) {
    PGresult* r = PQexec(c_, sql);
    const auto status = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(r);
    PQclear(r);
}

int connection::backend_pid() const noexcept { return PQbackendPID(c_); }

bool connection::ok() const noexcept { return PQstatus(c_) == CONNECTION_OK; }

transaction::transaction(connection& c, const char* begin) : c_(c) { c_.run(begin); }

transaction::~transaction() {
    if (done_ || !c_.ok()) return;
    try {
        c_.run("ROLLBACK");
    } catch (const failure&) {
        // The connection broke meanwhile: the server rolls the transaction back itself.
    }
}

void transaction::commit() {
    done_ = true;
    c_.run("COMMIT");
}

connection& session::get() {
    if (!conn_ || (reconnecting_ && !conn_->ok())) conn_ = std::make_unique<connection>(uri_, application_name_);
    return *conn_;
}

std::unique_ptr<connection> connect_with_backoff(const std::string& uri, const char* application_name,
                                                 std::chrono::milliseconds patience,
                                                 const std::function<bool()>& give_up) {
    const auto until = std::chrono::steady_clock::now() + patience;
    auto delay = std::chrono::milliseconds(100);
    for (;;) {
        try {
            return std::make_unique<connection>(uri, application_name);
        } catch (const failure&) {
            if (std::chrono::steady_clock::now() + delay > until || (give_up && give_up())) throw;
        }
        std::this_thread::sleep_for(delay);
        delay = std::min(delay * 2, std::chrono::milliseconds(2000));
    }
}

std::string redacted(std::string_view uri) {
    std::string out(uri);
    // postgresql://user:password@host/...
    if (const auto scheme = out.find("://"); scheme != std::string::npos) {
        const auto start = scheme + 3;
        const auto at = out.find('@', start);
        const auto slash = out.find('/', start);
        if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
            const auto colon = out.find(':', start);
            if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
        }
    }
    // ...?password=secret&...
    for (auto p = out.find("password="); p != std::string::npos; p = out.find("password=", p + 1)) {
        const auto end = out.find('&', p);
        out.replace(p + 9, (end == std::string::npos ? out.size() : end) - p - 9, "***");
    }
    return out;
}

bool is_postgres_uri(std::string_view database) noexcept {
    return database.starts_with("postgresql://") || database.starts_with("postgres://");
}

}  // namespace perdure::detail::pg
