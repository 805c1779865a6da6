// Inbox reads for the engine.
#include "store/inbox_queue.hpp"

namespace perdure::detail {

std::vector<inbox_command> pending_commands(sql::connection& c, std::int64_t now_us, std::size_t limit) {
    auto& s = c.cached("SELECT id, command FROM inbox WHERE state='pending' AND expires > ? ORDER BY id LIMIT ?");
    s.bind(1, now_us).bind(2, static_cast<std::int64_t>(limit));
    std::vector<inbox_command> out;
    try {
        while (s.step()) out.push_back({s.int64(0), std::string(s.text(1))});
    } catch (...) {
        s.reset();
        throw;
    }
    s.reset();
    return out;
}

}  // namespace perdure::detail
