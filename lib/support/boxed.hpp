// Values kept on the heap only while they are set. A run carries fields that most runs leave
// empty (a memo, search attributes, a retry policy, Nexus callers, parent and root ids), and a
// workflow parked for months should not pay their inline size: boxed, each costs one pointer.
#pragma once

#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

namespace perdure::detail {

/// A unique_ptr whose copies copy what it points to.
template <class T>
class deep_ptr {
public:
    deep_ptr() = default;
    explicit deep_ptr(T value) : p_(std::make_unique<T>(std::move(value))) {}
    deep_ptr(const deep_ptr& o) : p_(o.p_ ? std::make_unique<T>(*o.p_) : nullptr) {}
    deep_ptr(deep_ptr&&) noexcept = default;
    deep_ptr& operator=(const deep_ptr& o) {
        if (this != &o) p_ = o.p_ ? std::make_unique<T>(*o.p_) : nullptr;
        return *this;
    }
    deep_ptr& operator=(deep_ptr&&) noexcept = default;

    T* get() const noexcept { return p_.get(); }
    void reset() noexcept { p_.reset(); }

private:
    std::unique_ptr<T> p_;
};

/// A value that reads as its default (T{}) until it is set to something else.
template <class T>
class boxed {
public:
    boxed() = default;
    boxed(T value) { *this = std::move(value); }   // implicit: a boxed field is assigned like its value
    boxed& operator=(T value) {
        if (value == T{})
            value_.reset();
        else if (auto* v = value_.get())
            *v = std::move(value);
        else
            value_ = deep_ptr<T>(std::move(value));
        return *this;
    }

    const T& get() const noexcept { return value_.get() ? *value_.get() : empty(); }
    operator const T&() const noexcept { return get(); }
    const T& operator*() const noexcept { return get(); }
    const T* operator->() const noexcept { return &get(); }
    /// The value to change in place, allocated on first use.
    T& edit() {
        if (!value_.get()) value_ = deep_ptr<T>(T{});
        return *value_.get();
    }

    bool operator==(const boxed& o) const { return get() == o.get(); }

private:
    static const T& empty() noexcept {
        static const T value{};
        return value;
    }
    deep_ptr<T> value_;
};

/// An optional value on the heap while it is set, read as a std::optional is.
template <class T>
class boxed_optional {
public:
    boxed_optional() = default;
    boxed_optional(std::optional<T> value) {
        if (value) value_ = deep_ptr<T>(std::move(*value));
    }
    boxed_optional(T value) : value_(std::move(value)) {}

    explicit operator bool() const noexcept { return value_.get() != nullptr; }
    const T& operator*() const noexcept { return *value_.get(); }
    const T* operator->() const noexcept { return value_.get(); }

    bool operator==(const boxed_optional& o) const {
        return value_.get() && o.value_.get() ? *value_.get() == *o.value_.get() : value_.get() == o.value_.get();
    }

private:
    deep_ptr<T> value_;
};

/// A value that is always there but lives on the heap: a large member of one alternative of a
/// variant (a store's write operations) would otherwise make every alternative as large.
template <class T>
class heap_value {
public:
    /// Implicit: a heap_value is built from whatever builds the value it holds.
    template <class U>
    requires(!std::is_same_v<std::remove_cvref_t<U>, heap_value> && std::is_constructible_v<T, U&&>)
        heap_value(U&& value)
        : value_(T(std::forward<U>(value))) {}
    heap_value() : heap_value(T{}) {}

    const T& operator*() const noexcept { return *value_.get(); }
    T& operator*() noexcept { return *value_.get(); }
    const T* operator->() const noexcept { return value_.get(); }
    T* operator->() noexcept { return value_.get(); }

private:
    deep_ptr<T> value_;   // null only once moved from
};

}   // namespace perdure::detail
