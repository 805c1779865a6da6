#include "codec/json_parse.hpp"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/value_stack.hpp>
#include <boost/system/system_error.hpp>

#include <charconv>
#include <string>

namespace perdure::detail {
namespace {

namespace json = boost::json;

/// The handler Boost's own parser uses, but for doubles.
struct exact_handler {
    static constexpr std::size_t max_object_size = json::object::max_size();
    static constexpr std::size_t max_array_size = json::array::max_size();
    static constexpr std::size_t max_key_size = json::string::max_size();
    static constexpr std::size_t max_string_size = json::string::max_size();

    json::value_stack st;
    std::string number;   // a number's earlier parts, when the parser hands it over in pieces

    /// `temp`: where the value is built before it is moved into its own storage, as Boost's parse
    /// does on the stack (so that a small document costs no allocation for it).
    exact_handler(unsigned char* temp, std::size_t size) : st(json::storage_ptr(), temp, size) {}

    bool on_document_begin(json::error_code&) { return true; }
    bool on_document_end(json::error_code&) { return true; }
    bool on_object_begin(json::error_code&) { return true; }
    bool on_object_end(std::size_t n, json::error_code&) {
        st.push_object(n);
        return true;
    }
    bool on_array_begin(json::error_code&) { return true; }
    bool on_array_end(std::size_t n, json::error_code&) {
        st.push_array(n);
        return true;
    }
    bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
        st.push_chars(s);
        return true;
    }
    bool on_key(json::string_view s, std::size_t, json::error_code&) {
        st.push_key(s);
        return true;
    }
    bool on_string_part(json::string_view s, std::size_t, json::error_code&) {
        st.push_chars(s);
        return true;
    }
    bool on_string(json::string_view s, std::size_t, json::error_code&) {
        st.push_string(s);
        return true;
    }
    bool on_number_part(json::string_view s, json::error_code&) {
        number.append(s.data(), s.size());
        return true;
    }
    bool on_int64(std::int64_t i, json::string_view, json::error_code&) {
        number.clear();
        st.push_int64(i);
        return true;
    }
    bool on_uint64(std::uint64_t u, json::string_view, json::error_code&) {
        number.clear();
        st.push_uint64(u);
        return true;
    }
    bool on_double(double d, json::string_view s, json::error_code&) {
        std::string_view text(s.data(), s.size());
        if (!number.empty()) text = number.append(s.data(), s.size());
        double exact = 0;
        const auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), exact);
        // Out of a double's range, from_chars refuses and Boost's value (infinity) stands.
        st.push_double(err == std::errc{} && end == text.data() + text.size() ? exact : d);
        number.clear();
        return true;
    }
    bool on_bool(bool b, json::error_code&) {
        st.push_bool(b);
        return true;
    }
    bool on_null(json::error_code&) {
        st.push_null();
        return true;
    }
    bool on_comment_part(json::string_view, json::error_code&) { return true; }
    bool on_comment(json::string_view, json::error_code&) { return true; }
};

}   // namespace

json::value parse_json(std::string_view text, boost::system::error_code& ec) {
    unsigned char temp[BOOST_JSON_STACK_BUFFER_SIZE];
    json::basic_parser<exact_handler> p{json::parse_options{}, temp, sizeof temp};
    p.handler().st.reset();
    const auto n = p.write_some(false, text.data(), text.size(), ec);
    if (!ec && n < text.size()) ec = json::error::extra_data;
    if (ec) return nullptr;
    return p.handler().st.release();
}

json::value parse_json(std::string_view text) {
    boost::system::error_code ec;
    auto v = parse_json(text, ec);
    if (ec) throw boost::system::system_error(ec);
    return v;
}

}   // namespace perdure::detail
