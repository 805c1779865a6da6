// The Nexus endpoint registry: persisted routing records (name -> target namespace and task
// queue), versioned, validated as Temporal validates them. Kept on the strand; every change
// is answered after its commit.
#include "client/blocking.hpp"
#include "history/fields.hpp"
#include "runtime/core.hpp"

#include <perdure/detail/async_entry.hpp>

#include <perdure/error.hpp>
#include <perdure/nexus.hpp>

#include <cmath>

namespace perdure::detail {
namespace {

constexpr std::size_t max_endpoint_name = 200;
constexpr std::size_t max_description_bytes = 20'000;

void validate_name(const std::string& name) {
    const bool ok = name.size() >= 2 && name.size() <= max_endpoint_name && std::isalpha(static_cast<unsigned char>(name.front())) &&
                    std::isalnum(static_cast<unsigned char>(name.back())) &&
                    std::all_of(name.begin(), name.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-'; });
    if (!ok)
        throw invalid_argument("invalid Nexus endpoint name '" + name +
                               "': it must match ^[a-zA-Z][a-zA-Z0-9-]*[a-zA-Z0-9]$ and be at most 200 characters");
}

std::int64_t to_us(std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

endpoint_row row_of(const nexus::endpoint& e) {
    return {e.id, e.spec.name, e.version, e.spec.target_namespace, e.spec.target_task_queue, e.spec.description,
            to_us(e.created), e.last_modified == std::chrono::system_clock::time_point{} ? 0 : to_us(e.last_modified),
            e.spec.max_operations_per_second};
}

void validate_rate(double per_second) {
    if (!std::isfinite(per_second) || per_second < 0)
        throw invalid_argument("a Nexus endpoint's max_operations_per_second must be 0 (no limit) or a positive number");
}

}  // namespace

const nexus::endpoint* engine_core::endpoint_by_id(std::string_view id) const {
    auto it = endpoints_.find(std::string(id));
    return it == endpoints_.end() ? nullptr : &it->second;
}

const nexus::endpoint* engine_core::endpoint_by_name(std::string_view name) const {
    for (const auto& [id, e] : endpoints_)
        if (e.spec.name == name) return &e;
    return nullptr;
}

void engine_core::create_endpoint(nexus::endpoint_spec spec, bool ensure, callback<nexus::endpoint> cb) {
    if (auto e = unavailable()) return cb(e, {});
    post([this, spec = std::move(spec), ensure, cb = std::move(cb)]() mutable {
        if (auto e = unavailable()) return cb(e, {});
        nexus::endpoint created;
        try {
            validate_name(spec.name);
            if (const auto* existing = endpoint_by_name(spec.name)) {
                if (ensure && existing->spec == spec) {
                    write_unit unit;
                    unit.effects.emplace_back([cb = std::move(cb), ep = *existing](std::exception_ptr e) mutable { cb(e, ep); });
                    commit(std::move(unit));
                    return;
                }
                throw already_exists("Nexus endpoint with name " + spec.name + " already registered" +
                                     (ensure ? " with a different target or description" : ""));
            }
            namespace_id(spec.target_namespace);
            if (spec.target_task_queue.empty() || spec.target_task_queue.size() > 1000)
                throw invalid_argument("a Nexus endpoint's target task queue must be 1 to 1000 bytes");
            if (spec.description.size() > max_description_bytes)
                throw invalid_argument("a Nexus endpoint's description is limited to 20000 bytes");
            validate_rate(spec.max_operations_per_second);
            created = {new_uuid(), 1, std::move(spec), from_us(now_us()), {}};
        } catch (...) {
            return cb(std::current_exception(), {});
        }
        endpoints_.emplace(created.id, created);
        write_unit unit;
        unit.ops.emplace_back(upsert_endpoint{row_of(created)});
        unit.effects.emplace_back([cb = std::move(cb), created](std::exception_ptr e) mutable { cb(e, created); });
        commit(std::move(unit));
    });
}

void engine_core::update_endpoint(std::string name, nexus::endpoint_update change, callback<nexus::endpoint> cb) {
    if (auto e = unavailable()) return cb(e, {});
    post([this, name = std::move(name), change = std::move(change), cb = std::move(cb)]() mutable {
        if (auto e = unavailable()) return cb(e, {});
        nexus::endpoint updated;
        try {
            const auto* current = endpoint_by_name(name);
            if (!current) throw not_found("Nexus endpoint " + name + " does not exist");
            if (change.expected_version && *change.expected_version != current->version)
                throw failed_precondition("Nexus endpoint " + name + ": version mismatch (expected " +
                                          std::to_string(*change.expected_version) + ", it is at " +
                                          std::to_string(current->version) + "); describe it again and retry");
            updated = *current;
            if (change.name && *change.name != name) {
                validate_name(*change.name);
                if (endpoint_by_name(*change.name))
                    throw already_exists("Nexus endpoint with name " + *change.name + " already registered");
                updated.spec.name = *change.name;
            }
            if (change.target_namespace) {
                namespace_id(*change.target_namespace);
                updated.spec.target_namespace = *change.target_namespace;
            }
            if (change.target_task_queue) {
                if (change.target_task_queue->empty()) throw invalid_argument("a Nexus endpoint's target task queue must not be empty");
                updated.spec.target_task_queue = *change.target_task_queue;
            }
            if (change.description) {
                if (change.description->size() > max_description_bytes)
                    throw invalid_argument("a Nexus endpoint's description is limited to 20000 bytes");
                updated.spec.description = *change.description;
            }
            if (change.max_operations_per_second) {
                validate_rate(*change.max_operations_per_second);
                updated.spec.max_operations_per_second = *change.max_operations_per_second;
            }
            ++updated.version;
            updated.last_modified = from_us(now_us());
        } catch (...) {
            return cb(std::current_exception(), {});
        }
        endpoints_[updated.id] = updated;
        write_unit unit;
        unit.ops.emplace_back(upsert_endpoint{row_of(updated)});
        unit.effects.emplace_back([cb = std::move(cb), updated](std::exception_ptr e) mutable { cb(e, updated); });
        commit(std::move(unit));
        on_workers_changed();   // operations waiting for a target may route now
    });
}

void engine_core::remove_endpoint(std::string name, callback<bool> cb) {
    if (auto e = unavailable()) return cb(e, false);
    post([this, name = std::move(name), cb = std::move(cb)]() mutable {
        if (auto e = unavailable()) return cb(e, false);
        const auto* current = endpoint_by_name(name);
        if (!current) return cb(std::make_exception_ptr(not_found("Nexus endpoint " + name + " does not exist")), false);
        write_unit unit;
        unit.ops.emplace_back(delete_endpoint{current->id});
        endpoints_.erase(current->id);
        unit.effects.emplace_back([cb = std::move(cb)](std::exception_ptr e) mutable { cb(e, e == nullptr); });
        commit(std::move(unit));
    });
}

void engine_core::list_endpoints(callback<std::vector<nexus::endpoint>> cb) {
    if (auto e = unavailable()) return cb(e, {});
    post([this, cb = std::move(cb)]() mutable {
        std::vector<nexus::endpoint> out;
        for (const auto& [id, e] : endpoints_) out.push_back(e);
        std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.spec.name < b.spec.name; });
        write_unit unit;
        unit.effects.emplace_back([cb = std::move(cb), out = std::move(out)](std::exception_ptr e) mutable { cb(e, std::move(out)); });
        commit(std::move(unit));
    });
}

void engine_core::describe_endpoint(std::string name, callback<nexus::endpoint> cb) {
    if (auto e = unavailable()) return cb(e, {});
    post([this, name = std::move(name), cb = std::move(cb)]() mutable {
        const auto* e = endpoint_by_name(name);
        if (!e) return cb(std::make_exception_ptr(not_found("Nexus endpoint " + name + " does not exist")), {});
        write_unit unit;
        unit.effects.emplace_back([cb = std::move(cb), ep = *e](std::exception_ptr err) mutable { cb(err, ep); });
        commit(std::move(unit));
    });
}

void engine_core::endpoint_health(std::string name, std::string caller_ns, callback<nexus::endpoint_health> cb) {
    if (auto e = unavailable()) return cb(e, {});
    post([this, name = std::move(name), caller_ns = std::move(caller_ns), cb = std::move(cb)]() mutable {
        const auto* e = endpoint_by_name(name);
        if (!e) return cb(std::make_exception_ptr(not_found("Nexus endpoint " + name + " does not exist")), {});
        const std::int64_t now = now_us();
        nexus::endpoint_health h{"closed", 0, 0, {}};
        for (auto& [key, b] : breakers_) {
            if (key.second != e->id || (!caller_ns.empty() && namespace_name(key.first) != caller_ns)) continue;
            const auto st = b.current(now);
            if (st != circuit_breaker::state::closed || h.breaker == "closed") {
                h.breaker = st == circuit_breaker::state::open ? "open" : st == circuit_breaker::state::half_open ? "half-open" : "closed";
                if (st != circuit_breaker::state::closed) h.reopens_at = from_us(b.reopens_at_us());
            }
            h.consecutive_failures = std::max(h.consecutive_failures, b.consecutive_failures());
            h.in_flight += b.in_flight();
        }
        cb(nullptr, h);
    });
}

}  // namespace perdure::detail

namespace perdure::nexus {

using perdure::detail::wait_for;

endpoint endpoint_registry::create(endpoint_spec spec) {
    return wait_for<endpoint>(*core_, "nexus_endpoints().create",
                              [&](auto cb) { perdure::detail::async_create(*this, std::move(spec), false, std::move(cb)); });
}

endpoint endpoint_registry::ensure(endpoint_spec spec) {
    return wait_for<endpoint>(*core_, "nexus_endpoints().ensure",
                              [&](auto cb) { perdure::detail::async_create(*this, std::move(spec), true, std::move(cb)); });
}

std::vector<endpoint> endpoint_registry::list() {
    return wait_for<std::vector<endpoint>>(*core_, "nexus_endpoints().list",
                                           [&](auto cb) { perdure::detail::async_list(*this, std::move(cb)); });
}

endpoint endpoint_registry::describe(std::string_view name) {
    return wait_for<endpoint>(*core_, "nexus_endpoints().describe",
                              [&](auto cb) { perdure::detail::async_describe(*this, std::string(name), std::move(cb)); });
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

}  // namespace perdure::nexus
