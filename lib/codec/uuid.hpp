// UUIDs as text: the engine's random run and request ids, and a workflow's deterministic
// ctx.uuid(), both version 4 in the canonical 8-4-4-4-12 form.
#pragma once

#include <array>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>

namespace perdure::detail {

/// The canonical text of 16 bytes (version and variant bits as given).
std::string format_uuid(const std::array<unsigned char, 16>& bytes);

/// A version 4 UUID from 128 random bits, most significant byte first.
std::string uuid_v4(std::uint64_t high, std::uint64_t low);

/// The 16 bytes of `text` when it is exactly what format_uuid() makes of them (lowercase,
/// 8-4-4-4-12); false for anything else, which then has no other reading.
bool parse_canonical_uuid(std::string_view text, std::array<unsigned char, 16>& bytes) noexcept;

/// An id held in 24 bytes: a canonical UUID, as perdure generates for runs and requests, as its
/// 16 bytes; any other text (a caller's own request id) on the heap. It reads back exactly as
/// given. A run parked for months keeps its ids, and as strings each cost 32 bytes and a heap
/// block of 48.
class compact_id {
public:
    compact_id() noexcept = default;
    compact_id(std::string_view text) { assign(text); }   // implicit: set like the string it holds
    compact_id(const std::string& text) { assign(text); }
    compact_id(const char* text) { assign(text); }
    compact_id(const compact_id& o)
        : uuid_(o.uuid_), text_(o.text_ ? std::make_unique<std::string>(*o.text_) : nullptr) {}
    compact_id(compact_id&&) noexcept = default;
    compact_id& operator=(const compact_id& o) {
        if (this != &o) *this = compact_id(o);
        return *this;
    }
    compact_id& operator=(compact_id&&) noexcept = default;

    bool empty() const noexcept { return !text_ && uuid_ == std::array<unsigned char, 16>{}; }
    std::string str() const { return text_ ? *text_ : empty() ? std::string() : format_uuid(uuid_); }

    bool operator==(const compact_id& o) const noexcept {
        return uuid_ == o.uuid_ && (text_ ? o.text_ && *text_ == *o.text_ : !o.text_);
    }
    bool operator==(std::string_view text) const noexcept {
        if (text_) return *text_ == text;
        if (empty()) return text.empty();
        std::array<unsigned char, 16> bytes;
        return parse_canonical_uuid(text, bytes) && bytes == uuid_;
    }
    bool operator==(const std::string& text) const noexcept { return *this == std::string_view(text); }
    bool operator==(const char* text) const noexcept { return *this == std::string_view(text); }

private:
    void assign(std::string_view text);

    std::array<unsigned char, 16> uuid_{};   // all zero: empty, or the id is in text_
    std::unique_ptr<std::string> text_;      // an id that is not a canonical UUID
};

/// Writes the id's text (for messages and test output).
std::ostream& operator<<(std::ostream&, const compact_id&);

}   // namespace perdure::detail
