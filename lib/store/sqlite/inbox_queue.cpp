// SQLite inbox reads for the engine: each pending row read into a typed command, or into the
// reason it cannot be, so the engine answers a bad row instead of skipping it forever.
#include "store/sqlite/inbox_queue.hpp"

#include "store/inbox_json.hpp"

namespace perdure::detail {

std::vector<pending_command> pending_commands(sql::connection& c, std::int64_t now_us, std::size_t limit) {
    auto& s = c.cached("SELECT id, command FROM inbox WHERE state='pending' AND expires > ? ORDER BY id LIMIT ?");
    s.bind(1, now_us).bind(2, static_cast<std::int64_t>(limit));
    std::vector<pending_command> out;
    try {
        while (s.step()) {
            out.push_back(stored_pending(s.int64(0), s.text(1)));
        }
    } catch (...) {
        s.reset();
        throw;
    }
    s.reset();
    return out;
}

std::vector<std::int64_t> abandoned_commands(sql::connection& c) {
    auto s = c.prepare("SELECT id FROM inbox WHERE state='running' ORDER BY id");
    std::vector<std::int64_t> out;
    while (s.step()) out.push_back(s.int64(0));
    return out;
}

}   // namespace perdure::detail
