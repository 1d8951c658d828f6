// The C++ tests' assertion helper: counts checks, prints each failure, and
// report() prints the totals and gives main's exit code. Thread-safe.
#pragma once

#include <atomic>
#include <cstdio>
#include <string>

namespace fttest {

inline std::atomic<int> g_failures{0}, g_checks{0};

inline void check(bool ok, const std::string& what) {
  ++g_checks;
  if (!ok) {
    ++g_failures;
    std::fprintf(stderr, "FAILED: %s\n", what.c_str());
  }
}

inline int report() {
  std::printf("%d passed, %d failed\n", g_checks.load() - g_failures.load(), g_failures.load());
  return g_failures.load() ? 1 : 0;
}

}  // namespace fttest
