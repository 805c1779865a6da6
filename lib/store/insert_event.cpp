// The stored form of an event's attributes, made once when the engine hands the event over.
#include "store/rows.hpp"

#include "codec/json_member.hpp"

#include <boost/json/serialize.hpp>

namespace perdure::detail {

insert_event::insert_event(std::int64_t run_key, const event& e)
    : run_key(run_key),
      event_id(e.id),
      type(e.type),
      time_us(e.time_us),
      attrs(e.attrs.empty() ? std::string("{}") : boost::json::serialize(e.attrs)) {
}   // every WorkflowTaskCompleted is empty

insert_event::insert_event(std::int64_t run_key, const event& e, std::string_view member_name,
                           std::string_view member_json)
    : run_key(run_key), event_id(e.id), type(e.type), time_us(e.time_us) {
    append_with_member(attrs, e.attrs, member_name, member_json);
}

}   // namespace perdure::detail
