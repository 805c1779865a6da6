// The CLI's half of the inbox protocol. The command expires after 10 s so an engine that comes
// back later never applies a stale one; withdrawing succeeds only while the command is still
// pending, so either the engine claimed it (and answers) or it never runs.
#include "inbox_client.hpp"

#include "command.hpp"

#include "store/store.hpp"

#include <perdure/error.hpp>

#include <chrono>
#include <memory>
#include <thread>
#include <variant>

namespace perdure::cli {
namespace {

using namespace std::chrono_literals;
using stage = detail::inbox_status::stage;

constexpr auto poll_interval = 20ms;
constexpr auto claim_timeout = 5s;     // the engine polls every 50 ms, so this is generous
constexpr auto answer_timeout = 30s;   // after the claim: the command is committing
constexpr auto expiry = 10s;

std::int64_t now_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

/// The answer of a command the engine finished: its result, or its failure thrown.
detail::inbox_answer answer_of(detail::inbox_answer answer) {
    if (const auto* failure = std::get_if<detail::inbox_failure>(&answer)) throw error(failure->code, failure->message);
    return answer;
}

}   // namespace

namespace {

/// One sending of `command`, and the engine's answer, failure included. `resent`: an earlier
/// sending was taken by an engine that stopped before finishing it.
detail::inbox_answer send_once(const std::string& db, const detail::inbox_command& command, bool resent) {
    // A reader store takes no ownership; a command is a request to the owner, not a write of ours.
    const auto store = on_store([&] {
        return detail::open_store({.database = db, .durability = durability::normal}, detail::open_mode::reader);
    });
    const auto created = now_us();
    const auto id = on_store(
        [&] { return store->submit_command(command, created, created + std::chrono::microseconds(expiry).count()); });
    const auto start = std::chrono::steady_clock::now();
    for (;;) {
        const auto status = on_store([&] { return store->command_status(id); });
        if (!status)
            throw cli_error(exit_code::database_problem,
                            "the command's inbox row disappeared before an answer; check the result with a read "
                            "command (list or describe)");
        if (status->at == stage::answered) return status->answer;
        const auto waited = std::chrono::steady_clock::now() - start;
        if (status->at == stage::pending && waited >= claim_timeout) {
            if (on_store([&] { return store->withdraw_command(id); })) {
                if (resent)
                    throw cli_error(exit_code::database_problem,
                                    "the engine that took the command stopped before it finished, and no engine took "
                                    "it again within 5 s; it may have been applied: check with describe before "
                                    "retrying it with the same id");
                throw cli_error(exit_code::database_problem,
                                "database " + db +
                                    " is locked by another process, and no running engine answered within 5 s; the "
                                    "command was withdrawn and nothing changed (is the process that holds it a "
                                    "perdure engine, and is it responsive?)");
            }
            continue;   // the engine claimed it just now: wait for its answer
        }
        if (waited >= claim_timeout + answer_timeout)
            throw cli_error(exit_code::database_problem,
                            "the running engine took the command but did not answer within 35 s; it may still "
                            "apply it: check with a read command (list or describe) before retrying");
        std::this_thread::sleep_for(poll_interval);
    }
}

}   // namespace

detail::inbox_answer send_to_engine(const std::string& db, const detail::inbox_command& command) {
    // The engine that took a command may stop before finishing it (another engine then takes the
    // data over): a command that is safe to make again is sent again, as the engines' own
    // clients do, a few times at most.
    for (int resent = 0;; ++resent) {
        auto answer = send_once(db, command, resent > 0);
        const auto* failure = std::get_if<detail::inbox_failure>(&answer);
        if (!(failure && detail::send_again(command, *failure, resent))) return answer_of(std::move(answer));
    }
}

}   // namespace perdure::cli
