// The libpq calls behind pg::connection: connect, prepare on first use, execute with text
// parameters, and read failures (SQLSTATE, message, whether the connection is gone).
#include "store/postgres/pg_connection.hpp"

#include <perdure/error.hpp>

#include <libpq-fe.h>

#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <optional>
#include <thread>
#include <utility>

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

/// libpq sends a text parameter up to its first NUL: refused, never silently cut short.
void refuse_nul(std::string_view v) {
    if (v.find('\0') != std::string_view::npos)
        throw invalid_argument("PostgreSQL text cannot hold a NUL character; a value holding one (starting '" +
                               std::string(v.substr(0, v.find('\0'))) + "') was refused");
}

}   // namespace

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
    refuse_nul(v);
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

params& params::add(const std::vector<std::string_view>& v) {
    std::size_t bytes = 2;
    for (const auto e : v) bytes += e.size() + 3;
    std::string a;
    a.reserve(bytes + bytes / 8);
    a += '{';
    for (std::size_t i = 0; i < v.size(); ++i) {
        refuse_nul(v[i]);
        if (i) a += ',';
        a += '"';
        for (const char c : v[i]) {
            if (c == '"' || c == '\\') a += '\\';
            a += c;
        }
        a += '"';
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

namespace {

/// Starts a connection to `uri`, waiting for it unless `wait` is false. The URI is expanded into
/// its parts: it overrides what precedes it, and what follows it fills what it leaves unset (the
/// encoding is always UTF-8). An attempt to reach a host that does not answer gives up after
/// 10 s, not the kernel's two minutes, so a reconnecting engine (or one shutting down while it
/// reconnects) is never stuck in one attempt; a caller that does not wait keeps that time itself.
PGconn* connect_to(const std::string& uri, const char* application_name, bool wait, const std::string& hosts = {},
                   const std::string& hostaddrs = {}) {
    // Values after dbname override what its URI says: the addresses a caller resolved, and the
    // host once per address, as libpq pairs them. Without them, the null key ends the list there.
    const char* keys[] = {"connect_timeout",
                          "dbname",
                          "fallback_application_name",
                          "client_encoding",
                          hostaddrs.empty() ? nullptr : "host",
                          "hostaddr",
                          nullptr};
    const char* values[] = {"10", uri.c_str(), application_name, "UTF8", hosts.c_str(), hostaddrs.c_str(), nullptr};
    PGconn* c = wait ? PQconnectdbParams(keys, values, 1) : PQconnectStartParams(keys, values, 1);
    if (!c) throw failure("", "out of memory", true);
    if (PQstatus(c) == CONNECTION_BAD) {
        auto message = trimmed(PQerrorMessage(c));
        PQfinish(c);
        throw failure("", std::move(message), true);
    }
    // A library's connection does not print: the server's notices (and the farewell of a
    // backend terminated between statements) would otherwise go to the app's stderr. Failures
    // still reach the caller as pg::failure.
    PQsetNoticeProcessor(
        c, [](void*, const char*) {}, nullptr);
    return c;
}

}   // namespace

connection::connection(const std::string& uri, const char* application_name)
    : c_(connect_to(uri, application_name, true)) {
    // Unqualified names are perdure's tables; the schema may not exist yet (it is made on open).
    // A session lost already (a server restarting, a backend terminated) fails this statement,
    // and a constructor that throws runs no destructor: the connection is closed here.
    try {
        run("SET search_path TO perdure");
    } catch (...) {
        PQfinish(c_);
        c_ = nullptr;
        throw;
    }
}

connection::connection(const std::string& uri, const char* application_name, not_waiting_t, const std::string& hosts,
                       const std::string& hostaddrs)
    : c_(connect_to(uri, application_name, false, hosts, hostaddrs)) {}

namespace {

/// Fills the server fields still empty from libpq's options (a URI's, or its defaults).
void read_server(const PQconninfoOption* options, std::string& host, std::string& hostaddr, std::string& port) {
    for (auto* o = options; o->keyword; ++o) {
        if (!o->val) continue;
        const std::string_view key = o->keyword;
        for (auto [name, field] : {std::pair{"host", &host}, {"hostaddr", &hostaddr}, {"port", &port}})
            if (key == name && field->empty()) *field = o->val;
    }
}

}   // namespace

std::optional<named_host> host_to_resolve(const std::string& uri) {
    char* error = nullptr;
    PQconninfoOption* options = PQconninfoParse(uri.c_str(), &error);
    if (!options) {
        PQfreemem(error);
        return std::nullopt;
    }
    std::string host, hostaddr, port;
    read_server(options, host, hostaddr, port);
    PQconninfoFree(options);
    // No server in the URI: libpq takes PGHOST, PGHOSTADDR and PGPORT from the environment.
    if (host.empty() && hostaddr.empty())
        if (PQconninfoOption* defaults = PQconndefaults()) {
            read_server(defaults, host, hostaddr, port);
            PQconninfoFree(defaults);
        }
    const bool by_name = !host.empty() && host.front() != '/' && host.front() != '@' &&
                         host.find(',') == std::string::npos && hostaddr.empty() && port.find(',') == std::string::npos;
    if (!by_name) return std::nullopt;
    return named_host{host, port.empty() ? "5432" : port};
}

connection::wait connection::connect_step() {
    switch (PQconnectPoll(c_)) {
    case PGRES_POLLING_READING: return wait::read;
    case PGRES_POLLING_WRITING: return wait::write;
    case PGRES_POLLING_OK:
        if (PQsetnonblocking(c_, 1) != 0) abandon();
        return wait::none;
    default: abandon();
    }
}

void connection::send(const char* sql) {
    if (PQsendQuery(c_, sql) != 1) abandon();
}

bool connection::sent() {
    const int left = PQflush(c_);
    if (left < 0) abandon();
    return left == 0;
}

bool connection::answered() {
    if (!PQconsumeInput(c_)) abandon();
    while (!PQisBusy(c_)) {
        PGresult* r = PQgetResult(c_);
        if (!r) return true;
        const auto status = PQresultStatus(r);
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(r);
        PQclear(r);
    }
    return false;
}

connection::~connection() {
    if (c_) PQfinish(c_);
}

void connection::fail(pg_result* r) { throw failure_of(r); }

void connection::abandon() {
    auto f = failure_of(nullptr);
    f.connection_lost = true;
    broken_ = true;
    throw f;
}

failure connection::failure_of(pg_result* r) {
    const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
    std::string sqlstate = state ? state : "";
    std::string message = trimmed(r ? PQresultErrorMessage(r) : PQerrorMessage(c_));
    if (message.empty()) message = trimmed(PQerrorMessage(c_));
    const char* server_primary = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    std::string primary = server_primary ? server_primary : "";
    if (r) PQclear(r);
    const bool lost = PQstatus(c_) == CONNECTION_BAD || session_over(sqlstate);
    failure f(std::move(sqlstate), std::move(message), lost);
    f.primary = std::move(primary);
    return f;
}

const std::string& connection::name_of(const std::string& sql, bool& fresh) {
    auto [it, added] = prepared_.try_emplace(sql);
    if (added) it->second = "s" + std::to_string(prepared_.size());
    fresh = added;
    return it->second;
}

namespace {

std::vector<const char*> values_of(const params& p) {
    std::vector<const char*> values(p.size());
    for (std::size_t i = 0; i < p.size(); ++i) values[i] = p[i].c_str();
    return values;
}

}   // namespace

result connection::exec(std::string_view sql, const params& p) {
    const std::string text(sql);
    bool fresh = false;
    const std::string name = name_of(text, fresh);
    if (fresh) {
        PGresult* r = PQprepare(c_, name.c_str(), text.c_str(), static_cast<int>(p.size()), nullptr);
        if (!r || PQresultStatus(r) != PGRES_COMMAND_OK) {
            prepared_.erase(text);
            fail(r);
        }
        PQclear(r);
    }
    const auto values = values_of(p);
    PGresult* r = PQexecPrepared(c_, name.c_str(), static_cast<int>(p.size()), values.data(), nullptr, nullptr, 0);
    const auto status = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(r);
    return result(r);
}

result connection::exec_once(std::string_view sql, const params& p) {
    const std::string text(sql);
    const auto values = values_of(p);
    PGresult* r =
        PQexecParams(c_, text.c_str(), static_cast<int>(p.size()), nullptr, values.data(), nullptr, nullptr, 0);
    const auto status = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(r);
    return result(r);
}

void connection::flush_all() {
    for (;;) {
        const int left = PQflush(c_);
        if (left == 0) return;
        if (left < 0) abandon();
        pollfd fd{PQsocket(c_), POLLIN | POLLOUT, 0};
        if (::poll(&fd, 1, -1) < 0 && errno != EINTR) abandon();
        if ((fd.revents & POLLIN) && PQconsumeInput(c_) == 0) abandon();
    }
}

void connection::exec_all(const std::vector<statement>& statements) {
    if (statements.empty()) return;
    if (PQenterPipelineMode(c_) != 1 || PQsetnonblocking(c_, 1) != 0) abandon();
    // What each answer is for, in order: a statement's index, or -1 for preparing `prepares[n]`.
    std::vector<int> answers;
    std::vector<std::string> prepares;
    for (std::size_t i = 0; i < statements.size(); ++i) {
        const auto& s = statements[i];
        bool fresh = false;
        const std::string name = name_of(s.sql, fresh);
        const int n = static_cast<int>(s.values.size());
        if (fresh) {
            if (PQsendPrepare(c_, name.c_str(), s.sql.c_str(), n, nullptr) != 1) {
                prepared_.erase(s.sql);
                abandon();
            }
            answers.push_back(-1);
            prepares.push_back(s.sql);
        }
        const auto values = values_of(s.values);
        if (PQsendQueryPrepared(c_, name.c_str(), n, values.data(), nullptr, nullptr, 0) != 1) abandon();
        answers.push_back(static_cast<int>(i));
    }
    if (PQpipelineSync(c_) != 1) abandon();
    flush_all();
    if (PQsetnonblocking(c_, 0) != 0) abandon();

    std::optional<failure> first;
    std::size_t prepared = 0;
    for (const int answer : answers) {
        PGresult* r = PQgetResult(c_);
        if (!r) abandon();
        const auto status = PQresultStatus(r);
        const bool ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
        if (answer < 0 && !ok) prepared_.erase(prepares[prepared]);   // never made: prepare it next time
        if (answer < 0) ++prepared;
        if (!ok && status != PGRES_PIPELINE_ABORTED && !first) {
            first = failure_of(r);   // clears r
        } else if (ok && answer >= 0 && statements[static_cast<std::size_t>(answer)].on_result) {
            statements[static_cast<std::size_t>(answer)].on_result(result(r));
        } else {
            PQclear(r);
        }
        while (PGresult* more = PQgetResult(c_)) PQclear(more);   // up to the answer's end (NULL)
        if (PQstatus(c_) == CONNECTION_BAD) abandon();
    }
    PGresult* sync = PQgetResult(c_);
    const bool synced = sync && PQresultStatus(sync) == PGRES_PIPELINE_SYNC;
    if (sync) PQclear(sync);
    if (!synced || PQexitPipelineMode(c_) != 1) abandon();
    if (first) throw *first;
}

void connection::run(const char* sql) {
    PGresult* r = PQexec(c_, sql);
    const auto status = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(r);
    PQclear(r);
}

int connection::backend_pid() const noexcept { return PQbackendPID(c_); }

int connection::socket() const noexcept { return PQsocket(c_); }

std::vector<connection::notification> connection::take_notifications() {
    if (!PQconsumeInput(c_)) {
        broken_ = true;
        throw failure("", trimmed(PQerrorMessage(c_)), true);
    }
    std::vector<notification> heard;
    while (PGnotify* n = PQnotifies(c_)) {
        heard.push_back({n->relname, n->extra ? n->extra : ""});
        PQfreemem(n);
    }
    return heard;
}

bool connection::ok() const noexcept { return !broken_ && PQstatus(c_) == CONNECTION_OK; }

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

}   // namespace perdure::detail::pg
