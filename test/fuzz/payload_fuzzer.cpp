// Fuzz target: payload decoding (detail::from_payload<T>), the conversion every activity
// result, signal, update and workflow input goes through. Each JSON input is decoded as each of
// the types below; a payload that does not fit must be a payload_error naming the type and the
// field, and a payload that decodes must encode and decode again to an equal value.
#include "oracle.hpp"

#include <perdure/error.hpp>
#include <perdure/payload.hpp>

#include <boost/describe/enum.hpp>
#include <boost/json/parse.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <variant>
#include <vector>

namespace fuzzed {

enum class tier { free, pro, enterprise };
BOOST_DESCRIBE_ENUM(tier, free, pro, enterprise)

struct address {
    std::string city;
    std::optional<std::string> zip;
    bool operator==(const address&) const = default;
};
BOOST_DESCRIBE_STRUCT(address, (), (city, zip))

struct customer {
    std::string name;
    int age = 0;
    double balance = 0;
    bool active = false;
    tier level = tier::free;
    address home;
    std::vector<address> others;
    std::optional<address> billing;
    std::map<std::string, std::vector<int>> tags;
    bool operator==(const customer&) const = default;
};
BOOST_DESCRIBE_STRUCT(customer, (), (name, age, balance, active, level, home, others, billing, tags))

}   // namespace fuzzed

namespace {

template <class T>
void decode(const boost::json::value& v) {
    using perdure::detail::from_payload;
    using perdure::detail::to_payload;
    std::optional<T> first;
    try {
        first = from_payload<T>(v);
    } catch (const perdure::payload_error&) {
        return;   // the documented answer to a payload of another shape
    } catch (...) {
        perdure::fuzz::unexpected_exception("payload");
    }
    try {
        const auto again = from_payload<T>(to_payload<T>(*first));
        perdure::fuzz::check(again == *first, "payload", "a decoded payload encodes and decodes to another value");
    } catch (...) {
        perdure::fuzz::unexpected_exception("payload (re-decoding a decoded value)");
    }
}

}   // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    boost::json::parse_options options;
    options.max_depth = 128;
    boost::system::error_code ec;
    const auto v = boost::json::parse(std::string_view(reinterpret_cast<const char*>(data), size), ec, {}, options);
    if (ec) return 0;
    decode<int>(v);
    decode<std::int64_t>(v);
    decode<std::uint32_t>(v);
    decode<double>(v);
    decode<bool>(v);
    decode<std::string>(v);
    decode<std::vector<int>>(v);
    decode<std::vector<std::string>>(v);
    decode<std::vector<std::vector<double>>>(v);
    decode<std::optional<int>>(v);
    decode<std::optional<std::string>>(v);
    decode<std::map<std::string, int>>(v);
    decode<std::map<std::string, std::optional<std::string>>>(v);
    decode<std::pair<std::string, int>>(v);
    decode<std::tuple<int, bool, std::string>>(v);
    decode<std::variant<int, std::string>>(v);
    decode<fuzzed::tier>(v);
    decode<fuzzed::address>(v);
    decode<fuzzed::customer>(v);
    decode<std::vector<fuzzed::customer>>(v);
    decode<std::map<std::string, fuzzed::address>>(v);
    decode<std::optional<fuzzed::customer>>(v);
    return 0;
}
