// One libpq connection as RAII handles in the manner of the SQLite wrapper: a connection, its
// results, parameters passed apart from the SQL text (never pasted into it) and a transaction
// guard that rolls back unless committed. libpq's failures leave as pg::failure, which the store
// turns into perdure errors; <libpq-fe.h> stays inside the .cpp.
#pragma once

#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

struct pg_conn;
struct pg_result;

namespace perdure::detail::pg {

/// A libpq call that failed: the server's SQLSTATE ("" when no server answered) and message.
class failure : public std::exception {
public:
    failure(std::string sqlstate, std::string message, bool connection_lost)
        : sqlstate(std::move(sqlstate)), message(std::move(message)), connection_lost(connection_lost) {}
    const char* what() const noexcept override { return message.c_str(); }

    std::string sqlstate;
    std::string message;
    /// The server's message alone, without severity or context ("" when no server answered).
    std::string primary;
    /// The connection is gone (server down, backend terminated): the open transaction, if any,
    /// did not commit, unless the failure came from its COMMIT, whose outcome is then unknown.
    bool connection_lost = false;
};

/// Statement parameters, each sent as text beside the statement, in order ($1, $2, ...).
class params {
public:
    params() = default;
    template <class... T>
    explicit params(const T&... values) {
        (add(values), ...);
    }
    params& add(std::int64_t v);
    params& add(int v) { return add(static_cast<std::int64_t>(v)); }
    params& add(double v);
    params& add(std::string_view v);
    params& add(const std::string& v) { return add(std::string_view(v)); }
    params& add(const char* v) { return add(std::string_view(v)); }
    /// A PostgreSQL array literal ({1,2,3}) for a `$n::bigint[]` or `$n::integer[]` parameter.
    params& add(const std::vector<std::int64_t>& v);
    /// A PostgreSQL array literal for a `$n::text[]` parameter, each element quoted.
    params& add(const std::vector<std::string_view>& v);
    std::size_t size() const noexcept { return values_.size(); }
    const std::string& operator[](std::size_t i) const { return values_[i]; }

private:
    std::vector<std::string> values_;
};

/// The rows of one statement (text format), or the number of rows it changed.
class result {
public:
    explicit result(pg_result* r) noexcept : r_(r) {}
    result(result&& o) noexcept : r_(o.r_) { o.r_ = nullptr; }
    result& operator=(result&&) = delete;
    ~result();

    int rows() const noexcept;
    bool null(int row, int col) const noexcept;
    std::string_view text(int row, int col) const noexcept;
    /// 0 for NULL. Throws failure on a value that is not an integer.
    std::int64_t int64(int row, int col) const;
    double real(int row, int col) const;
    /// Rows an INSERT, UPDATE or DELETE changed.
    std::int64_t affected() const;

private:
    pg_result* r_;
};

/// A statement for connection::exec_all, with what to do with its result.
struct statement {
    std::string sql;
    params values;
    std::function<void(const result&)> on_result{};   ///< sees its rows or affected count
};

/// A connection made from a libpq URI or connection string. Statements are prepared once per
/// connection, keyed by their text.
class connection {
public:
    /// Connects to `uri` (postgresql://...); `application_name` shows in pg_stat_activity unless
    /// the URI names one. Throws failure when no connection can be made.
    connection(const std::string& uri, const char* application_name);
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;
    ~connection();

    // Without waiting, for a caller that waits on socket() itself (an Asio loop): a connection
    // is started, then stepped whenever its socket is ready as the last step asked, and its
    // statements are sent and their answers read as they arrive. Such a connection sets no
    // search_path: it names what it uses in full.
    struct not_waiting_t {
        explicit not_waiting_t() = default;
    };
    static constexpr not_waiting_t not_waiting{};
    /// Starts connecting to `uri`; drive it with connect_step(). With `hostaddrs` (libpq's
    /// comma-separated `hostaddr`: the addresses a caller resolved the URI's host to) and
    /// `hosts` (that host's name once per address), libpq looks nothing up itself. Throws failure.
    connection(const std::string& uri, const char* application_name, not_waiting_t, const std::string& hosts = {},
               const std::string& hostaddrs = {});
    /// What the connection waits for before its next step; `none` once it is made.
    enum class wait { read, write, none };
    /// Takes the connection a step further, after its socket became ready as the last step (or,
    /// for the first, writable) said. The socket may change from step to step. Throws failure.
    wait connect_step();
    /// Sends `sql`, statements without values separated by ';', without waiting. Throws failure.
    void send(const char* sql);
    /// Sends on what send() left to send; false while some remains (wait until writable).
    bool sent();
    /// Reads what arrived; true once every answer to what was sent is in. Throws failure, the
    /// first failed statement's or the lost connection's.
    bool answered();

    /// Runs one parameterized statement. Throws failure.
    result exec(std::string_view sql, const params& p = {});
    /// Runs one parameterized statement without keeping it prepared: for text made per call
    /// (a visibility query), which would otherwise fill the connection's statement cache.
    result exec_once(std::string_view sql, const params& p = {});
    /// Runs `statements` in order in pipeline mode: all are sent at once and answered together,
    /// one round trip in all. The first that fails aborts the rest (their on_result is not
    /// called) and is thrown once every answer is in. Throws failure.
    void exec_all(const std::vector<statement>& statements);
    /// Runs statements that take no values at all (DDL, BEGIN, COMMIT). Throws failure.
    void run(const char* sql);
    /// The server process serving this connection.
    int backend_pid() const noexcept;

    /// A NOTIFY heard on a channel this connection LISTENs to.
    struct notification {
        std::string channel;
        std::string payload;
    };
    /// The socket to wait on for notifications (readable: call take_notifications).
    int socket() const noexcept;
    /// Reads what the server sent without blocking and returns the notifications in it. Throws
    /// failure when the connection is gone.
    std::vector<notification> take_notifications();
    /// False once the server side is gone.
    bool ok() const noexcept;

private:
    [[noreturn]] void fail(pg_result* r);
    failure failure_of(pg_result* r);
    /// Gives the connection up in the middle of a pipeline: it is not ok() any more, and the
    /// failure says the connection is lost, so its user connects again.
    [[noreturn]] void abandon();
    /// The prepared name of `sql`; `fresh` is set when it still has to be prepared.
    const std::string& name_of(const std::string& sql, bool& fresh);
    /// Sends what libpq holds, taking in what the server answers meanwhile (so neither side
    /// blocks on a full socket buffer).
    void flush_all();

    pg_conn* c_ = nullptr;
    std::unordered_map<std::string, std::string> prepared_;   // SQL text -> statement name
    bool broken_ = false;
};

/// The BEGIN goes first among the statements of a connection::exec_all.
struct begun_in_pipeline_t {
    explicit begun_in_pipeline_t() = default;
};
inline constexpr begun_in_pipeline_t begun_in_pipeline{};

/// BEGIN ... COMMIT; rolls back in the destructor unless committed.
class transaction {
public:
    /// `begin` is the whole BEGIN statement (an isolation level may follow BEGIN).
    explicit transaction(connection& c, const char* begin = "BEGIN");
    /// Sends no BEGIN: the caller's pipeline does, saving a round trip; a failure in it leaves
    /// the transaction aborted, and this guard rolls it back.
    transaction(connection& c, begun_in_pipeline_t) noexcept : c_(c) {}
    transaction(const transaction&) = delete;
    ~transaction();
    void commit();
    /// The COMMIT went with other statements (connection::exec_all) and succeeded.
    void committed() noexcept { done_ = true; }

private:
    connection& c_;
    bool done_ = false;
};

/// Connects, retrying while no server answers, after 100 ms, then twice as long each time up to
/// 2 s, until `patience` has passed; then throws the last failure. `give_up` ends it early.
std::unique_ptr<connection> connect_with_backoff(const std::string& uri, const char* application_name,
                                                 std::chrono::milliseconds patience,
                                                 const std::function<bool()>& give_up = {});

/// The host a URI names by name, and its port, for a caller that resolves it itself: empty
/// when there is nothing to resolve (a Unix socket's directory, an address given as hostaddr,
/// several hosts, or no host: libpq's defaults) or the URI cannot be read.
struct named_host {
    std::string name, port;
};
std::optional<named_host> host_to_resolve(const std::string& uri);

/// A connection made again when the last one broke: reads, which have no effect to repeat, run
/// once more on a new connection (`reconnecting`); a snapshot's connection is never remade.
class session {
public:
    session(std::string uri, const char* application_name, bool reconnecting)
        : uri_(std::move(uri)), application_name_(application_name), reconnecting_(reconnecting) {}
    /// The live connection, connecting first when there is none. Throws failure.
    connection& get();
    /// Runs `f` on the connection; if it fails because the connection is gone and this session
    /// reconnects, runs it once more on a new one. Throws failure.
    template <class F>
    auto with(F&& f) -> decltype(f(std::declval<connection&>())) {
        try {
            return f(get());
        } catch (const failure& e) {
            if (!e.connection_lost || !reconnecting_) throw;
            conn_.reset();
        }
        return f(get());
    }
    void adopt(std::unique_ptr<connection> c) noexcept { conn_ = std::move(c); }

private:
    std::string uri_;
    const char* application_name_;
    bool reconnecting_;
    std::unique_ptr<connection> conn_;
};

/// `uri` with its password replaced by ***, for messages.
std::string redacted(std::string_view uri);

/// True for the URIs libpq takes: postgresql://... and postgres://...
bool is_postgres_uri(std::string_view database) noexcept;

}   // namespace perdure::detail::pg
