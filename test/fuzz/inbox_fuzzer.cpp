// Fuzz target: the inbox's stored form, which another process (perhaps another version) wrote.
// parse_stored_command must refuse anything that is not a command with invalid_argument, and a
// command it accepts must store and read back as the same command. parse_stored_answer never
// throws, and an answer it reads back stores and reads back as itself.
#include "oracle.hpp"

#include "store/inbox_json.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace {

using namespace perdure::detail;
using perdure::fuzz::check;

/// The kinds of answer there are: none, a namespace's, an endpoint's.
const inbox_command asked_kinds[] = {namespace_delete_command{}, namespace_create_command{}, endpoint_update_command{}};

void check_answer(const inbox_command* asked, bool failed, std::string_view text) {
    const auto answer = parse_stored_answer(asked, failed, text);
    const bool is_failure = std::holds_alternative<inbox_failure>(answer);
    check(!failed || is_failure, "inbox", "a failed row read back as a result");
    if (is_failure && !failed) return;   // an unreadable result: the sender's own storage_error, never stored
    const auto again = parse_stored_answer(asked, failed, stored_answer(answer));
    check(again == answer, "inbox", "an answer does not read back as itself after storing it");
    check(std::string_view(stored_state(answer)) == (failed ? "failed" : "done"), "inbox",
          "an answer is stored with the wrong state");
}

}  // namespace

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
            check(again == *command, "inbox", "a command does not read back as itself after storing it");
            check(inbox_op_name(again) == inbox_op_name(*command), "inbox", "a command changed kind");
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
