// A run's search attributes and memo: typed and checked before their command is recorded,
// merged into the run once it is.
#include "runtime/run_attributes.hpp"

#include "visibility/binder.hpp"

#include <perdure/error.hpp>

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <exception>
#include <string>

namespace perdure::detail {
namespace {

/// The registered name closest to `name`, or empty when none is close.
std::string closest(std::string_view name, const std::map<std::string, search_attribute_type, std::less<>>& known) {
    std::string best;
    std::size_t best_distance = std::min<std::size_t>(3, std::max<std::size_t>(1, name.size() / 3)) + 1;
    for (const auto& [candidate, type] : known)
        if (const auto d = edit_distance(name, candidate); d < best_distance) best = candidate, best_distance = d;
    return best;
}

search_attribute_type registered_type(const namespace_row* ns, const std::string& name) {
    if (!ns) throw not_found("the namespace of this run no longer exists");
    auto it = ns->search_attributes.find(name);
    if (it != ns->search_attributes.end()) return it->second;
    std::string message = "unknown search attribute '" + name.substr(0, 100) + "' in namespace '" + ns->name + "'";
    if (const auto best = closest(name, ns->search_attributes); !best.empty())
        message += "; did you mean '" + best + "'?";
    else
        message += "; register it with engine.namespaces().add_search_attribute";
    throw invalid_argument(message);
}

/// Temporal's SDKs unset an attribute with an empty value; here, an empty keyword list.
bool is_unset(const search_attribute_value& v) {
    const auto* list = std::get_if<std::vector<std::string>>(&v);
    return list && list->empty();
}

const boost::json::object* upserted_memo(const boost::json::object& attrs) {
    const auto* m = attrs.if_contains("upserted_memo");
    return m && m->is_object() ? &m->get_object() : nullptr;
}

/// Temporal's merge: a key's new value replaces the old one; a null value removes the key.
void merge_memo(boost::json::object& memo, const boost::json::object& upserted) {
    for (const auto& [key, value] : upserted) {
        if (value.is_null())
            memo.stable_erase(key);   // the others keep their order, as describe shows them
        else
            memo[key] = value;
    }
}

}   // namespace

typed_attributes type_search_attributes(const namespace_row* ns, const search_attributes& given) {
    typed_attributes out;
    for (const auto& [name, value] : given) {
        const auto type = registered_type(ns, name);
        validate_search_attribute(name, type, value);
        search_attribute_value v = value;
        if (type == search_attribute_type::floating && std::holds_alternative<std::int64_t>(v))
            v = static_cast<double>(std::get<std::int64_t>(v));
        out.emplace(name, typed_attribute{type, std::move(v)});
    }
    return out;
}

std::optional<task_failure> prepare_upsert(const namespace_row* ns, command& c) {
    boost::json::object fields;
    try {
        search_attributes set;
        for (const auto& [name, value] : c.values) {
            if (!is_unset(value)) {
                set.emplace(name, value);
                continue;
            }
            fields[name] = {{"type", to_string(registered_type(ns, name))}, {"value", nullptr}};
        }
        for (auto& [name, v] : to_json(type_search_attributes(ns, set))) fields[name] = std::move(v);
    } catch (const std::exception& e) {
        return task_failure{task_failure::cause::bad_command,
                            std::string("BAD_SEARCH_ATTRIBUTES: ") + e.what() + " (the workflow task is retried)"};
    }
    c.attrs["search_attributes"] = {{"indexed_fields", std::move(fields)}};
    return std::nullopt;
}

std::optional<task_failure> prepare_child_start(const namespace_row* ns, command& c) {
    if (c.values.empty()) return std::nullopt;
    try {
        c.attrs["search_attributes"] = {{"indexed_fields", to_json(type_search_attributes(ns, c.values))}};
    } catch (const std::exception& e) {
        return task_failure{task_failure::cause::bad_command, std::string("BAD_START_CHILD_EXECUTION_ATTRIBUTES: ") +
                                                                  e.what() + " (the workflow task is retried)"};
    }
    return std::nullopt;
}

std::optional<set_search_attributes> apply_search_attributes(run_identity& r, const event& upserted) {
    const auto* sa = upserted.attrs.if_contains("search_attributes");
    const auto* fields = sa && sa->is_object() ? sa->get_object().if_contains("indexed_fields") : nullptr;
    if (!fields || !fields->is_object()) return std::nullopt;
    std::vector<std::string> changed;
    apply_upsert(r.search_attributes.edit(), fields->get_object(), changed);
    return set_search_attributes{r.run_key, r.ns_id, r.search_attributes, std::move(changed)};
}

std::optional<task_failure> check_memo_upserts(const run_identity& r, const std::vector<command>& commands,
                                               std::size_t limit) {
    // Each upsert is checked on the memo the earlier ones of the activation leave, as Temporal
    // checks each command on the mutable state the previous commands changed.
    std::optional<boost::json::object> memo;
    for (const auto& c : commands) {
        if (c.kind != command_kind::modify_workflow_properties) continue;
        const auto* upserted = upserted_memo(c.attrs);
        if (!upserted) continue;
        if (!memo) memo = r.memo;
        merge_memo(*memo, *upserted);
        const auto size = boost::json::serialize(*memo).size();
        if (size > limit)
            return task_failure{task_failure::cause::bad_command,
                                "BAD_MODIFY_WORKFLOW_PROPERTIES_ATTRIBUTES: the memo of workflow " + r.workflow_id +
                                    " would be " + std::to_string(size) + " bytes after upsert_memo; a memo is " +
                                    "limited to " + std::to_string(limit) +
                                    " bytes (engine_limits::max_payload_bytes): keep large data out of the memo, "
                                    "or remove keys by upserting null (the workflow task is retried)"};
    }
    return std::nullopt;
}

std::optional<set_memo> apply_memo(run_identity& r, const event& modified) {
    const auto* upserted = upserted_memo(modified.attrs);
    if (!upserted) return std::nullopt;
    merge_memo(r.memo.edit(), *upserted);
    return set_memo{r.run_key, r.memo};
}

}   // namespace perdure::detail
