// fasttape's public C++ API: tensors, ops, variables and the RAII GradientTape.
//
//   #include <fasttape/fasttape.hpp>
//   using namespace fasttape;
//   Tensor x = Tensor::scalar(3.0, DType::Float64);
//   GradientTape outer;  outer.watch(x);
//   GradientTape inner;  inner.watch(x);
//   Tensor y = x * x * x;
//   Tensor dy = inner.gradient(y, x);   // 3x^2, recorded by `outer`
//   inner.stop();
//   Tensor d2y = outer.gradient(dy, x); // 6x
#pragma once

#include "fasttape/dtype.hpp"
#include "fasttape/error.hpp"
#include "fasttape/ops.hpp"
#include "fasttape/ops_index.hpp"
#include "fasttape/ops_math.hpp"
#include "fasttape/ops_nn.hpp"
#include "fasttape/optim.hpp"
#include "fasttape/registry.hpp"
#include "fasttape/shape.hpp"
#include "fasttape/tape.hpp"
#include "fasttape/tensor.hpp"
#include "fasttape/variable.hpp"
