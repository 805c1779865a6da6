// UUIDs as text: the engine's random run and request ids, and a workflow's deterministic
// ctx.uuid(), both version 4 in the canonical 8-4-4-4-12 form.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace perdure::detail {

/// The canonical text of 16 bytes (version and variant bits as given).
std::string format_uuid(const std::array<unsigned char, 16>& bytes);

/// A version 4 UUID from 128 random bits, most significant byte first.
std::string uuid_v4(std::uint64_t high, std::uint64_t low);

}   // namespace perdure::detail
