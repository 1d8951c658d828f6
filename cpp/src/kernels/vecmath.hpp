// Vectorised transcendental functions.
//
// glibc's libmvec provides SIMD versions of expf, logf, tanhf, ... for SSE,
// AVX2 and AVX-512 (accurate to a few ulp). Declaring the scalar functions
// with the `simd` attribute lets the compiler call those versions from the
// vectorised loops of each target clone (FT_MULTIVERSION), so exp, log,
// tanh, sigmoid, sin and cos run at vector speed in every ISA the loader
// picks. Requires -fno-math-errno (set for fasttape_core). Elsewhere the
// plain scalar libm calls are used.
#pragma once

#include <cmath>

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__GLIBC__) && \
    !defined(FASTTAPE_NO_MULTIVERSION)
#define FT_VECMATH 1
#define FT_SIMD_DECL(T, NAME) T NAME(T) noexcept __attribute__((simd("notinbranch")));
extern "C" {
FT_SIMD_DECL(float, expf)
FT_SIMD_DECL(float, logf)
FT_SIMD_DECL(float, sinf)
FT_SIMD_DECL(float, cosf)
FT_SIMD_DECL(float, tanhf)
FT_SIMD_DECL(float, log1pf)
FT_SIMD_DECL(float, expm1f)
FT_SIMD_DECL(float, erff)
FT_SIMD_DECL(double, exp)
FT_SIMD_DECL(double, log)
FT_SIMD_DECL(double, sin)
FT_SIMD_DECL(double, cos)
FT_SIMD_DECL(double, tanh)
FT_SIMD_DECL(double, log1p)
FT_SIMD_DECL(double, expm1)
FT_SIMD_DECL(double, erf)
}
float powf(float, float) noexcept __attribute__((simd("notinbranch")));
double pow(double, double) noexcept __attribute__((simd("notinbranch")));
#undef FT_SIMD_DECL
#endif
