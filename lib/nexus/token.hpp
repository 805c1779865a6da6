// Operation tokens as Temporal encodes them for workflow-run operations:
// base64url (no padding) of {"t":1,"ns":"<namespace>","wid":"<workflow id>"}. No run id, so a
// token survives continue-as-new and retries.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace perdure::detail {

struct workflow_run_token {
    std::string ns, workflow_id;
};

std::string encode_token(const workflow_run_token&);
/// nullopt for anything that is not a valid workflow-run token.
std::optional<workflow_run_token> decode_token(std::string_view);

std::string base64url_encode(std::string_view);
std::optional<std::string> base64url_decode(std::string_view);

}   // namespace perdure::detail
