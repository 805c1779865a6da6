// The engine's search attribute calls: registering attributes in a namespace, and checking the
// values a start, a child start or an upsert gives against them. Registrations change on the strand and answer
// once committed, as namespace changes do.
#include "runtime/core.hpp"

#include "visibility/binder.hpp"

#include <perdure/error.hpp>

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

const namespace_row& namespace_with_id(const namespace_table& table, std::int64_t ns_id) {
    for (const auto& [n, row] : table.all())
        if (row.ns_id == ns_id) return row;
    throw not_found("the namespace of this run no longer exists");
}

search_attribute_type registered_type(const namespace_row& ns, const std::string& name) {
    auto it = ns.search_attributes.find(name);
    if (it != ns.search_attributes.end()) return it->second;
    std::string message = "unknown search attribute '" + name.substr(0, 100) + "' in namespace '" + ns.name + "'";
    if (const auto best = closest(name, ns.search_attributes); !best.empty())
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

}   // namespace

void engine_core::add_search_attribute(std::string ns, std::string name, search_attribute_type type,
                                       callback<bool> cb) {
    post([this, ns = std::move(ns), name = std::move(name), type, cb = std::move(cb)]() mutable {
        if (auto e = unavailable()) return cb(e, false);
        std::optional<std::int64_t> ns_id;
        try {
            ns_id = namespaces_.add_attribute(ns, name, type);
        } catch (...) {
            return cb(std::current_exception(), false);
        }
        write_unit unit;   // also when it exists: answer once the registration is committed
        if (ns_id) unit.ops.emplace_back(detail::add_search_attribute{*ns_id, name, type});
        unit.effects.emplace_back([cb = std::move(cb)](std::exception_ptr e) mutable { cb(e, e == nullptr); });
        commit(std::move(unit));
    });
}

void engine_core::remove_search_attribute(std::string ns, std::string name, callback<bool> cb) {
    post([this, ns = std::move(ns), name = std::move(name), cb = std::move(cb)]() mutable {
        if (auto e = unavailable()) return cb(e, false);
        std::int64_t ns_id = 0;
        try {
            ns_id = namespaces_.remove_attribute(ns, name);
        } catch (...) {
            return cb(std::current_exception(), false);
        }
        // Open runs keep the value in memory and in their events; queries stop seeing it at once.
        for (const auto& [key, r] : runs_.all())
            if (r->ns_id == ns_id && r->search_attributes->contains(name)) r->search_attributes.edit().erase(name);
        write_unit unit;
        unit.ops.emplace_back(detail::remove_search_attribute{ns_id, name});
        unit.effects.emplace_back([cb = std::move(cb)](std::exception_ptr e) mutable { cb(e, e == nullptr); });
        commit(std::move(unit));
    });
}

void engine_core::list_search_attributes(std::string ns, callback<std::map<std::string, search_attribute_type>> cb) {
    post([this, ns = std::move(ns), cb = std::move(cb)]() mutable {
        if (auto e = unavailable()) return cb(e, {});
        std::map<std::string, search_attribute_type> out;
        try {
            const auto& row = namespaces_.at(ns);
            out.insert(row.search_attributes.begin(), row.search_attributes.end());
        } catch (...) {
            return cb(std::current_exception(), {});
        }
        write_unit unit;   // answer once every earlier change is committed
        unit.effects.emplace_back(
            [cb = std::move(cb), out = std::move(out)](std::exception_ptr e) mutable { cb(e, std::move(out)); });
        commit(std::move(unit));
    });
}

typed_attributes engine_core::typed_search_attributes(std::int64_t ns_id, const search_attributes& given) const {
    typed_attributes out;
    if (given.empty()) return out;
    const auto& ns = namespace_with_id(namespaces_, ns_id);
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

std::optional<task_failure> engine_core::prepare_upsert(const run_state& r, command& c) const {
    boost::json::object fields;
    try {
        search_attributes set;
        for (const auto& [name, value] : c.values) {
            if (!is_unset(value)) {
                set.emplace(name, value);
                continue;
            }
            const auto type = registered_type(namespace_with_id(namespaces_, r.ns_id), name);
            fields[name] = {{"type", to_string(type)}, {"value", nullptr}};
        }
        for (auto& [name, v] : to_json(typed_search_attributes(r.ns_id, set))) fields[name] = std::move(v);
    } catch (const std::exception& e) {
        return task_failure{task_failure::cause::bad_command,
                            std::string("BAD_SEARCH_ATTRIBUTES: ") + e.what() + " (the workflow task is retried)"};
    }
    c.attrs["search_attributes"] = {{"indexed_fields", std::move(fields)}};
    return std::nullopt;
}

std::optional<task_failure> engine_core::prepare_child_start(const run_state& r, command& c) const {
    if (c.values.empty()) return std::nullopt;
    try {
        // A child starts in its parent's namespace, so it is typed against that registry.
        c.attrs["search_attributes"] = {{"indexed_fields", to_json(typed_search_attributes(r.ns_id, c.values))}};
    } catch (const std::exception& e) {
        return task_failure{task_failure::cause::bad_command, std::string("BAD_START_CHILD_EXECUTION_ATTRIBUTES: ") +
                                                                  e.what() + " (the workflow task is retried)"};
    }
    return std::nullopt;
}

void engine_core::upserted(run_state& r, const event& e, write_unit& unit) {
    const auto* sa = e.attrs.if_contains("search_attributes");
    const auto* fields = sa && sa->is_object() ? sa->get_object().if_contains("indexed_fields") : nullptr;
    if (!fields || !fields->is_object()) return;
    std::vector<std::string> changed;
    apply_upsert(r.search_attributes.edit(), fields->get_object(), changed);
    unit.ops.emplace_back(set_search_attributes{r.run_key, r.ns_id, r.search_attributes, std::move(changed)});
}

}   // namespace perdure::detail
