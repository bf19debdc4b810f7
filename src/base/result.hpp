// Results as values: `base::Expected<T, E>` is `std::expected<T, E>`.
//
// Errors are enums owned by each layer (`wire::Error`, …) with a `to_string`, and
// travel as values; nothing throws across the event loop.
//
// libstdc++ 12 only provides <expected> to compilers that implement C++20
// concepts fully; clang 14 does not, so under clang this header supplies a small
// stand-in with the subset of the std::expected interface the project uses
// (construction from a value or `Unexpected`, has_value/bool, value, error, `*`,
// `->`, value_or). Always build `Unexpected` with `base::fail(e)`: it works with
// both (class template argument deduction through an alias needs clang 19).
#pragma once

#include <version>

#if defined(__cpp_lib_expected) && __cpp_lib_expected >= 202202L
#include <expected>
#define MINTERNET_STD_EXPECTED 1
#else
#include <cassert>
#include <type_traits>
#include <utility>
#include <variant>
#define MINTERNET_STD_EXPECTED 0
#endif

namespace base {

#if MINTERNET_STD_EXPECTED

template <class T, class E>
using Expected = std::expected<T, E>;
template <class E>
using Unexpected = std::unexpected<E>;

template <class E>
constexpr Unexpected<std::decay_t<E>> fail(E&& e) {
    return std::unexpected<std::decay_t<E>>(std::forward<E>(e));
}

#else

template <class E>
class Unexpected {
  public:
    constexpr explicit Unexpected(E e) : error_(std::move(e)) {}
    constexpr const E& error() const& { return error_; }
    constexpr E& error() & { return error_; }

  private:
    E error_;
};

template <class E>
constexpr Unexpected<std::decay_t<E>> fail(E&& e) {
    return Unexpected<std::decay_t<E>>(std::forward<E>(e));
}

template <class T, class E>
class Expected {
  public:
    using value_type = T;
    using error_type = E;

    constexpr Expected() requires std::is_default_constructible_v<T> : v_(std::in_place_index<0>) {}
    template <class U = T>
    requires std::is_constructible_v<T, U&&> &&
        (!std::is_same_v<std::remove_cvref_t<U>, Expected>)&&(
            !std::is_same_v<std::remove_cvref_t<U>, Unexpected<E>>)constexpr Expected(U&& v)
        : v_(std::in_place_index<0>, std::forward<U>(v)) {}
    template <class G>
    constexpr Expected(const Unexpected<G>& u) : v_(std::in_place_index<1>, u.error()) {}

    constexpr bool has_value() const { return v_.index() == 0; }
    constexpr explicit operator bool() const { return has_value(); }

    constexpr T& value() & { return *std::get_if<0>(&checked()); }
    constexpr const T& value() const& { return *std::get_if<0>(&checked()); }
    constexpr T&& value() && { return std::move(*std::get_if<0>(&checked())); }
    constexpr T& operator*() & { return value(); }
    constexpr const T& operator*() const& { return value(); }
    constexpr T&& operator*() && { return std::move(*this).value(); }
    constexpr T* operator->() { return &value(); }
    constexpr const T* operator->() const { return &value(); }
    template <class U>
    constexpr T value_or(U&& fallback) const& {
        return has_value() ? value() : static_cast<T>(std::forward<U>(fallback));
    }

    constexpr const E& error() const& {
        assert(!has_value());
        return *std::get_if<1>(&v_);
    }

  private:
    constexpr std::variant<T, E>& checked() {
        assert(has_value());
        return v_;
    }
    constexpr const std::variant<T, E>& checked() const {
        assert(has_value());
        return v_;
    }
    std::variant<T, E> v_;
};

template <class E>
class Expected<void, E> {
  public:
    using value_type = void;
    using error_type = E;

    constexpr Expected() = default;
    template <class G>
    constexpr Expected(const Unexpected<G>& u) : error_(u.error()), ok_(false) {}

    constexpr bool has_value() const { return ok_; }
    constexpr explicit operator bool() const { return ok_; }
    constexpr void value() const { assert(ok_); }
    constexpr void operator*() const { assert(ok_); }
    constexpr const E& error() const& {
        assert(!ok_);
        return error_;
    }

  private:
    E error_{};
    bool ok_ = true;
};

#endif

}  // namespace base
