#pragma once
// Names are unique within a room, so nobody can pass for someone else and `--pin NAME`
// means one person: a name already taken gets the first free suffix " (2)", " (3)", ...,
// the name cut (on a code point boundary) to leave room for it within kMaxNameBytes.
// Names compare byte for byte. Does not allocate.
#include <cstddef>
#include <string_view>

#include "net/protocol.h"

namespace ttycall::server {

// `wanted` with the suffix " (n)" for n >= 2, cut to fit kMaxNameBytes.
net::Name suffixed_name(const net::Name& wanted, size_t n);

// `wanted`, or the first suffixed form of it for which `is_taken(std::string_view)` is
// false. `members` bounds how many names can be taken, so one of the first members + 1
// suffixes is free.
template <class IsTaken>
net::Name unique_name(const net::Name& wanted, size_t members, IsTaken&& is_taken) {
  if (!is_taken(wanted.view())) return wanted;
  for (size_t n = 2; n <= members + 2; ++n) {
    const net::Name name = suffixed_name(wanted, n);
    if (!is_taken(name.view())) return name;
  }
  return wanted;  // unreachable: see above
}

}  // namespace ttycall::server
