// A vector that is one null pointer while it is empty. A run holds the events it has not
// recorded yet, and a run parked for months has none: it should not pay a vector's three words
// for them.
#pragma once

#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

namespace perdure::detail {

template <class T>
class lazy_vector {
public:
    bool empty() const noexcept { return !v_ || v_->empty(); }
    std::size_t size() const noexcept { return v_ ? v_->size() : 0; }
    void push_back(T value) { edit().push_back(std::move(value)); }
    T& back() { return v_->back(); }
    T& operator[](std::size_t i) { return (*v_)[i]; }
    const T& operator[](std::size_t i) const { return (*v_)[i]; }
    T* begin() noexcept { return v_ ? v_->data() : nullptr; }
    T* end() noexcept { return begin() + size(); }
    const T* begin() const noexcept { return v_ ? v_->data() : nullptr; }
    const T* end() const noexcept { return begin() + size(); }
    /// Empties it and gives its memory back.
    void clear() noexcept { v_.reset(); }
    /// The elements, taken out: it is empty afterwards.
    std::vector<T> take() {
        std::vector<T> out;
        if (v_) out = std::move(*v_), v_.reset();
        return out;
    }
    lazy_vector& operator=(std::vector<T> values) {
        if (values.empty())
            v_.reset();
        else
            edit() = std::move(values);
        return *this;
    }

private:
    std::vector<T>& edit() {
        if (!v_) v_ = std::make_unique<std::vector<T>>();
        return *v_;
    }
    std::unique_ptr<std::vector<T>> v_;
};

}   // namespace perdure::detail
