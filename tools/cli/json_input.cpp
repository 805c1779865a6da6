// Reading JSON from a flag, with the same checks as payloads get in the library.
#include "json_input.hpp"

#include "codec/json_parse.hpp"

#include <perdure/payload.hpp>

namespace perdure::cli {

boost::json::value json_flag(const invocation& inv, const char* flag) {
    if (!inv.has(flag)) return {};
    boost::system::error_code ec;
    auto value = detail::parse_json(inv.value(flag), ec);
    if (ec)
        throw cli_error(exit_code::user_error, std::string("--") + flag + " is not JSON (" + ec.message() +
                                                   "); quote strings: --" + flag + " '\"text\"'");
    if (detail::non_finite_number_at(value))
        throw cli_error(exit_code::user_error, std::string("--") + flag +
                                                   " holds a number whose exponent is out of a double's range; "
                                                   "pass it as a string");
    return value;
}

}   // namespace perdure::cli
