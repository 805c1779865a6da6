// Whether a type is a payload, decided before any conversion is instantiated, so a type
// Boost.JSON cannot convert fails with one static_assert that says what to do instead of a
// page of Boost.JSON's template errors.
#pragma once

#include <boost/describe/members.hpp>
#include <boost/describe/modifiers.hpp>
#include <boost/json/conversion.hpp>
#include <boost/json/fwd.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>
#include <boost/mp11/algorithm.hpp>
#include <boost/mp11/list.hpp>

#include <iterator>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>

namespace perdure::detail {

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};
template <class T>
struct is_variant : std::false_type {};
template <class... T>
struct is_variant<std::variant<T...>> : std::true_type {};

/// A tag_invoke overload of the type's own: its author vouches for the conversion.
template <class T>
concept has_tag_invoke_from = requires(boost::json::value& v, const T& t) {
    tag_invoke(boost::json::value_from_tag{}, v, t);
};
template <class T>
concept has_tag_invoke_to = requires(const boost::json::value& v) {
    tag_invoke(boost::json::value_to_tag<T>{}, v);
}
|| requires(const boost::json::value& v) { tag_invoke(boost::json::try_value_to_tag<T>{}, v); };

template <class T, bool ToJson, class Seen>
constexpr bool converts_payload();

template <bool ToJson, class Seen, class Owner, template <class...> class List, class... Members>
constexpr bool members_convert(List<Members...>) {
    return (converts_payload<decltype(std::declval<Owner&>().*Members::pointer), ToJson, Seen>() && ...);
}

template <bool ToJson, class Seen, class... T>
constexpr bool all_convert(boost::mp11::mp_list<T...>) {
    return (converts_payload<T, ToJson, Seen>() && ...);
}

template <class T, std::size_t... I>
boost::mp11::mp_list<std::tuple_element_t<I, T>...> tuple_elements(std::index_sequence<I...>);

/// True when `T` converts to JSON (ToJson) or from it, the way to_payload and from_payload
/// convert it, down to the types it holds: optionals, variants, containers, tuples and the
/// members of described structs. `Seen` stops the descent at a type that contains itself.
template <class T, bool ToJson, class Seen = boost::mp11::mp_list<>>
constexpr bool converts_payload() {
    using U = std::remove_cvref_t<T>;
    using inner = boost::mp11::mp_push_back<Seen, U>;
    namespace json = boost::json;
    if constexpr (std::is_void_v<U> || std::is_same_v<U, json::value> || boost::mp11::mp_contains<Seen, U>::value) {
        return true;
    } else if constexpr (is_optional<U>::value) {
        return converts_payload<typename U::value_type, ToJson, inner>();
    } else if constexpr (is_variant<U>::value) {
        return all_convert<ToJson, inner>(boost::mp11::mp_rename<U, boost::mp11::mp_list>{});
    } else if constexpr (ToJson ? has_tag_invoke_from<U> : has_tag_invoke_to<U>) {
        return true;
    } else if constexpr (!ToJson && boost::describe::has_describe_members<U>::value) {
        // from_payload decodes described structs itself, public member by public member.
        return std::is_default_constructible_v<U> &&
               members_convert<ToJson, inner, U>(boost::describe::describe_members<U, boost::describe::mod_public>{});
    } else if constexpr (ToJson && json::is_described_class<U>::value) {
        return members_convert<ToJson, inner, U>(boost::describe::describe_members<U, boost::describe::mod_public>{});
    } else if constexpr (!(ToJson ? json::has_value_from<U>::value : json::has_value_to<U>::value)) {
        return false;
    } else if constexpr (std::is_same_v<U, json::array> || std::is_same_v<U, json::object> ||
                         std::is_same_v<U, json::string> || json::is_string_like<U>::value) {
        return true;
    } else if constexpr (json::is_sequence_like<U>::value) {   // a map's elements are key-value pairs
        using element = typename std::iterator_traits<decltype(std::begin(std::declval<U&>()))>::value_type;
        return converts_payload<element, ToJson, inner>();
    } else if constexpr (json::is_tuple_like<U>::value) {
        return all_convert<ToJson, inner>(
            decltype(tuple_elements<U>(std::make_index_sequence<std::tuple_size_v<U>>{})){});
    } else {
        return true;   // scalars, null-like types, described enums
    }
}

/// Fails the build with the remedy when `T` is not a payload in that direction.
template <class T, bool ToJson>
constexpr void check_payload() {
    static_assert(converts_payload<T, ToJson>(),
                  "perdure payloads convert through Boost.JSON, and this type (or a type it holds) does not: "
                  "describe it with BOOST_DESCRIBE_STRUCT(type, (), (members...)) from <boost/describe.hpp>, "
                  "or give it tag_invoke overloads for boost::json::value_from_tag and value_to_tag");
}

}   // namespace perdure::detail
