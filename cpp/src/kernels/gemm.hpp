// GEMM: C[M,N] = A[M,K] @ B[K,N] for float and double, with arbitrary
// element strides for A and B (so transposed operands need no copy) and a
// row-major C.
//
// The algorithm is the classic packed one (Goto / BLIS): B is packed in
// KC x NC panels of NR-wide column strips, A in MC x KC blocks of MR-tall row
// strips; a register-blocked micro-kernel multiplies one MR x KC strip of A by
// one KC x NR strip of B, keeping the MR x NR tile of C in vector registers.
// The micro-kernel is chosen at run time: AVX-512 (12 x 32 floats / 12 x 16
// doubles), AVX2+FMA (6 x 16 / 6 x 8) or portable C++; a strip with fewer
// rows runs a kernel with fewer accumulator rows. On more than one thread, A
// and B are packed once into shared buffers and the threads claim tiles of C
// (gemm.cpp); every element is summed in the same order as on one thread.
#pragma once

#include <cstdint>

namespace fasttape {
namespace kernels {

void gemm_f32(int64_t M, int64_t N, int64_t K, const float* A, int64_t rsa, int64_t csa, const float* B,
              int64_t rsb, int64_t csb, float* C, bool allow_threads);
void gemm_f64(int64_t M, int64_t N, int64_t K, const double* A, int64_t rsa, int64_t csa, const double* B,
              int64_t rsb, int64_t csb, double* C, bool allow_threads);

// Name of the micro-kernel in use ("avx512", "avx2", "portable").
const char* gemm_kernel_name();

// For tests: use at most the named micro-kernel ("portable", "avx2",
// "avx512"; nullptr: the best the CPU has). Returns whether that kernel is
// now the one in use (false when the CPU lacks it or the name is unknown).
bool gemm_limit_kernel(const char* name);

}  // namespace kernels
}  // namespace fasttape
