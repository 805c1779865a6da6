// Type names in messages: the spellings a user writes (std::string, std::vector<int>), not the
// standard library's inline namespaces and defaulted template arguments.
#include "codec/type_name.hpp"

#include <perdure/error.hpp>
#include <perdure/payload.hpp>

#include <boost/test/unit_test.hpp>

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

using perdure::detail::demangle;
using perdure::detail::tidy_type_name;

namespace {

struct order_line {};

}   // namespace

BOOST_AUTO_TEST_SUITE(type_names)

BOOST_AUTO_TEST_CASE(standard_strings_and_containers_print_as_written) {
    BOOST_TEST(demangle(typeid(std::string)) == "std::string");
    BOOST_TEST(demangle(typeid(std::wstring)) == "std::wstring");
    BOOST_TEST(demangle(typeid(std::string_view)) == "std::string_view");
    BOOST_TEST(demangle(typeid(std::vector<int>)) == "std::vector<int>");
    BOOST_TEST(demangle(typeid(std::vector<std::string>)) == "std::vector<std::string>");
    BOOST_TEST(demangle(typeid(std::map<std::string, std::vector<int>>)) == "std::map<std::string, std::vector<int>>");
    BOOST_TEST(demangle(typeid(std::unordered_map<std::string, double>)) == "std::unordered_map<std::string, double>");
    BOOST_TEST(demangle(typeid(std::set<long>)) == "std::set<long>");
    BOOST_TEST(demangle(typeid(std::optional<std::string>)) == "std::optional<std::string>");
    BOOST_TEST(demangle(typeid(std::unique_ptr<int>)) == "std::unique_ptr<int>");
    BOOST_TEST(demangle(typeid(std::pair<const std::string, int>)) == "std::pair<std::string const, int>");
}

BOOST_AUTO_TEST_CASE(user_types_and_arguments_that_are_not_defaults_are_kept) {
    BOOST_TEST(demangle(typeid(order_line)) == "(anonymous namespace)::order_line");
    BOOST_TEST(demangle(typeid(std::vector<order_line>)) == "std::vector<(anonymous namespace)::order_line>");
    BOOST_TEST(demangle(typeid(std::map<std::string, int, std::greater<std::string>>)) ==
               "std::map<std::string, int, std::greater<std::string>>");
    BOOST_TEST(demangle(typeid(std::set<int, std::less<>>)) == "std::set<int, std::less<void>>");
}

BOOST_AUTO_TEST_CASE(both_standard_libraries_spellings_are_tidied) {
    // libstdc++ (with its [abi:cxx11] tags) and libc++, as their demanglers print them.
    BOOST_TEST(tidy_type_name("std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >") ==
               "std::string");
    BOOST_TEST(
        tidy_type_name("std::__1::basic_string<char, std::__1::char_traits<char>, std::__1::allocator<char> >") ==
        "std::string");
    BOOST_TEST(tidy_type_name("std::__1::vector<std::__1::basic_string<char, std::__1::char_traits<char>, "
                              "std::__1::allocator<char> >, std::__1::allocator<std::__1::basic_string<char, "
                              "std::__1::char_traits<char>, std::__1::allocator<char> > > >") ==
               "std::vector<std::string>");
    BOOST_TEST(tidy_type_name("std::__cxx11::list<int, std::allocator<int> >") == "std::list<int>");
    BOOST_TEST(tidy_type_name("std::ios_base::failure[abi:cxx11]") == "std::ios_base::failure");
    BOOST_TEST(tidy_type_name("std::basic_ostream<char, std::char_traits<char> >") == "std::ostream");
}

BOOST_AUTO_TEST_CASE(a_name_it_cannot_parse_is_left_as_it_is) {
    BOOST_TEST(tidy_type_name("weird<unbalanced") == "weird<unbalanced");
    BOOST_TEST(tidy_type_name("") == "");
    BOOST_TEST(tidy_type_name("void (*)(int, std::__cxx11::basic_string<char, std::char_traits<char>, "
                              "std::allocator<char> >)") == "void (*)(int, std::string)");
}

BOOST_AUTO_TEST_CASE(a_payload_that_does_not_convert_names_its_type_as_written) {
    try {
        perdure::detail::from_payload<std::vector<std::string>>(boost::json::value(5));
        BOOST_FAIL("a number converted to a vector of strings");
    } catch (const perdure::payload_error& e) {
        const std::string message = e.what();
        BOOST_TEST(message.find("payload does not convert to std::vector<std::string>:") != std::string::npos, message);
        BOOST_TEST(message.find("basic_string") == std::string::npos, message);
    }
}

BOOST_AUTO_TEST_SUITE_END()
