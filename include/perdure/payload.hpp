// Payload conversion: any type Boost.JSON converts both ways is a payload. Conversion errors
// become payload_error naming the C++ type and, for described structs, the field; a type that
// cannot convert at all is refused at compile time by one static_assert (detail/payload_check.hpp).
#pragma once

#include <perdure/detail/payload_check.hpp>

#include <boost/describe/class.hpp>
#include <boost/describe/members.hpp>
#include <boost/describe/modifiers.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>
#include <boost/mp11/algorithm.hpp>

#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeinfo>

namespace perdure::detail {

/// The demangled name of a type for messages, spelled as a user writes it (std::string,
/// std::vector<int>; no inline namespaces or defaulted template arguments).
std::string demangle(const std::type_info&);

[[noreturn]] void throw_payload_error(const std::type_info& type, std::string_view path, std::string_view problem);

/// Where `v` holds a number JSON cannot carry (NaN or an infinity: stored, it would not read
/// back), as a path like ".items[2]" ("" for `v` itself); nullopt when every number is finite.
std::optional<std::string> non_finite_number_at(const boost::json::value& v);

/// Refuses a payload holding NaN or an infinity, as a payload_error naming T and the place.
template <class T>
void check_finite(const boost::json::value& v) {
    if (auto at = non_finite_number_at(v))
        throw_payload_error(typeid(T), *at, "NaN and infinities are not JSON numbers and cannot be stored");
}

template <class T>
T from_payload_at(const boost::json::value& v, std::string& path);

template <class T>
T described_from_payload(const boost::json::value& v, std::string& path) {
    if (!v.is_object()) throw_payload_error(typeid(T), path, "expected a JSON object");
    const auto& obj = v.get_object();
    T out{};
    using members = boost::describe::describe_members<T, boost::describe::mod_public>;
    boost::mp11::mp_for_each<members>([&](auto d) {
        using member_t = std::remove_cvref_t<decltype(out.*d.pointer)>;
        const auto size = path.size();
        path += '.';
        path += d.name;
        if (const auto* field = obj.if_contains(d.name)) {
            out.*d.pointer = from_payload_at<member_t>(*field, path);
        } else if constexpr (!is_optional<member_t>::value) {
            throw_payload_error(typeid(T), path, "missing field");
        }
        path.resize(size);
    });
    return out;
}

template <class T>
T from_payload_at(const boost::json::value& v, std::string& path) {
    if constexpr (std::is_same_v<T, boost::json::value>) {
        return v;
    } else if constexpr (boost::describe::has_describe_members<T>::value) {
        return described_from_payload<T>(v, path);
    } else {
        auto r = boost::json::try_value_to<T>(v);
        if (!r) throw_payload_error(typeid(T), path, r.error().message());
        return std::move(*r);
    }
}

/// Converts a payload to T; throws payload_error naming T and the offending field. A T that
/// cannot convert fails the build with check_payload's message, and nothing else.
template <class T>
T from_payload(const boost::json::value& v) {
    check_payload<T, false>();
    if constexpr (std::is_void_v<T>) {
        return;
    } else if constexpr (converts_payload<T, false>()) {
        check_finite<T>(v);
        std::string path;
        return from_payload_at<T>(v, path);
    } else {
        std::terminate();   // never built: the static_assert has failed
    }
}

/// Converts T to a payload; throws payload_error naming T when the conversion throws. A T that
/// cannot convert fails the build with check_payload's message, and nothing else.
template <class T>
boost::json::value to_payload(const T& v) {
    check_payload<T, true>();
    if constexpr (converts_payload<T, true>()) {
        boost::json::value out;
        try {
            out = boost::json::value_from(v);
        } catch (const std::exception& e) {
            throw_payload_error(typeid(T), {}, e.what());
        }
        check_finite<T>(out);
        return out;
    } else {
        std::terminate();   // never built: the static_assert has failed
    }
}

}   // namespace perdure::detail
