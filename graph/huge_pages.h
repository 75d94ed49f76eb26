// Large arrays filled right after they are allocated (a snapshot load): ask the kernel for
// transparent huge pages on them before the first touch. On a VM where every page fault is
// expensive, faulting in a few hundred MB 4 KiB at a time cost more than the rest of a load; 2 MiB
// pages take 512 times fewer faults. Only an advice: the contents and the types are unchanged, and
// where THP is off (or not Linux) nothing happens.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace chainatlas {

#if defined(__linux__)
// madvise(advice) on the whole `page`-aligned pages inside [p, p + bytes), when bytes ≥ min_bytes.
inline void AdviseWholePages(const void* p, size_t bytes, uintptr_t page, size_t min_bytes,
                             int advice) {
  if (bytes < min_bytes) return;
  const auto begin = (reinterpret_cast<uintptr_t>(p) + page - 1) & ~(page - 1);
  const auto end = (reinterpret_cast<uintptr_t>(p) + bytes) & ~(page - 1);
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, advice);
}
#endif

// Advises MADV_HUGEPAGE on the whole 2 MiB pages inside [p, p + bytes) (none below 4 MiB).
inline void AdviseHugePages(const void* p, size_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr uintptr_t kHuge = uintptr_t{2} << 20;
  AdviseWholePages(p, bytes, kHuge, 2 * kHuge, MADV_HUGEPAGE);
#else
  (void)p;
  (void)bytes;
#endif
}

// Faults in the whole pages inside [p, p + bytes) with one call (MADV_POPULATE_WRITE) instead of
// one fault per page as they are first written (none below 64 KiB; nothing where unsupported).
inline void PrefaultPages(const void* p, size_t bytes) {
#if defined(__linux__) && defined(MADV_POPULATE_WRITE)
  AdviseWholePages(p, bytes, 4096, size_t{64} << 10, MADV_POPULATE_WRITE);
#else
  (void)p;
  (void)bytes;
#endif
}

// v with room for n elements, the room advised for huge pages and faulted in before anything
// touches it (the old contents are dropped).
template <typename T>
void ReserveHuge(std::vector<T>& v, size_t n) {
  std::vector<T>().swap(v);
  v.reserve(n);
  AdviseHugePages(v.data(), n * sizeof(T));
  PrefaultPages(v.data(), n * sizeof(T));
}
// v resized to n value-initialised elements, in memory advised for huge pages.
template <typename T>
void ResizeHuge(std::vector<T>& v, size_t n) {
  ReserveHuge(v, n);
  v.resize(n);
}
// A per-thread scratch vector that holds `fill` everywhere, grown to at least n elements in memory
// advised for huge pages: a query reads and writes it at random (a cell per vertex touched), and
// with 4 KiB pages each of those accesses may also miss the TLB.
template <typename T>
void GrowHuge(std::vector<T>& v, size_t n, const T& fill = T{}) {
  if (v.size() >= n) return;
  std::vector<T> grown;
  grown.reserve(n);
  AdviseHugePages(grown.data(), n * sizeof(T));
  grown.assign(n, fill);
  v.swap(grown);
}

inline void ReserveHuge(std::string& s, size_t n) {
  std::string().swap(s);
  s.reserve(n);
  AdviseHugePages(s.data(), n);
  PrefaultPages(s.data(), n);
}

}  // namespace chainatlas
