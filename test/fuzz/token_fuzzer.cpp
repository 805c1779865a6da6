// Fuzz target: Nexus workflow-run operation tokens (what a caller hands back to cancel an
// operation). decode_token must refuse anything malformed with nullopt, and whatever it accepts
// must re-encode to a token that decodes to the same value; base64url must round-trip. Ids a
// caller hands in (request ids) must read back as given from their compact form.
#include "oracle.hpp"

#include "codec/uuid.hpp"
#include "nexus/token.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace perdure::detail;
    using perdure::fuzz::check;
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    try {
        if (const auto token = decode_token(input)) {
            check(!token->ns.empty() && !token->workflow_id.empty(), "token", "a decoded token has an empty field");
            const auto again = decode_token(encode_token(*token));
            check(again.has_value(), "token", "a decoded token re-encodes to one that does not decode");
            check(again->ns == token->ns && again->workflow_id == token->workflow_id, "token",
                  "a decoded token re-encodes to one that decodes to another value");
        }
        const compact_id id = input;
        check(id.str() == input && id == input && id == compact_id(id.str()), "token",
              "an id does not read back as given from its compact form");
        // The raw bytes as a token's contents: encoding then decoding gives them back.
        const auto decoded = base64url_decode(base64url_encode(input));
        check(decoded && *decoded == input, "token", "base64url_decode(base64url_encode(x)) != x");
        if (const auto raw = base64url_decode(input)) {
            const auto again = base64url_decode(base64url_encode(*raw));
            check(again && *again == *raw, "token", "base64url does not round-trip a decoded value");
        }
    } catch (...) {
        perdure::fuzz::unexpected_exception("token");   // decode_token documents no exception at all
    }
    return 0;
}
