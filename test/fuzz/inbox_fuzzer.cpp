// Fuzz target: the inbox's stored form, which another process (perhaps another version) wrote.
// parse_stored_command must refuse anything that is not a command with invalid_argument, and a
// command it accepts must store and read back as the same command. parse_stored_answer never
// throws, and an answer it reads back stores and reads back as itself. "The same" allows a
// double to move by its last digits: Boost.JSON 1.81 parses a number of many digits to within
// an ulp or so, not exactly, so a stored payload keeps every number but the last bits of some.
#include "oracle.hpp"

#include "machines/command.hpp"
#include "store/inbox_json.hpp"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace {

using namespace perdure::detail;
using perdure::fuzz::check;

bool same_json(const boost::json::value& a, const boost::json::value& b) {
    if (a.is_double() && b.is_double()) {
        const double x = a.get_double(), y = b.get_double();
        return x == y || std::fabs(x - y) <= 1e-14 * std::max(std::fabs(x), std::fabs(y));
    }
    if (a.kind() != b.kind()) return false;
    if (a.is_array()) {
        const auto &x = a.get_array(), &y = b.get_array();
        if (x.size() != y.size()) return false;
        for (std::size_t i = 0; i < x.size(); ++i)
            if (!same_json(x[i], y[i])) return false;
        return true;
    }
    if (a.is_object()) {
        const auto &x = a.get_object(), &y = b.get_object();
        if (x.size() != y.size()) return false;
        for (const auto& [key, value] : x) {
            const auto* other = y.if_contains(key);
            if (!other || !same_json(value, *other)) return false;
        }
        return true;
    }
    return a == b;
}

/// Two stored forms hold the same thing, up to the last bits of doubles.
bool same_stored(std::string_view a, std::string_view b) {
    return same_json(boost::json::parse(a), boost::json::parse(b));
}

/// The kinds of answer there are: none, a namespace's, an endpoint's, a start's, a payload.
const inbox_command asked_kinds[] = {namespace_delete_command{}, namespace_create_command{}, endpoint_update_command{},
                                     workflow_start_command{}, workflow_query_command{}};

void check_answer(const inbox_command* asked, bool failed, std::string_view text) {
    const auto answer = parse_stored_answer(asked, failed, text);
    const bool is_failure = std::holds_alternative<inbox_failure>(answer);
    check(!failed || is_failure, "inbox", "a failed row read back as a result");
    if (is_failure && !failed) return;   // an unreadable result: the sender's own storage_error, never stored
    const auto again = parse_stored_answer(asked, failed, stored_answer(answer));
    check(same_stored(stored_answer(again), stored_answer(answer)), "inbox",
          "an answer does not read back as itself after storing it");
    check(std::string_view(stored_state(answer)) == (failed ? "failed" : "done"), "inbox",
          "an answer is stored with the wrong state");
}

/// A workflow task's commands, which the owner reads one by one: each is refused with
/// invalid_argument or read, and one read travels again as itself.
void check_task_commands(const workflow_task_command& task) {
    for (const auto& sent : task.commands) {
        std::optional<command> read;
        try {
            read = command_from_json(sent);
        } catch (const perdure::invalid_argument&) {
            continue;
        }
        const auto again = command_from_json(command_to_json(*read));
        check(again.kind == read->kind && again.attrs == read->attrs && again.values == read->values, "inbox",
              "a workflow task's command does not read back as itself");
    }
}

}   // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    std::optional<inbox_command> command;
    try {
        command = parse_stored_command(input);
    } catch (const perdure::invalid_argument&) {
    } catch (...) {
        perdure::fuzz::unexpected_exception("inbox");
    }
    try {
        if (command) {
            const auto again = parse_stored_command(stored_command(*command));
            check(same_stored(stored_command(again), stored_command(*command)), "inbox",
                  "a command does not read back as itself after storing it");
            check(inbox_op_name(again) == inbox_op_name(*command), "inbox", "a command changed kind");
            if (const auto* task = std::get_if<workflow_task_command>(&*command)) check_task_commands(*task);
        }
        for (const bool failed : {false, true}) {
            check_answer(command ? &*command : nullptr, failed, input);
            for (const auto& asked : asked_kinds) check_answer(&asked, failed, input);
        }
    } catch (...) {
        perdure::fuzz::unexpected_exception("inbox");
    }
    return 0;
}
