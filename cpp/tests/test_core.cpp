// C++ tests of the core, without Python: values, first and higher-order
// gradients through the RAII GradientTape, broadcasting, matmul, and the
// non-persistent tape's single gradient call.
#include <cmath>
#include <vector>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <fasttape/fasttape.hpp>

#include "check.hpp"

using namespace fasttape;

using fttest::check;

static void check_close(double got, double want, const std::string& what, double tol = 1e-10) {
  check(std::fabs(got - want) <= tol * (1 + std::fabs(want)),
        what + ": got " + std::to_string(got) + ", want " + std::to_string(want));
}

static void second_derivative_of_cube() {
  // y = x^3 at x = 2: dy/dx = 3x^2 = 12, d2y/dx2 = 6x = 12, d3y/dx3 = 6.
  Tensor x = Tensor::scalar(2.0, DType::Float64);
  GradientTape t3;
  t3.watch(x);
  GradientTape t2;
  t2.watch(x);
  Tensor dy, d2y;
  {
    GradientTape t1;
    t1.watch(x);
    Tensor y = x * x * x;
    dy = t1.gradient(y, x);
  }
  d2y = t2.gradient(dy, x);
  t2.stop();
  Tensor d3y = t3.gradient(d2y, x);
  check_close(dy.item(), 12.0, "dy/dx of x^3");
  check_close(d2y.item(), 12.0, "d2y/dx2 of x^3");
  check_close(d3y.item(), 6.0, "d3y/dx3 of x^3");
}

static void second_derivative_of_sin_exp() {
  // f(x) = sin(x) * exp(x): f'' = 2 cos(x) exp(x).
  const double v = 0.7;
  Tensor x = Tensor::scalar(v, DType::Float64);
  GradientTape outer;
  outer.watch(x);
  Tensor g;
  {
    GradientTape inner;
    inner.watch(x);
    Tensor f = multiply(sin(x), exp(x));
    g = inner.gradient(f, x);
  }
  Tensor h = outer.gradient(g, x);
  check_close(g.item(), (std::sin(v) + std::cos(v)) * std::exp(v), "f' of sin*exp");
  check_close(h.item(), 2 * std::cos(v) * std::exp(v), "f'' of sin*exp");
}

static void broadcasting_and_reductions() {
  double av[6] = {1, 2, 3, 4, 5, 6};
  double bv[3] = {10, 20, 30};
  Tensor a = Tensor::from_data(av, Shape{2, 3}, DType::Float64);
  Tensor b = Tensor::from_data(bv, Shape{3}, DType::Float64);
  GradientTape t(true);
  t.watch(a);
  t.watch(b);
  Tensor s = reduce_sum(a * b);  // sum_ij a_ij b_j
  check_close(s.item(), 10 + 40 + 90 + 40 + 100 + 180, "sum(a*b)");
  Tensor ga = t.gradient(s, a), gb = t.gradient(s, b);
  auto gav = ga.to_vector(), gbv = gb.to_vector();
  check(ga.shape() == Shape({2, 3}) && gb.shape() == Shape({3}), "gradient shapes follow the sources");
  check_close(gav[4], 20, "d/da[1,1]");
  check_close(gbv[0], 1 + 4, "d/db[0] sums over the broadcast rows");
  Tensor m = reduce_mean(a, Axes{-1}, true);
  check(m.shape() == Shape({2, 1}), "reduce_mean keepdims shape");
  check_close(m.to_vector()[1], 5, "row mean");
}

static void matmul_gradient() {
  double av[6] = {1, 2, 3, 4, 5, 6};     // 2x3
  double bv[6] = {1, 0, -1, 2, 0.5, 1};  // 3x2
  Tensor a = Tensor::from_data(av, Shape{2, 3}, DType::Float64);
  Tensor b = Tensor::from_data(bv, Shape{3, 2}, DType::Float64);
  GradientTape t;
  t.watch(a);
  Tensor c = matmul(a, b);
  check_close(c.to_vector()[0], 1 * 1 + 2 * -1 + 3 * 0.5, "matmul value");
  Tensor ga = t.gradient(reduce_sum(c), a);  // row sums of b, for every row of a
  auto v = ga.to_vector();
  check_close(v[0], 1, "d sum(ab)/da[0,0]");
  check_close(v[1], 1, "d sum(ab)/da[0,1]");
  check_close(v[5], 1.5, "d sum(ab)/da[1,2]");
}

static void non_persistent_tape_single_use() {
  Tensor x = Tensor::scalar(3.0, DType::Float32);
  GradientTape t;
  t.watch(x);
  Tensor y = x * x;
  t.stop();
  check_close(t.gradient(y, x).item(), 6.0, "dy/dx of x^2", 1e-6);
  bool threw = false;
  try {
    t.gradient(y, x);
  } catch (const TapeError&) {
    threw = true;
  }
  check(threw, "second gradient on a non-persistent tape throws");
}

static void errors_name_op_and_shapes() {
  Tensor a = Tensor::zeros(Shape{2, 3}, DType::Float32), b = Tensor::zeros(Shape{4}, DType::Float32);
  std::string msg;
  try {
    add(a, b);
  } catch (const InvalidArgument& e) {
    msg = e.what();
  }
  check(msg.find("add") != std::string::npos && msg.find("[2,3]") != std::string::npos &&
            msg.find("[4]") != std::string::npos,
        "shape error names op and shapes: " + msg);
}

static void unwatched_gives_no_gradient() {
  Tensor x = Tensor::scalar(1.0, DType::Float64);
  GradientTape t;
  Tensor y = x * x;
  check(!t.gradient(y, x).defined(), "gradient w.r.t. an unwatched tensor is undefined (None)");
}

// Reading a trainable variable while a tape records watches its value on
// the tape, which remembers the variable; an assign in between makes a
// second value, and the gradient with respect to the variable sums both.
static void variables_are_watched_when_read() {
  Variable w(Tensor::scalar(3.0, DType::Float64));
  Variable frozen(Tensor::scalar(5.0, DType::Float64), /*trainable=*/false);
  GradientTape t(true);
  Tensor y = w.read() * w.read() + frozen.read();  // w^2 + c
  w.assign(Tensor::scalar(2.0, DType::Float64));   // the tape saved the old value: a fresh one is installed
  Tensor z = y + w.read();                         // + w'
  const auto& vars = t.tape().watched_variables();
  check(vars.size() == 1 && vars[0].var == &w, "only the trainable variable is watched");
  const std::vector<Tensor>& values = t.tape().watched_values(w);
  check(values.size() == 2, "both values of w are watched");
  double g = 0;
  for (const Tensor& v : values) {
    Tensor gv = t.gradient(z, v);
    if (gv.defined()) g += gv.item();
  }
  check_close(g, 2 * 3.0 + 1.0, "dz/dw summed over its values");
  check(!t.gradient(z, frozen.value()).defined(), "a non-trainable variable read is not watched");
  t.stop();
  Tensor after = w.read() * 2.0;
  check(t.tape().watched_values(w).size() == 2, "reads after the tape stopped are not watched");
  (void)after;
}

// A fused Adam step from C++ (fasttape/optim.hpp) against Keras's formula
// written out; in place when nothing else holds the value, and a value a
// caller still holds is left unchanged.
static void fused_adam_step() {
  const double x0[3] = {1.0, -2.0, 0.5}, g0[3] = {0.5, 2.0, -1.0};
  Variable x(Tensor::from_data(x0, Shape({3}), DType::Float64));
  Variable m(Tensor::zeros(Shape({3}), DType::Float64)), v(Tensor::zeros(Shape({3}), DType::Float64));
  Tensor g = Tensor::from_data(g0, Shape({3}), DType::Float64);
  optim::Params p;
  p.learning_rate = 0.01;
  p.step = 1;
  Variable* slots[2] = {&m, &v};
  const void* before = x.value().raw();
  optim::apply(optim::Rule::Adam, x, g, slots, 2, p);
  check(x.value().raw() == before, "the variable is updated in place");
  const double alpha = 0.01 * std::sqrt(1 - 0.999) / (1 - 0.9);
  std::vector<double> got = x.value().to_vector();
  for (int i = 0; i < 3; ++i) {
    const double mi = 0.1 * g0[i], vi = 0.001 * g0[i] * g0[i];
    check_close(got[i], x0[i] - mi * alpha / (std::sqrt(vi) + 1e-7), "Adam step element " + std::to_string(i), 1e-15);
  }
  Tensor held = x.value();  // a caller holds the value: the step must not change it
  const double kept = held.to_vector()[0];
  optim::apply(optim::Rule::Adam, x, g, slots, 2, p);
  check(held.to_vector()[0] == kept && x.value().raw() != held.raw(), "a held value is copied, not overwritten");
  bool threw = false;
  try {
    optim::apply(optim::Rule::Adam, x, Tensor::zeros(Shape({2}), DType::Float64), slots, 2, p);
  } catch (const InvalidArgument& e) {
    threw = std::string(e.what()).find("Adam update: the gradient has shape [2]") != std::string::npos;
  }
  check(threw, "a misshapen gradient names the rule and the shapes");
}

int main() {
  second_derivative_of_cube();
  second_derivative_of_sin_exp();
  broadcasting_and_reductions();
  matmul_gradient();
  non_persistent_tape_single_use();
  errors_name_op_and_shapes();
  unwatched_gives_no_gradient();
  variables_are_watched_when_read();
  fused_adam_step();
  return fttest::report();
}
