// Type names for messages: the demangled name, spelled as a user writes it (std::string, not
// std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >).
#pragma once

#include <string>
#include <string_view>

namespace perdure::detail {

/// `demangled` without the standard library's inline namespaces (std::__cxx11::, std::__1::)
/// and ABI tags, its defaulted template arguments (allocators, char traits, std::less<K>,
/// std::hash<K>, std::equal_to<K>, std::default_delete<T>) and with the standard typedef names
/// (std::string, std::string_view, std::ostream, ...). A name it cannot parse comes back with
/// only the namespaces and tags removed.
std::string tidy_type_name(std::string_view demangled);

}   // namespace perdure::detail
