// Matrix multiply: C = op(A) @ op(B), 2-D or batched with numpy-broadcast
// batch dims. Transposed operands are first packed contiguous (O(n^2) next to
// the O(n^3) product). The product is cache-blocked over k and j; four rows
// of A share each loaded row segment of B; rows are split across threads.
#include <cstring>
#include <type_traits>
#include <vector>

#include "kernels/gemm.hpp"
#include "kernels/kernels.hpp"
#include "kernels/parallel.hpp"

namespace fasttape {
namespace kernels {

namespace {

constexpr int64_t KB = 256;  // k block: B panel rows kept hot
constexpr int64_t NB = 512;  // j block: C row segment kept in L1

template <class T>
FT_MULTIVERSION void rows4(const T* a0, const T* a1, const T* a2, const T* a3, const T* B, int64_t ldb,
                           T* c0, T* c1, T* c2, T* c3, int64_t kn, int64_t nn) {
  for (int64_t k = 0; k < kn; ++k) {
    const T x0 = a0[k], x1 = a1[k], x2 = a2[k], x3 = a3[k];
    const T* b = B + k * ldb;
    for (int64_t j = 0; j < nn; ++j) {
      const T bj = b[j];
      c0[j] += x0 * bj;
      c1[j] += x1 * bj;
      c2[j] += x2 * bj;
      c3[j] += x3 * bj;
    }
  }
}

template <class T>
FT_MULTIVERSION void rows1(const T* a0, const T* B, int64_t ldb, T* c0, int64_t kn, int64_t nn) {
  for (int64_t k = 0; k < kn; ++k) {
    const T x0 = a0[k];
    const T* b = B + k * ldb;
    for (int64_t j = 0; j < nn; ++j) c0[j] += x0 * b[j];
  }
}

// C[M,N] = A[M,K] @ B[K,N], all contiguous row-major; C is overwritten.
template <class T>
void gemm(const T* A, const T* B, T* C, int64_t M, int64_t N, int64_t K, bool allow_parallel) {
  std::memset(C, 0, sizeof(T) * M * N);
  if (K == 0) return;
  auto run_rows = [&](int64_t ib, int64_t ie) {
    for (int64_t k0 = 0; k0 < K; k0 += KB) {
      const int64_t kn = std::min(KB, K - k0);
      for (int64_t j0 = 0; j0 < N; j0 += NB) {
        const int64_t nn = std::min(NB, N - j0);
        const T* Bp = B + k0 * N + j0;
        int64_t i = ib;
        for (; i + 4 <= ie; i += 4)
          rows4<T>(A + i * K + k0, A + (i + 1) * K + k0, A + (i + 2) * K + k0, A + (i + 3) * K + k0, Bp, N,
                   C + i * N + j0, C + (i + 1) * N + j0, C + (i + 2) * N + j0, C + (i + 3) * N + j0, kn, nn);
        for (; i < ie; ++i) rows1<T>(A + i * K + k0, Bp, N, C + i * N + j0, kn, nn);
      }
    }
  };
  const int64_t work = M * N * K;
  if (allow_parallel && work >= (int64_t(1) << 18) && M >= 8) {
    // Split rows in multiples of 4.
    int64_t blocks = (M + 3) / 4;
    parallel_for(blocks, 1, [&](int64_t b, int64_t e) { run_rows(b * 4, std::min(M, e * 4)); });
  } else {
    run_rows(0, M);
  }
}

template <class T>
void transpose2d(const T* src, T* dst, int64_t rows, int64_t cols) {
  for (int64_t i0 = 0; i0 < rows; i0 += 32)
    for (int64_t j0 = 0; j0 < cols; j0 += 32)
      for (int64_t i = i0; i < std::min(rows, i0 + 32); ++i)
        for (int64_t j = j0; j < std::min(cols, j0 + 32); ++j) dst[j * rows + i] = src[i * cols + j];
}

// Matrix offsets in A and B (in matrices) of output batch entry bi, with
// broadcast batch dims (stride 0 where an operand is broadcast).
inline void batch_offsets(int64_t bi, const std::vector<int64_t>& odims, const std::vector<int64_t>& sa,
                          const std::vector<int64_t>& sb, int64_t* oa, int64_t* ob) {
  *oa = *ob = 0;
  for (int i = static_cast<int>(odims.size()) - 1; i >= 0; --i) {
    const int64_t id = bi % odims[i];
    bi /= odims[i];
    *oa += id * sa[i];
    *ob += id * sb[i];
  }
}

// Calls one(bi, threads) for each matrix product of a batch: products under
// 1M multiply-adds are spread over the batch, one thread each; bigger ones
// run in turn, each free to use the threads itself.
template <class F>
void for_each_matrix(int64_t batch, int64_t macs, F&& one) {
  if (batch > 1 && macs < (int64_t(1) << 20)) {
    parallel_for(batch, std::max<int64_t>(1, (int64_t(1) << 16) / std::max<int64_t>(macs, 1)),
                 [&](int64_t b0, int64_t b1) {
                   for (int64_t bi = b0; bi < b1; ++bi) one(bi, false);
                 });
  } else {
    for (int64_t bi = 0; bi < batch; ++bi) one(bi, true);
  }
}

template <class T>
void matmul_typed(const Tensor& a, const Tensor& b, bool ta, bool tb, const Tensor& out) {
  const int ra = a.ndim(), rb = b.ndim(), ro = out.ndim();
  const int64_t ar = a.dim(ra - 2), ac = a.dim(ra - 1), br = b.dim(rb - 2), bc = b.dim(rb - 1);
  const int64_t M = ta ? ac : ar, K = ta ? ar : ac, N = tb ? br : bc;
  const int64_t batch = out.numel() / std::max<int64_t>(M * N, 1);
  if (out.numel() == 0) return;
  // Batch strides (in matrices) with broadcasting.
  const int nb = ro - 2;
  std::vector<int64_t> odims(nb), sa(nb, 0), sb(nb, 0);
  {
    int64_t s1 = 1, s2 = 1;
    for (int i = nb - 1; i >= 0; --i) {
      odims[i] = out.dim(i);
      int ia = ra - 2 - nb + i, ib = rb - 2 - nb + i;
      int64_t da = ia >= 0 ? a.dim(ia) : 1, db = ib >= 0 ? b.dim(ib) : 1;
      sa[i] = da == 1 ? 0 : s1;
      sb[i] = db == 1 ? 0 : s2;
      s1 *= da;
      s2 *= db;
    }
  }
  const T* pa = a.data<T>();
  const T* pb = b.data<T>();
  T* po = out.mutable_data<T>();
  const int64_t asz = ar * ac, bsz = br * bc;
  if constexpr (std::is_floating_point_v<T>) {
    // The packed GEMM reads transposed operands through strides.
    const int64_t rsa = ta ? 1 : ac, csa = ta ? ac : 1, rsb = tb ? 1 : bc, csb = tb ? bc : 1;
    auto gemm = [&](int64_t m, int64_t n, int64_t k, const T* A, int64_t ra, int64_t ca, const T* B, int64_t rb,
                    int64_t cb, T* C) {
      if constexpr (std::is_same_v<T, float>) gemm_f32(m, n, k, A, ra, ca, B, rb, cb, C, true);
      else gemm_f64(m, n, k, A, ra, ca, B, rb, cb, C, true);
    };
    if (batch > 1) {
      const int64_t na = a.numel() / std::max<int64_t>(asz, 1), nbm = b.numel() / std::max<int64_t>(bsz, 1);
      bool a_batched = false, b_batched = false;
      for (int i = 0; i < nb; ++i) {
        a_batched |= sa[i] != 0;
        b_batched |= sb[i] != 0;
      }
      // A stack of matrices times one matrix: one GEMM over all their rows.
      if (a_batched && !b_batched && !ta && na == batch) {
        gemm(batch * M, N, K, pa, ac, 1, pb, rsb, csb, po);
        return;
      }
      // One matrix times a stack of column vectors (jacobian sweeps): the
      // transposed product stacks the vectors as rows, one GEMM, no copies:
      // out[b]^T = op(B[b])^T @ op(A)^T.
      if (!a_batched && b_batched && N == 1 && nbm == batch) {
        gemm(batch, M, K, pb, K, 1, pa, csa, rsa, po);
        return;
      }
    }
    auto one = [&](int64_t bi, bool par) {
      int64_t oa, ob;
      batch_offsets(bi, odims, sa, sb, &oa, &ob);
      if constexpr (std::is_same_v<T, float>)
        gemm_f32(M, N, K, pa + oa * asz, rsa, csa, pb + ob * bsz, rsb, csb, po + bi * M * N, par);
      else
        gemm_f64(M, N, K, pa + oa * asz, rsa, csa, pb + ob * bsz, rsb, csb, po + bi * M * N, par);
    };
    for_each_matrix(batch, M * N * K, one);
    return;
  }
  // Pack transposed operands once per distinct matrix.
  std::vector<T> packA, packB;
  const int64_t na = a.numel() / std::max<int64_t>(asz, 1), nbm = b.numel() / std::max<int64_t>(bsz, 1);
  if (ta) {
    packA.resize(a.numel());
    for (int64_t m = 0; m < na; ++m) transpose2d(pa + m * asz, packA.data() + m * asz, ar, ac);
    pa = packA.data();
  }
  if (tb) {
    packB.resize(b.numel());
    for (int64_t m = 0; m < nbm; ++m) transpose2d(pb + m * bsz, packB.data() + m * bsz, br, bc);
    pb = packB.data();
  }
  auto one = [&](int64_t bi, bool par) {
    int64_t oa, ob;
    batch_offsets(bi, odims, sa, sb, &oa, &ob);
    gemm<T>(pa + oa * asz, pb + ob * bsz, po + bi * M * N, M, N, K, par);
  };
  for_each_matrix(batch, M * N * K, one);
}

}  // namespace

void matmul(const Tensor& a, const Tensor& b, bool ta, bool tb, const Tensor& out) {
  if (a.dtype() == DType::Float64) return matmul_typed<double>(a, b, ta, tb, out);
  if (a.dtype() == DType::Float32) return matmul_typed<float>(a, b, ta, tb, out);
  if (a.dtype() == DType::Int32) return matmul_typed<int32_t>(a, b, ta, tb, out);
  if (a.dtype() == DType::Int64) return matmul_typed<int64_t>(a, b, ta, tb, out);
  throw InvalidArgument("matmul is not defined for bool tensors");
}

}  // namespace kernels
}  // namespace fasttape
