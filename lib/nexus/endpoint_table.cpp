// The endpoint table and its validation rules.
#include "nexus/endpoint_table.hpp"

#include <perdure/error.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>

namespace perdure::detail {
namespace {

constexpr std::size_t max_endpoint_name = 200;
constexpr std::size_t max_task_queue_bytes = 1000;
constexpr std::size_t max_description_bytes = 20'000;

void validate_name(const std::string& name) {
    const auto alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
    const bool ok = name.size() >= 2 && name.size() <= max_endpoint_name &&
                    std::isalpha(static_cast<unsigned char>(name.front())) && alnum(name.back()) &&
                    std::all_of(name.begin(), name.end(), [&](char c) { return alnum(c) || c == '-'; });
    if (!ok)
        throw invalid_argument("invalid Nexus endpoint name '" + name +
                               "': it must match ^[a-zA-Z][a-zA-Z0-9-]*[a-zA-Z0-9]$ and be at most 200 characters");
}

void validate_description(const std::string& description) {
    if (description.size() > max_description_bytes)
        throw invalid_argument("a Nexus endpoint's description is limited to 20000 bytes");
}

/// Temporal refuses an empty target namespace as an invalid argument; one that does not exist
/// is `require_namespace`'s to refuse.
void validate_target_namespace(const std::string& ns, const endpoint_table::namespace_check& require_namespace) {
    if (ns.empty()) throw invalid_argument("a Nexus endpoint needs a target namespace");
    require_namespace(ns);
}

void validate_target_task_queue(const std::string& queue) {
    if (queue.empty() || queue.size() > max_task_queue_bytes)
        throw invalid_argument("a Nexus endpoint's target task queue must be 1 to 1000 bytes");
}

void validate_rate(double per_second) {
    if (!std::isfinite(per_second) || per_second < 0)
        throw invalid_argument(
            "a Nexus endpoint's max_operations_per_second must be 0 (no limit) or a positive number");
}

}   // namespace

const nexus::endpoint* endpoint_table::by_id(std::string_view id) const {
    auto it = by_id_.find(id);
    return it == by_id_.end() ? nullptr : &it->second;
}

const nexus::endpoint* endpoint_table::by_name(std::string_view name) const {
    auto it = id_by_name_.find(name);
    return it == id_by_name_.end() ? nullptr : by_id(it->second);
}

std::vector<nexus::endpoint> endpoint_table::list() const {
    std::vector<nexus::endpoint> out;
    out.reserve(by_id_.size());
    for (const auto& [name, id] : id_by_name_) out.push_back(by_id_.at(id));
    return out;
}

const nexus::endpoint* endpoint_table::check_create(const nexus::endpoint_spec& spec, bool ensure,
                                                    const namespace_check& require_namespace) const {
    validate_name(spec.name);
    if (const auto* existing = by_name(spec.name)) {
        if (ensure && existing->spec == spec) return existing;
        throw already_exists("Nexus endpoint with name " + spec.name + " already registered" +
                             (ensure ? " with a different target or description" : ""));
    }
    validate_target_namespace(spec.target_namespace, require_namespace);
    validate_target_task_queue(spec.target_task_queue);
    validate_description(spec.description);
    validate_rate(spec.max_operations_per_second);
    return nullptr;
}

nexus::endpoint endpoint_table::changed(std::string_view name, const nexus::endpoint_update& change,
                                        const namespace_check& require_namespace,
                                        std::chrono::system_clock::time_point now) const {
    const auto* current = by_name(name);
    if (!current) throw not_found("Nexus endpoint " + std::string(name) + " does not exist");
    if (change.expected_version && *change.expected_version != current->version)
        throw failed_precondition("Nexus endpoint " + std::string(name) + ": version mismatch (expected " +
                                  std::to_string(*change.expected_version) + ", it is at " +
                                  std::to_string(current->version) + "); describe it again and retry");
    nexus::endpoint updated = *current;
    if (change.name && *change.name != name) {
        validate_name(*change.name);
        if (by_name(*change.name))
            throw already_exists("Nexus endpoint with name " + *change.name + " already registered");
        updated.spec.name = *change.name;
    }
    if (change.target_namespace) {
        validate_target_namespace(*change.target_namespace, require_namespace);
        updated.spec.target_namespace = *change.target_namespace;
    }
    if (change.target_task_queue) {
        validate_target_task_queue(*change.target_task_queue);
        updated.spec.target_task_queue = *change.target_task_queue;
    }
    if (change.description) {
        validate_description(*change.description);
        updated.spec.description = *change.description;
    }
    if (change.max_operations_per_second) {
        validate_rate(*change.max_operations_per_second);
        updated.spec.max_operations_per_second = *change.max_operations_per_second;
    }
    ++updated.version;
    updated.last_modified = now;
    return updated;
}

const nexus::endpoint& endpoint_table::put(nexus::endpoint e) {
    auto it = by_id_.find(e.id);
    if (it != by_id_.end() && it->second.spec.name != e.spec.name) id_by_name_.erase(it->second.spec.name);
    id_by_name_.insert_or_assign(e.spec.name, e.id);
    if (it == by_id_.end()) return by_id_.emplace(e.id, std::move(e)).first->second;
    it->second = std::move(e);
    return it->second;
}

void endpoint_table::erase(std::string_view id) {
    auto it = by_id_.find(id);
    if (it == by_id_.end()) return;
    id_by_name_.erase(it->second.spec.name);
    by_id_.erase(it);
}

}   // namespace perdure::detail
