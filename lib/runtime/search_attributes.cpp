// The engine's search attribute calls: registering attributes in a namespace and removing them.
// Registrations change on the strand and answer once committed, as namespace changes do; the
// values runs give are checked in run_attributes.
#include "runtime/core.hpp"

#include <perdure/error.hpp>

namespace perdure::detail {

void engine_core::add_search_attribute(std::string ns, std::string name, search_attribute_type type,
                                       callback<bool> cb) {
    if (standing_by())
        return message_via_owner(search_attribute_create_command{std::move(ns), std::move(name), type}, std::move(cb));
    post([this, ns = std::move(ns), name = std::move(name), type, cb = std::move(cb)]() mutable {
        if (standing_by_) return add_search_attribute(std::move(ns), std::move(name), type, std::move(cb));
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
    if (standing_by())
        return message_via_owner(search_attribute_remove_command{std::move(ns), std::move(name)}, std::move(cb));
    post([this, ns = std::move(ns), name = std::move(name), cb = std::move(cb)]() mutable {
        if (standing_by_) return remove_search_attribute(std::move(ns), std::move(name), std::move(cb));
        if (auto e = unavailable()) return cb(e, false);
        std::int64_t ns_id = 0;
        try {
            ns_id = namespaces_.remove_attribute(ns, name);
        } catch (...) {
            return cb(std::current_exception(), false);
        }
        // Open runs keep the value in memory and in their events; queries stop seeing it at once.
        for (const auto& [key, r] : lifecycle_.runs().all())
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

}   // namespace perdure::detail
