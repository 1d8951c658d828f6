// Packed, register-blocked GEMM (see gemm.hpp for the algorithm).
#include "kernels/gemm.hpp"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>

#include "kernels/parallel.hpp"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(FASTTAPE_NO_MULTIVERSION)
#define FT_GEMM_X86 1
#include <immintrin.h>
#endif

namespace fasttape {
namespace kernels {

namespace {

enum class Isa { Portable, Avx2, Avx512 };

Isa detect_isa() {
#ifdef FT_GEMM_X86
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return Isa::Avx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return Isa::Avx2;
#endif
  return Isa::Portable;
}

// A lower instruction set forced by gemm_limit_kernel (tests), or -1.
std::atomic<int> g_forced_isa{-1};

Isa isa() {
  static const Isa detected = detect_isa();
  const int forced = g_forced_isa.load(std::memory_order_relaxed);
  return forced >= 0 && forced < static_cast<int>(detected) ? static_cast<Isa>(forced) : detected;
}

// A per-thread, 64-byte-aligned scratch buffer that only grows.
template <class T>
struct Scratch {
  T* p = nullptr;
  size_t cap = 0;
  T* get(size_t n) {
    if (n > cap) {
      if (n > (SIZE_MAX - 63) / sizeof(T)) throw std::bad_alloc();
      const size_t bytes = ((n * sizeof(T) + 63) / 64) * 64;
      T* q = static_cast<T*>(std::aligned_alloc(64, bytes));
      if (!q) throw std::bad_alloc();  // the old buffer stays valid
      std::free(p);
      p = q;
      cap = n;
    }
    return p;
  }
  ~Scratch() { std::free(p); }
};

// Writes the mr x nr corner of an MR x NR tile t into C.
template <class T>
inline void store_tile(const T* t, int NR, T* c, int64_t ldc, int mr, int nr, bool acc) {
  for (int i = 0; i < mr; ++i)
    for (int j = 0; j < nr; ++j) c[i * ldc + j] = acc ? c[i * ldc + j] + t[i * NR + j] : t[i * NR + j];
}

// ------------------------------------------------------------- micro-kernels
// a: MR x kc strip, k-major (a[k*MR + i]); b: kc x NR strip (b[k*NR + j]).
// C tile (mr x nr valid) is overwritten, or accumulated into when acc.
template <class T, int MR, int NR>
void ukr_portable(int64_t kc, const T* a, const T* b, T* c, int64_t ldc, int mr, int nr, bool acc) {
  T t[MR * NR] = {};
  for (int64_t k = 0; k < kc; ++k)
    for (int i = 0; i < MR; ++i)
      for (int j = 0; j < NR; ++j) t[i * NR + j] += a[k * MR + i] * b[k * NR + j];
  store_tile(t, NR, c, ldc, mr, nr, acc);
}

#ifdef FT_GEMM_X86
#define FT_AVX512 __attribute__((target("avx512f")))
#define FT_AVX2 __attribute__((target("avx2,fma")))
#define FT_VEC(ISA) __attribute__((always_inline, target(ISA))) static inline

// One vector register of T and the operations the micro-kernel needs, per
// instruction set (W: the register's width in bits). The intrinsics are
// named PREFIX_op_SUFFIX (_mm512_fmadd_ps, _mm256_load_pd, ...).
template <class T, int W>
struct Vec;
#define FT_DEFINE_VEC(TYPE, WIDTH, REG, ISA, PRE, SUF)                                      \
  template <>                                                                              \
  struct Vec<TYPE, WIDTH> {                                                                \
    using T = TYPE;                                                                        \
    using R = REG;                                                                         \
    static constexpr int L = WIDTH / (8 * static_cast<int>(sizeof(TYPE)));                \
    FT_VEC(ISA) R zero() { return PRE##_setzero_##SUF(); }                                \
    FT_VEC(ISA) R load(const T* p) { return PRE##_load_##SUF(p); }                        \
    FT_VEC(ISA) R loadu(const T* p) { return PRE##_loadu_##SUF(p); }                      \
    FT_VEC(ISA) void store(T* p, R v) { PRE##_store_##SUF(p, v); }                        \
    FT_VEC(ISA) void storeu(T* p, R v) { PRE##_storeu_##SUF(p, v); }                      \
    FT_VEC(ISA) R set1(T x) { return PRE##_set1_##SUF(x); }                               \
    FT_VEC(ISA) R fmadd(R a, R b, R c) { return PRE##_fmadd_##SUF(a, b, c); }             \
    FT_VEC(ISA) R add(R a, R b) { return PRE##_add_##SUF(a, b); }                         \
  };
FT_DEFINE_VEC(float, 512, __m512, "avx512f", _mm512, ps)
FT_DEFINE_VEC(double, 512, __m512d, "avx512f", _mm512, pd)
FT_DEFINE_VEC(float, 256, __m256, "avx2,fma", _mm256, ps)
FT_DEFINE_VEC(double, 256, __m256d, "avx2,fma", _mm256, pd)
#undef FT_DEFINE_VEC

// The register-blocked micro-kernel: ROWS (<= MR) rows of A times NR = two
// registers of B, the ROWS x NR tile of C held in 2 * ROWS registers. The
// body is written once and compiled for each instruction set below (a
// target attribute cannot depend on a template parameter).
#define FT_UKR_BODY                                                                 \
  using T = typename V::T;                                                          \
  constexpr int NR = 2 * V::L;                                                      \
  typename V::R r0[ROWS], r1[ROWS];                                                 \
  _Pragma("GCC unroll 12") for (int i = 0; i < ROWS; ++i) r0[i] = r1[i] = V::zero(); \
  for (int64_t k = 0; k < kc; ++k) {                                                \
    const typename V::R b0 = V::load(b), b1 = V::load(b + V::L);                    \
    _Pragma("GCC unroll 12") for (int i = 0; i < ROWS; ++i) {                       \
      const typename V::R ai = V::set1(a[i]);                                       \
      r0[i] = V::fmadd(ai, b0, r0[i]);                                              \
      r1[i] = V::fmadd(ai, b1, r1[i]);                                              \
    }                                                                               \
    a += MR;                                                                        \
    b += NR;                                                                        \
  }                                                                                 \
  if (mr == ROWS && nr == NR) {                                                     \
    _Pragma("GCC unroll 12") for (int i = 0; i < ROWS; ++i) {                       \
      T* ci = c + i * ldc;                                                          \
      if (acc) {                                                                    \
        r0[i] = V::add(r0[i], V::loadu(ci));                                        \
        r1[i] = V::add(r1[i], V::loadu(ci + V::L));                                 \
      }                                                                             \
      V::storeu(ci, r0[i]);                                                         \
      V::storeu(ci + V::L, r1[i]);                                                  \
    }                                                                               \
    return;                                                                         \
  }                                                                                 \
  alignas(64) T t[MR * NR];                                                         \
  for (int i = 0; i < ROWS; ++i) {                                                  \
    V::store(t + i * NR, r0[i]);                                                    \
    V::store(t + i * NR + V::L, r1[i]);                                             \
  }                                                                                 \
  store_tile(t, NR, c, ldc, mr, nr, acc);

template <class V, int MR, int ROWS>
FT_AVX512 void ukr_avx512_rows(int64_t kc, const typename V::T* a, const typename V::T* b, typename V::T* c,
                               int64_t ldc, int mr, int nr, bool acc) {
  FT_UKR_BODY
}

template <class V, int MR, int ROWS>
FT_AVX2 void ukr_avx2_rows(int64_t kc, const typename V::T* a, const typename V::T* b, typename V::T* c,
                           int64_t ldc, int mr, int nr, bool acc) {
  FT_UKR_BODY
}
#undef FT_UKR_BODY
#undef FT_VEC
#endif  // FT_GEMM_X86

// ------------------------------------------------------------- packing
// A block (mc x kc at A, strides rsa/csa) into MR-tall strips, zero-padded.
template <class T>
void pack_a(int MR, int64_t mc, int64_t kc, const T* A, int64_t rsa, int64_t csa, T* ap) {
  for (int64_t ir = 0; ir < mc; ir += MR) {
    const int64_t mr = std::min<int64_t>(MR, mc - ir);
    T* dst = ap + ir * kc;
    if (csa == 1) {
      for (int64_t i = 0; i < mr; ++i) {
        const T* src = A + (ir + i) * rsa;
        for (int64_t k = 0; k < kc; ++k) dst[k * MR + i] = src[k];
      }
    } else {
      for (int64_t k = 0; k < kc; ++k) {
        const T* src = A + ir * rsa + k * csa;
        for (int64_t i = 0; i < mr; ++i) dst[k * MR + i] = src[i * rsa];
      }
    }
    for (int64_t i = mr; i < MR; ++i)
      for (int64_t k = 0; k < kc; ++k) dst[k * MR + i] = T(0);
  }
}

// B panel (kc x nc at B, strides rsb/csb) into NR-wide strips, zero-padded.
// NR is a template parameter so that copying a full contiguous strip row is
// a few vector moves (a memcpy of run-time length became `rep movsq`, whose
// start-up cost dominated 128-byte copies).
template <int NR, class T>
void pack_b_nr(int64_t kc, int64_t nc, const T* B, int64_t rsb, int64_t csb, T* bp) {
  for (int64_t jr = 0; jr < nc; jr += NR) {
    const int64_t nr = std::min<int64_t>(NR, nc - jr);
    T* dst = bp + jr * kc;
    if (csb == 1 && nr == NR) {
      for (int64_t k = 0; k < kc; ++k) std::memcpy(dst + k * NR, B + k * rsb + jr, sizeof(T) * NR);
      continue;
    }
    for (int64_t k = 0; k < kc; ++k) {
      const T* src = B + k * rsb + jr * csb;
      T* d = dst + k * NR;
      for (int64_t j = 0; j < nr; ++j) d[j] = src[j * csb];
      for (int64_t j = nr; j < NR; ++j) d[j] = T(0);
    }
  }
}

template <class T>
void pack_b(int NR, int64_t kc, int64_t nc, const T* B, int64_t rsb, int64_t csb, T* bp) {
  switch (NR) {
    case 32: return pack_b_nr<32>(kc, nc, B, rsb, csb, bp);
    case 16: return pack_b_nr<16>(kc, nc, B, rsb, csb, bp);
    default: return pack_b_nr<8>(kc, nc, B, rsb, csb, bp);
  }
}

template <class T>
using Ukr = void (*)(int64_t, const T*, const T*, T*, int64_t, int, int, bool);

// The last strip of rows of a tile often holds fewer than MR (64 = 5 x 12 +
// 4): it runs a kernel with fewer accumulator rows instead of padding to MR.
template <class T, int R1, Ukr<T> K1, int R2, Ukr<T> K2, Ukr<T> KFULL>
void ukr_by_rows(int64_t kc, const T* a, const T* b, T* c, int64_t ldc, int mr, int nr, bool acc) {
  if (mr <= R1) return K1(kc, a, b, c, ldc, mr, nr, acc);
  if (mr <= R2) return K2(kc, a, b, c, ldc, mr, nr, acc);
  KFULL(kc, a, b, c, ldc, mr, nr, acc);
}

// Blocking, the same for the serial and the threaded path: KC-deep panels,
// MC-tall blocks of A, NC-wide panels of B.
constexpr int64_t kKC = 256, kNC = 2048;
// The depth of K blocks for this K: at most kKC, and equal, so that K = 784
// is cut 196 x 4 rather than 256 x 3 + 16 (a 16-deep block spends as long
// loading and storing its C tiles as multiplying).
inline int64_t kc_block(int64_t K) {
  const int64_t nkb = (K + kKC - 1) / kKC;
  return (K + nkb - 1) / nkb;
}
template <class T>
constexpr int64_t mc_rows(int MR) {
  return MR * (sizeof(T) == 4 ? 12 : 8);
}

// C[i0:i1, j0:j1] for the whole K, with this thread's packing buffers.
template <class T>
void gemm_block(int MR, int NR, Ukr<T> ukr, int64_t i0, int64_t i1, int64_t j0, int64_t j1, int64_t N, int64_t K,
                const T* A, int64_t rsa, int64_t csa, const T* B, int64_t rsb, int64_t csb, T* C) {
  const int64_t KC = kc_block(K), MC = mc_rows<T>(MR), NC = kNC;
  static thread_local Scratch<T> abuf, bbuf;
  T* ap = abuf.get(static_cast<size_t>(((MC + MR - 1) / MR) * MR * KC));
  T* bp = bbuf.get(static_cast<size_t>(((NC + NR - 1) / NR) * NR * KC));
  for (int64_t jc = j0; jc < j1; jc += NC) {
    const int64_t nc = std::min(NC, j1 - jc);
    for (int64_t pc = 0; pc < K; pc += KC) {
      const int64_t kc = std::min(KC, K - pc);
      const bool acc = pc > 0;
      pack_b(NR, kc, nc, B + pc * rsb + jc * csb, rsb, csb, bp);
      for (int64_t ic = i0; ic < i1; ic += MC) {
        const int64_t mc = std::min(MC, i1 - ic);
        pack_a(MR, mc, kc, A + ic * rsa + pc * csa, rsa, csa, ap);
        for (int64_t jr = 0; jr < nc; jr += NR) {
          const int nr = static_cast<int>(std::min<int64_t>(NR, nc - jr));
          for (int64_t ir = 0; ir < mc; ir += MR) {
            const int mr = static_cast<int>(std::min<int64_t>(MR, mc - ir));
            ukr(kc, ap + ir * kc, bp + jr * kc, C + (ic + ir) * N + jc + jr, N, mr, nr, acc);
          }
        }
      }
    }
  }
}

// Threaded GEMM. One job packs all of A and all of B into buffers the
// threads share (chunks: one operand, one KC block, a group of strips); a
// second job computes C in tiles, each chunk one tile over the whole K. No
// operand is packed twice, whichever way C is cut, and a tile reads only
// shared data and writes its own part of C, so chunks run in any order on
// any thread. Tiles are as large as the cache blocking allows (MC rows, up to
// 512 columns), halved along their longer side until there are about four
// per thread.
template <class T>
void gemm_tiled_parallel(int MR, int NR, Ukr<T> ukr, int64_t M, int64_t N, int64_t K, const T* A, int64_t rsa,
                         int64_t csa, const T* B, int64_t rsb, int64_t csb, T* C) {
  const int64_t nt = num_threads();
  const int64_t ms = (M + MR - 1) / MR, ns = (N + NR - 1) / NR;  // strips
  const int64_t mp = ms * MR, np = ns * NR;                          // padded sizes
  const int64_t KC = kc_block(K), nkb = (K + KC - 1) / KC;
  static thread_local Scratch<T> shared_a, shared_b;
  T* ap = shared_a.get(static_cast<size_t>(mp * K));  // KC block at k offset pc: ap + pc * mp
  T* bp = shared_b.get(static_cast<size_t>(np * K));  // likewise bp + pc * np
  const int64_t ga = std::max<int64_t>(1, ms * nkb / (2 * nt)), gb = std::max<int64_t>(1, ns * nkb / (2 * nt));
  const int64_t ca = (ms + ga - 1) / ga, cb = (ns + gb - 1) / gb;  // chunks per KC block
  parallel_chunks(nkb * (ca + cb), [&](int64_t c) {
    const int64_t pc = (c / (ca + cb)) * KC, r = c % (ca + cb), kc = std::min(KC, K - pc);
    if (r < ca) {
      const int64_t i0 = r * ga * MR, i1 = std::min(M, (r + 1) * ga * MR);
      pack_a(MR, i1 - i0, kc, A + i0 * rsa + pc * csa, rsa, csa, ap + pc * mp + i0 * kc);
    } else {
      const int64_t j0 = (r - ca) * gb * NR, j1 = std::min(N, (r - ca + 1) * gb * NR);
      pack_b(NR, kc, j1 - j0, B + pc * rsb + j0 * csb, rsb, csb, bp + pc * np + j0 * kc);
    }
  });
  int64_t rb = std::min(mc_rows<T>(MR), mp), cw = std::min<int64_t>(16 * NR, np);
  const int64_t want = 4 * nt;
  while (((M + rb - 1) / rb) * ((N + cw - 1) / cw) < want && (rb > MR || cw > NR)) {
    if ((cw >= rb && cw > NR) || rb <= MR) {
      cw = ((cw / NR + 1) / 2) * NR;
    } else {
      rb = ((rb / MR + 1) / 2) * MR;
    }
  }
  const int64_t tr = (M + rb - 1) / rb, tc = (N + cw - 1) / cw;
  parallel_chunks(tr * tc, [&](int64_t c) {
    const int64_t i0 = (c / tc) * rb, i1 = std::min(M, i0 + rb);
    const int64_t j0 = (c % tc) * cw, j1 = std::min(N, j0 + cw);
    for (int64_t pc = 0; pc < K; pc += KC) {
      const int64_t kc = std::min(KC, K - pc);
      const T* apc = ap + pc * mp;
      const T* bpc = bp + pc * np;
      for (int64_t jr = j0; jr < j1; jr += NR) {
        const int nr = static_cast<int>(std::min<int64_t>(NR, j1 - jr));
        for (int64_t ir = i0; ir < i1; ir += MR) {
          const int mr = static_cast<int>(std::min<int64_t>(MR, i1 - ir));
          ukr(kc, apc + ir * kc, bpc + jr * kc, C + ir * N + jr, N, mr, nr, pc > 0);
        }
      }
    }
  });
}

// Products from this many multiply-adds use the pool (about 35 us on one
// core). Smaller ones run on the calling thread: splitting them costs more
// in dispatch and repacking than a second core saves.
constexpr int64_t kGemmParallelMacs = int64_t(1) << 22;

template <class T>
void gemm_any(int MR, int NR, Ukr<T> ukr, int64_t M, int64_t N, int64_t K, const T* A, int64_t rsa, int64_t csa,
              const T* B, int64_t rsb, int64_t csb, T* C, bool allow_threads) {
  if (M == 0 || N == 0) return;
  if (K == 0) {
    std::memset(C, 0, sizeof(T) * M * N);
    return;
  }
  if (2 * N <= NR && M >= NR) {
    // Few columns (a classifier's 10 logits): computed as C^T = B^T A^T,
    // they fill the rows of the micro-kernel's tile, where a short strip
    // costs only its rows, instead of its NR-wide columns, where 10 of 32
    // lanes would work. Every element is the same chain of fused
    // multiply-adds either way, so the result is bitwise the same.
    static thread_local Scratch<T> ct_buf;
    T* ct = ct_buf.get(static_cast<size_t>(M * N));
    gemm_any<T>(MR, NR, ukr, N, M, K, B, csb, rsb, A, csa, rsa, ct, allow_threads);
    for (int64_t i = 0; i < M; ++i)
      for (int64_t j = 0; j < N; ++j) C[i * N + j] = ct[j * M + i];
    return;
  }
  const int nt = num_threads();
  const bool par = allow_threads && nt > 1 && M * N * K >= kGemmParallelMacs && !in_parallel_region();
  if (par && (M > MR || N > NR)) {
    gemm_tiled_parallel<T>(MR, NR, ukr, M, N, K, A, rsa, csa, B, rsb, csb, C);
  } else {
    gemm_block<T>(MR, NR, ukr, 0, M, 0, N, N, K, A, rsa, csa, B, rsb, csb, C);
  }
}

}  // namespace

namespace {

#ifdef FT_GEMM_X86
// The x86 micro-kernels of each type: MR x NR = 12 x two AVX-512 registers
// or 6 x two AVX2 registers, with 4-/8-row (2-/4-row) variants for short
// strips.
template <class T>
struct X86Kernels {
  using V512 = Vec<T, 512>;
  using V256 = Vec<T, 256>;
  static constexpr Ukr<T> avx512 = ukr_by_rows<T, 4, ukr_avx512_rows<V512, 12, 4>, 8, ukr_avx512_rows<V512, 12, 8>,
                                               ukr_avx512_rows<V512, 12, 12>>;
  static constexpr Ukr<T> avx2 =
      ukr_by_rows<T, 2, ukr_avx2_rows<V256, 6, 2>, 4, ukr_avx2_rows<V256, 6, 4>, ukr_avx2_rows<V256, 6, 6>>;
  static constexpr int nr512 = 2 * V512::L, nr256 = 2 * V256::L;
};
#endif

// GEMM with the best micro-kernel this CPU runs.
template <class T>
void gemm_for_cpu(int64_t M, int64_t N, int64_t K, const T* A, int64_t rsa, int64_t csa, const T* B, int64_t rsb,
                  int64_t csb, T* C, bool allow_threads) {
#ifdef FT_GEMM_X86
  using X = X86Kernels<T>;
  if (isa() == Isa::Avx512)
    return gemm_any<T>(12, X::nr512, X::avx512, M, N, K, A, rsa, csa, B, rsb, csb, C, allow_threads);
  if (isa() == Isa::Avx2)
    return gemm_any<T>(6, X::nr256, X::avx2, M, N, K, A, rsa, csa, B, rsb, csb, C, allow_threads);
#endif
  gemm_any<T>(4, 8, ukr_portable<T, 4, 8>, M, N, K, A, rsa, csa, B, rsb, csb, C, allow_threads);
}

}  // namespace

void gemm_f32(int64_t M, int64_t N, int64_t K, const float* A, int64_t rsa, int64_t csa, const float* B,
              int64_t rsb, int64_t csb, float* C, bool allow_threads) {
  gemm_for_cpu<float>(M, N, K, A, rsa, csa, B, rsb, csb, C, allow_threads);
}

void gemm_f64(int64_t M, int64_t N, int64_t K, const double* A, int64_t rsa, int64_t csa, const double* B,
              int64_t rsb, int64_t csb, double* C, bool allow_threads) {
  gemm_for_cpu<double>(M, N, K, A, rsa, csa, B, rsb, csb, C, allow_threads);
}

bool gemm_limit_kernel(const char* name) {
  int want = -1;
  if (name == nullptr) want = -1;
  else if (std::strcmp(name, "portable") == 0) want = static_cast<int>(Isa::Portable);
  else if (std::strcmp(name, "avx2") == 0) want = static_cast<int>(Isa::Avx2);
  else if (std::strcmp(name, "avx512") == 0) want = static_cast<int>(Isa::Avx512);
  else return false;
  g_forced_isa.store(want, std::memory_order_relaxed);
  return want < 0 || static_cast<int>(isa()) == want;
}

const char* gemm_kernel_name() {
  switch (isa()) {
    case Isa::Avx512: return "avx512";
    case Isa::Avx2: return "avx2";
    default: return "portable";
  }
}

}  // namespace kernels
}  // namespace fasttape
