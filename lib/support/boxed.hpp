// A value kept on the heap only while it differs from its default. A run carries fields that
// most runs leave empty (a memo, search attributes, a retry policy, Nexus callers, parent and
// root ids), and a workflow parked for months should not pay their inline size.
#pragma once

#include <memory>
#include <optional>
#include <utility>

namespace perdure::detail {

template <class T>
class boxed {
public:
    boxed() = default;
    boxed(T value) { *this = std::move(value); }   // implicit: a boxed field is assigned like its value
    boxed(const boxed& o) : value_(o.value_ ? std::make_unique<T>(*o.value_) : nullptr) {}
    boxed(boxed&&) noexcept = default;
    boxed& operator=(const boxed& o) {
        if (this != &o) value_ = o.value_ ? std::make_unique<T>(*o.value_) : nullptr;
        return *this;
    }
    boxed& operator=(boxed&&) noexcept = default;
    boxed& operator=(T value) {
        if (value == T{})
            value_.reset();
        else if (value_)
            *value_ = std::move(value);
        else
            value_ = std::make_unique<T>(std::move(value));
        return *this;
    }

    const T& get() const noexcept { return value_ ? *value_ : empty(); }
    operator const T&() const noexcept { return get(); }
    const T& operator*() const noexcept { return get(); }
    const T* operator->() const noexcept { return &get(); }
    /// The value to change in place, allocated on first use.
    T& edit() {
        if (!value_) value_ = std::make_unique<T>();
        return *value_;
    }

    bool operator==(const boxed& o) const { return get() == o.get(); }

private:
    static const T& empty() noexcept {
        static const T value{};
        return value;
    }
    std::unique_ptr<T> value_;
};

/// An optional value kept on the heap while it is set: std::optional's interface for reading.
template <class T>
class boxed_optional {
public:
    boxed_optional() = default;
    boxed_optional(std::optional<T> value) : value_(value ? std::make_unique<T>(std::move(*value)) : nullptr) {}
    boxed_optional(T value) : value_(std::make_unique<T>(std::move(value))) {}
    boxed_optional(const boxed_optional& o) : value_(o.value_ ? std::make_unique<T>(*o.value_) : nullptr) {}
    boxed_optional(boxed_optional&&) noexcept = default;
    boxed_optional& operator=(const boxed_optional& o) {
        if (this != &o) value_ = o.value_ ? std::make_unique<T>(*o.value_) : nullptr;
        return *this;
    }
    boxed_optional& operator=(boxed_optional&&) noexcept = default;

    explicit operator bool() const noexcept { return value_ != nullptr; }
    const T& operator*() const noexcept { return *value_; }
    const T* operator->() const noexcept { return value_.get(); }

    bool operator==(const boxed_optional& o) const {
        return value_ && o.value_ ? *value_ == *o.value_ : value_ == o.value_;
    }

private:
    std::unique_ptr<T> value_;
};

}   // namespace perdure::detail
