// The CLI's half of the inbox protocol. The row expires after 10 s so an engine that comes
// back later never applies a stale command; withdrawing is conditional on the row still being
// pending, so either the engine claimed it (and answers) or it never runs.
#include "inbox_client.hpp"

#include "command.hpp"
#include "store/database.hpp"
#include "store/inbox.hpp"

#include <perdure/error.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <chrono>
#include <memory>
#include <thread>

namespace perdure::cli {
namespace {

using namespace std::chrono_literals;

constexpr auto poll_interval = 20ms;
constexpr auto claim_timeout = 5s;       // the engine polls every 50 ms, so this is generous
constexpr auto answer_timeout = 30s;     // after the claim: the command is committing
constexpr auto expiry = 10s;

std::int64_t now_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

errc errc_of(std::string_view code) {
    if (code == "not_found") return errc::not_found;
    if (code == "already_exists") return errc::already_exists;
    if (code == "invalid_argument") return errc::invalid_argument;
    if (code == "storage_error") return errc::storage_error;
    if (code == "database_locked") return errc::database_locked;
    return errc::failed_precondition;
}

boost::json::object parse_object(const std::string& text) {
    boost::system::error_code ec;
    auto v = boost::json::parse(text, ec);
    if (ec || !v.is_object()) return {};
    return std::move(v.get_object());
}

/// The answer of a command the engine finished: its result, or its failure thrown.
boost::json::object answer_of(const detail::inbox_row& row) {
    auto result = parse_object(row.result);
    if (row.state == "done") return result;
    std::string message = "the engine failed the command";
    if (const auto* m = result.if_contains("error"); m && m->is_string()) message = m->get_string();
    std::string code;
    if (const auto* c = result.if_contains("code"); c && c->is_string()) code = c->get_string();
    throw error(errc_of(code), message);
}

bool answered(const detail::inbox_row& row) { return row.state == "done" || row.state == "failed"; }

/// Inserts the command and waits for its answer, withdrawing it when nobody claims it.
boost::json::object exchange(const std::string& db, const boost::json::object& command) {
    // A reader-mode database checks the file without the owner lock; its connections may still write.
    std::unique_ptr<detail::database> database;
    try {
        database = std::make_unique<detail::database>(db, durability::normal, detail::database::mode::reader);
    } catch (const error& e) {
        throw cli_error(exit_code::database_problem, e.what());
    }
    auto conn = database->connect(false);
    const auto created = now_us();
    const auto id = detail::insert_command(*conn, created, created + std::chrono::microseconds(expiry).count(),
                                           boost::json::serialize(command));
    const auto start = std::chrono::steady_clock::now();
    for (;;) {
        auto row = detail::read_command(*conn, id);
        if (!row)
            throw cli_error(exit_code::database_problem,
                            "the command's inbox row disappeared before an answer; check the result with a read "
                            "command (list or describe)");
        if (answered(*row)) return answer_of(*row);
        const auto waited = std::chrono::steady_clock::now() - start;
        if (row->state == "pending" && waited >= claim_timeout) {
            if (detail::withdraw_command(*conn, id))
                throw cli_error(exit_code::database_problem,
                                "database " + db +
                                    " is locked by another process, and no running engine answered within 5 s; the "
                                    "command was withdrawn and nothing changed (is the process that holds it a "
                                    "perdure engine, and is it responsive?)");
            continue;   // the engine claimed it just now: wait for its answer
        }
        if (waited >= claim_timeout + answer_timeout)
            throw cli_error(exit_code::database_problem,
                            "the running engine took the command but did not answer within 35 s; it may still "
                            "apply it: check with a read command (list or describe) before retrying");
        std::this_thread::sleep_for(poll_interval);
    }
}

}  // namespace

boost::json::object send_to_engine(const std::string& db, const boost::json::object& command) {
    try {
        return exchange(db, command);
    } catch (const detail::sql::sqlite_failure& f) {
        try {
            detail::throw_storage(f, db, "leaving a command for the running engine", detail::database::mode::reader);
        } catch (const error& e) {
            throw cli_error(exit_code::database_problem, e.what());
        }
    }
}

}  // namespace perdure::cli
