// The Nexus endpoint registry in memory: endpoints by id (what operations hold) and by name
// (what workflows schedule with), and the rules a new or changed endpoint must meet, as
// Temporal validates them. Storage stays outside: the runtime turns endpoints into store rows.
#pragma once

#include <perdure/nexus.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace perdure::detail {

class endpoint_table {
public:
    /// Throws not_found when the namespace does not exist (the table keeps no namespaces).
    using namespace_check = std::function<void(const std::string& ns)>;

    const nexus::endpoint* by_id(std::string_view id) const;
    const nexus::endpoint* by_name(std::string_view name) const;
    /// Every endpoint, ordered by name.
    std::vector<nexus::endpoint> list() const;

    /// Checks that `spec` can be created. Returns the existing endpoint when `ensure` finds an
    /// identical one (nothing to create), else null. Throws already_exists, invalid_argument,
    /// or what `require_namespace` throws.
    const nexus::endpoint* check_create(const nexus::endpoint_spec& spec, bool ensure,
                                        const namespace_check& require_namespace) const;
    /// The endpoint named `name` with `change` applied and its version bumped, not yet stored.
    /// Throws not_found, failed_precondition (version mismatch), already_exists,
    /// invalid_argument, or what `require_namespace` throws.
    nexus::endpoint changed(std::string_view name, const nexus::endpoint_update& change,
                            const namespace_check& require_namespace, std::chrono::system_clock::time_point now) const;

    /// Stores a created, changed or restored endpoint (by id; a rename moves its name).
    const nexus::endpoint& put(nexus::endpoint e);
    void erase(std::string_view id);

private:
    std::map<std::string, nexus::endpoint, std::less<>> by_id_;
    std::map<std::string, std::string, std::less<>> id_by_name_;
};

}   // namespace perdure::detail
