// SHA-256 of bytes, as hex, through OpenSSL: what transfers are compared by
// (tests, the live HTTP tools, the property test).
#pragma once

#include <string>

#include "base/bytes.hpp"

namespace base {

class Sha256 {
  public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;
    void add(base::ByteSpan data);
    std::string hex();  // finishes the digest

  private:
    void* ctx_;
};

std::string sha256_hex(base::ByteSpan data);

}  // namespace base
