// A FIFO in one growing circular array: push at the back, pop at the front
// (or take back the newest from the back), no allocation once it has grown to
// the most it held. std::deque gives a block back and takes a new one every
// few elements as a queue moves, which a link's queue of frames (millions in
// a run) pays for. The capacity is a power of two, so a position wraps with a
// mask rather than a division.
#pragma once

#include <cassert>
#include <cstddef>
#include <memory>
#include <new>
#include <utility>

namespace base {

template <class T>
class Ring {
  public:
    Ring() = default;
    Ring(Ring&& o) noexcept
        : data_(std::move(o.data_)),
          capacity_(std::exchange(o.capacity_, 0)),
          head_(std::exchange(o.head_, 0)),
          size_(std::exchange(o.size_, 0)) {}
    Ring& operator=(Ring&& o) noexcept {
        if (this != &o) {
            clear();
            data_ = std::move(o.data_);
            capacity_ = std::exchange(o.capacity_, 0);
            head_ = std::exchange(o.head_, 0);
            size_ = std::exchange(o.size_, 0);
        }
        return *this;
    }
    Ring(const Ring&) = delete;
    Ring& operator=(const Ring&) = delete;
    ~Ring() { clear(); }

    bool empty() const { return size_ == 0; }
    size_t size() const { return size_; }

    T& front() {
        assert(size_ > 0);
        return slot(head_);
    }
    const T& front() const {
        assert(size_ > 0);
        return slot(head_);
    }
    T& back() {
        assert(size_ > 0);
        return slot(wrap(head_ + size_ - 1));
    }
    // The i-th element from the front.
    T& operator[](size_t i) {
        assert(i < size_);
        return slot(wrap(head_ + i));
    }
    const T& operator[](size_t i) const {
        assert(i < size_);
        return slot(wrap(head_ + i));
    }

    void push_back(T value) { emplace_back(std::move(value)); }
    // Built in place: an element holding a packet is not moved twice on the way.
    template <class... Args>
    T& emplace_back(Args&&... args) {
        if (size_ == capacity_) grow();
        T* at = new (&slot(wrap(head_ + size_))) T{std::forward<Args>(args)...};
        ++size_;
        return *at;
    }
    void pop_front() {
        assert(size_ > 0);
        slot(head_).~T();
        head_ = wrap(head_ + 1);
        --size_;
    }
    void pop_back() {
        assert(size_ > 0);
        back().~T();
        --size_;
    }
    void clear() {
        while (size_ > 0)
            pop_front();
        head_ = 0;
    }

  private:
    struct alignas(T) Storage {
        std::byte bytes[sizeof(T)];
    };
    size_t wrap(size_t i) const { return i & (capacity_ - 1); }
    T& slot(size_t i) { return *std::launder(reinterpret_cast<T*>(&data_[i])); }
    const T& slot(size_t i) const { return *std::launder(reinterpret_cast<const T*>(&data_[i])); }
    void grow() {
        const size_t capacity = capacity_ == 0 ? 8 : capacity_ * 2;
        auto fresh = std::make_unique<Storage[]>(capacity);
        for (size_t i = 0; i < size_; ++i) {
            T& from = slot(wrap(head_ + i));
            new (&fresh[i]) T(std::move(from));
            from.~T();
        }
        data_ = std::move(fresh);
        capacity_ = capacity;
        head_ = 0;
    }

    std::unique_ptr<Storage[]> data_;
    size_t capacity_ = 0;
    size_t head_ = 0;
    size_t size_ = 0;
};

}  // namespace base
