// An event read back from its stored columns, the same for every store.
#include "store/stored_rows.hpp"

#include "codec/json_parse.hpp"

#include <perdure/error.hpp>

namespace perdure::detail {

event stored_event(std::int64_t run_key, std::int64_t event_id, std::int64_t type, std::int64_t time_us,
                   std::string_view attrs) {
    event e;
    e.id = event_id;
    auto t = event_type_from_number(static_cast<int>(type));
    if (!t)
        throw storage_error("history of run " + std::to_string(run_key) + " has an event of unknown type " +
                            std::to_string(type) + " (written by a newer perdure?)");
    e.type = *t;
    e.time_us = time_us;
    boost::system::error_code ec;
    auto v = detail::parse_json(attrs, ec);
    if (ec || !v.is_object())
        throw storage_error("history of run " + std::to_string(run_key) + " has malformed attributes at event " +
                            std::to_string(e.id));
    e.attrs = std::move(v.get_object());
    return e;
}

}   // namespace perdure::detail
