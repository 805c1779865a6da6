// Inbox statements for the process that leaves commands: insert, read the answer, withdraw.
// Withdrawing is a conditional update, so it and the engine's claim cannot both succeed.
#include "store/inbox.hpp"

#include "store/inbox_json.hpp"

namespace perdure::detail {
namespace {

inbox_status::stage stage_of(std::string_view state) {
    if (state == "pending") return inbox_status::stage::pending;
    if (state == "done" || state == "failed") return inbox_status::stage::answered;
    if (state == "withdrawn") return inbox_status::stage::withdrawn;
    return inbox_status::stage::claimed;   // "running", or a state a newer engine uses while it works
}

}  // namespace

std::int64_t insert_command(sql::connection& c, std::int64_t created_us, std::int64_t expires_us,
                            const inbox_command& command) {
    auto s = c.prepare("INSERT INTO inbox(created, expires, command) VALUES (?, ?, ?)");
    s.bind(1, created_us).bind(2, expires_us).bind(3, stored_command(command)).run();
    return c.last_insert_rowid();
}

std::optional<inbox_status> read_command(sql::connection& c, std::int64_t id) {
    auto s = c.prepare("SELECT command, state, result FROM inbox WHERE id = ?");
    s.bind(1, id);
    if (!s.step()) return std::nullopt;
    const auto state = s.text(1);
    inbox_status status{stage_of(state), {}};
    if (status.at != inbox_status::stage::answered) return status;
    // The answer's shape follows the command's kind; our own command always reads back.
    std::optional<inbox_command> asked;
    try {
        asked = parse_stored_command(s.text(0));
    } catch (const error&) {
    }
    status.answer = parse_stored_answer(asked ? &*asked : nullptr, state == "failed", s.text(2));
    return status;
}

bool withdraw_command(sql::connection& c, std::int64_t id) {
    c.prepare("UPDATE inbox SET state = 'withdrawn' WHERE id = ? AND state = 'pending'").bind(1, id).run();
    return c.changes() == 1;
}

}  // namespace perdure::detail
