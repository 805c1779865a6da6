// The Nexus endpoint registry: persisted routing records (name -> target namespace and task
// queue), versioned, validated as Temporal validates them. Kept on the strand; every change
// is answered after its commit.
#include "client/blocking.hpp"
#include "history/fields.hpp"
#include "runtime/core.hpp"
#include "runtime/inbox_answers.hpp"

#include <perdure/detail/async_entry.hpp>

#include <perdure/error.hpp>
#include <perdure/nexus.hpp>

#include <boost/json/serialize.hpp>

namespace perdure::detail {
namespace {

std::int64_t to_us(std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

}   // namespace

endpoint_row row_of(const nexus::endpoint& e) {
    return {e.id,
            e.spec.name,
            e.version,
            e.spec.target_namespace,
            e.spec.target_task_queue,
            e.spec.description,
            to_us(e.created),
            e.last_modified == std::chrono::system_clock::time_point{} ? 0 : to_us(e.last_modified),
            e.spec.max_operations_per_second};
}

nexus::endpoint endpoint_of(const endpoint_row& row) {
    return {row.id,
            row.version,
            {row.name, row.target_namespace, row.target_task_queue, row.description, row.max_operations_per_second},
            from_us(row.created_us),
            row.last_modified_us ? from_us(row.last_modified_us) : std::chrono::system_clock::time_point{}};
}

void engine_core::create_endpoint(nexus::endpoint_spec spec, bool ensure, callback<nexus::endpoint> cb) {
    if (standing_by()) {
        auto name = spec.name;
        return endpoint_via_owner(
            endpoint_create_command{spec.name, spec.target_namespace, spec.target_task_queue, spec.description,
                                    spec.max_operations_per_second},
            name, [this, spec, ensure, cb = std::move(cb)](std::exception_ptr e, nexus::endpoint ep) mutable {
                if (!e || !ensure) return cb(e, std::move(ep));
                // ensure(): the existing endpoint when it is the one asked for.
                post([this, spec = std::move(spec), e, cb = std::move(cb)]() mutable {
                    const auto* found = endpoints_.by_name(spec.name);
                    if (found && found->spec == spec) return cb(nullptr, *found);
                    cb(e, {});
                });
            });
    }
    if (auto e = unavailable()) return cb(e, {});
    post([this, spec = std::move(spec), ensure, cb = std::move(cb)]() mutable {
        if (standing_by_) return create_endpoint(std::move(spec), ensure, std::move(cb));
        if (auto e = unavailable()) return cb(e, {});
        nexus::endpoint created;
        try {
            if (const auto* existing =
                    endpoints_.check_create(spec, ensure, [this](const std::string& ns) { namespace_id(ns); })) {
                write_unit unit;
                unit.effects.emplace_back(
                    [cb = std::move(cb), ep = *existing](std::exception_ptr e) mutable { cb(e, ep); });
                commit(std::move(unit));
                return;
            }
            created = {new_uuid(), 1, std::move(spec), from_us(now_us()), {}};
        } catch (...) {
            return cb(std::current_exception(), {});
        }
        endpoints_.put(created);
        write_unit unit;
        unit.ops.emplace_back(upsert_endpoint{row_of(created)});
        unit.effects.emplace_back([cb = std::move(cb), created](std::exception_ptr e) mutable { cb(e, created); });
        commit(std::move(unit));
    });
}

void engine_core::update_endpoint(std::string name, nexus::endpoint_update change, callback<nexus::endpoint> cb) {
    if (standing_by()) {   // the owner checks expected_version against the endpoint it holds
        auto current = change.name.value_or(name);
        return endpoint_via_owner(
            endpoint_update_command{std::move(name), std::move(change.name), std::move(change.target_namespace),
                                    std::move(change.target_task_queue), std::move(change.description),
                                    change.max_operations_per_second, change.expected_version},
            std::move(current), std::move(cb));
    }
    if (auto e = unavailable()) return cb(e, {});
    post([this, name = std::move(name), change = std::move(change), cb = std::move(cb)]() mutable {
        if (standing_by_) return update_endpoint(std::move(name), std::move(change), std::move(cb));
        if (auto e = unavailable()) return cb(e, {});
        nexus::endpoint updated;
        try {
            updated = endpoints_.changed(
                name, change, [this](const std::string& ns) { namespace_id(ns); }, from_us(now_us()));
        } catch (...) {
            return cb(std::current_exception(), {});
        }
        endpoints_.put(updated);
        write_unit unit;
        unit.ops.emplace_back(upsert_endpoint{row_of(updated)});
        unit.effects.emplace_back([cb = std::move(cb), updated](std::exception_ptr e) mutable { cb(e, updated); });
        commit(std::move(unit));
        on_workers_changed();   // operations waiting for a target may route now
    });
}

void engine_core::remove_endpoint(std::string name, callback<bool> cb) {
    if (standing_by()) return message_via_owner(endpoint_delete_command{std::move(name)}, std::move(cb));
    if (auto e = unavailable()) return cb(e, false);
    post([this, name = std::move(name), cb = std::move(cb)]() mutable {
        if (standing_by_) return remove_endpoint(std::move(name), std::move(cb));
        if (auto e = unavailable()) return cb(e, false);
        const auto* current = endpoints_.by_name(name);
        if (!current)
            return cb(std::make_exception_ptr(not_found("Nexus endpoint " + name + " does not exist")), false);
        write_unit unit;
        unit.ops.emplace_back(delete_endpoint{current->id});
        endpoints_.erase(current->id);
        unit.effects.emplace_back([cb = std::move(cb)](std::exception_ptr e) mutable { cb(e, e == nullptr); });
        commit(std::move(unit));
        on_workers_changed();   // operations waiting for a worker behind it fail NOT_FOUND now
    });
}

void engine_core::list_endpoints(callback<std::vector<nexus::endpoint>> cb) {
    if (auto e = unavailable()) return cb(e, {});
    post([this, cb = std::move(cb)]() mutable {
        auto out = endpoints_.list();
        write_unit unit;
        unit.effects.emplace_back(
            [cb = std::move(cb), out = std::move(out)](std::exception_ptr e) mutable { cb(e, std::move(out)); });
        commit(std::move(unit));
    });
}

void engine_core::describe_endpoint(std::string name, callback<nexus::endpoint> cb) {
    if (auto e = unavailable()) return cb(e, {});
    post([this, name = std::move(name), cb = std::move(cb)]() mutable {
        const auto* e = endpoints_.by_name(name);
        if (!e) return cb(std::make_exception_ptr(not_found("Nexus endpoint " + name + " does not exist")), {});
        write_unit unit;
        unit.effects.emplace_back([cb = std::move(cb), ep = *e](std::exception_ptr err) mutable { cb(err, ep); });
        commit(std::move(unit));
    });
}

boost::json::value health_json(const nexus::endpoint_health& h) {
    return {{"breaker", h.breaker},
            {"consecutive_failures", h.consecutive_failures},
            {"in_flight", h.in_flight},
            {"reopens_at_us", to_us(h.reopens_at)}};
}

nexus::endpoint_health health_of(const boost::json::value& v) {
    const auto* o = v.if_object();
    const auto* breaker = o ? o->if_contains("breaker") : nullptr;
    const auto* failures = o ? o->if_contains("consecutive_failures") : nullptr;
    const auto* in_flight = o ? o->if_contains("in_flight") : nullptr;
    const auto* reopens = o ? o->if_contains("reopens_at_us") : nullptr;
    if (!breaker || !breaker->is_string() || !failures || !failures->is_int64() || !in_flight ||
        !in_flight->is_int64() || !reopens || !reopens->is_int64())
        throw storage_error("the owning engine's answer to an endpoint's health cannot be read: " +
                            boost::json::serialize(v));
    return {std::string(breaker->get_string()), static_cast<int>(failures->get_int64()), in_flight->get_int64(),
            from_us(reopens->get_int64())};
}

void engine_core::endpoint_health(std::string name, std::string caller_ns, callback<nexus::endpoint_health> cb) {
    // The breaker and the operations in flight live in the owner's memory: a standby asks it.
    if (standing_by())
        return ask_owner(endpoint_health_command{std::move(name), std::move(caller_ns)},
                         [cb = std::move(cb)](std::exception_ptr e, boost::json::value v) mutable {
                             if (e) return cb(e, {});
                             nexus::endpoint_health health;
                             try {
                                 health = health_of(v);
                             } catch (...) {
                                 return cb(std::current_exception(), {});
                             }
                             cb(nullptr, std::move(health));
                         });
    if (auto e = unavailable()) return cb(e, {});
    post([this, name = std::move(name), caller_ns = std::move(caller_ns), cb = std::move(cb)]() mutable {
        if (standing_by_) return endpoint_health(std::move(name), std::move(caller_ns), std::move(cb));
        const auto* e = endpoints_.by_name(name);
        if (!e) return cb(std::make_exception_ptr(not_found("Nexus endpoint " + name + " does not exist")), {});
        std::optional<std::int64_t> caller;
        if (!caller_ns.empty() && !(caller = find_namespace(caller_ns)))
            return cb(nullptr,
                      nexus::endpoint_health{"closed", 0, 0, {}});   // a namespace that does not exist never called
        const auto h = nexus_.guards().health(e->id, caller, now_us());
        cb(nullptr, h);
    });
}

}   // namespace perdure::detail

namespace perdure::nexus {

using perdure::detail::wait_for;

endpoint endpoint_registry::create(endpoint_spec spec) {
    return wait_for<endpoint>(*core_, "nexus_endpoints().create", [&](auto cb) {
        perdure::detail::async_create(*this, std::move(spec), false, std::move(cb));
    });
}

endpoint endpoint_registry::ensure(endpoint_spec spec) {
    return wait_for<endpoint>(*core_, "nexus_endpoints().ensure", [&](auto cb) {
        perdure::detail::async_create(*this, std::move(spec), true, std::move(cb));
    });
}

std::vector<endpoint> endpoint_registry::list() {
    return wait_for<std::vector<endpoint>>(*core_, "nexus_endpoints().list",
                                           [&](auto cb) { perdure::detail::async_list(*this, std::move(cb)); });
}

endpoint endpoint_registry::describe(std::string_view name) {
    return wait_for<endpoint>(*core_, "nexus_endpoints().describe", [&](auto cb) {
        perdure::detail::async_describe(*this, std::string(name), std::move(cb));
    });
}

endpoint endpoint_registry::update(std::string_view name, endpoint_update change) {
    return wait_for<endpoint>(*core_, "nexus_endpoints().update", [&](auto cb) {
        perdure::detail::async_update(*this, std::string(name), std::move(change), std::move(cb));
    });
}

void endpoint_registry::remove(std::string_view name) {
    wait_for<bool>(*core_, "nexus_endpoints().remove",
                   [&](auto cb) { perdure::detail::async_remove(*this, std::string(name), std::move(cb)); });
}

endpoint_health endpoint_registry::health(std::string_view name, std::string_view caller_ns) {
    return wait_for<endpoint_health>(*core_, "nexus_endpoints().health", [&](auto cb) {
        perdure::detail::async_health(*this, std::string(name), std::string(caller_ns), std::move(cb));
    });
}

}   // namespace perdure::nexus
