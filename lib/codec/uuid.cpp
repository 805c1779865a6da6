#include "codec/uuid.hpp"

#include <ostream>

namespace perdure::detail {

std::string format_uuid(const std::array<unsigned char, 16>& bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(36);
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
        out += digits[bytes[i] >> 4];
        out += digits[bytes[i] & 0x0f];
    }
    return out;
}

bool parse_canonical_uuid(std::string_view text, std::array<unsigned char, 16>& bytes) noexcept {
    if (text.size() != 36) return false;
    auto nibble = [](char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1; };
    std::size_t at = 0;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            if (text[at++] != '-') return false;
        const int hi = nibble(text[at++]), lo = nibble(text[at++]);
        if (hi < 0 || lo < 0) return false;
        bytes[i] = static_cast<unsigned char>(hi << 4 | lo);
    }
    return true;
}

void compact_id::assign(std::string_view text) {
    text_.reset();
    uuid_ = {};
    // The nil UUID stays text: sixteen zero bytes mean "empty".
    if (std::array<unsigned char, 16> bytes; parse_canonical_uuid(text, bytes) && bytes != uuid_)
        uuid_ = bytes;
    else if (!text.empty())
        text_ = std::make_unique<std::string>(text);
}

std::ostream& operator<<(std::ostream& out, const compact_id& id) { return out << id.str(); }

std::string uuid_v4(std::uint64_t high, std::uint64_t low) {
    std::array<unsigned char, 16> bytes;
    for (int i = 0; i < 8; ++i) {
        bytes[i] = static_cast<unsigned char>(high >> (56 - 8 * i));
        bytes[8 + i] = static_cast<unsigned char>(low >> (56 - 8 * i));
    }
    bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0f) | 0x40);
    bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3f) | 0x80);
    return format_uuid(bytes);
}

}   // namespace perdure::detail
