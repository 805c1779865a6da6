// SQLite inbox statements for the process that leaves commands: insert, read the answer, withdraw.
// Withdrawing is a conditional update, so it and the engine's claim cannot both succeed.
#include "store/sqlite/inbox.hpp"

#include "store/inbox_json.hpp"

namespace perdure::detail {

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
    return stored_status(s.text(0), s.text(1), s.text(2));
}

bool withdraw_command(sql::connection& c, std::int64_t id) {
    c.prepare("UPDATE inbox SET state = 'withdrawn' WHERE id = ? AND state = 'pending'").bind(1, id).run();
    return c.changes() == 1;
}

}   // namespace perdure::detail
