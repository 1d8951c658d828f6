"""TensorFlow's GradientTape tutorial (shared/seed/gradient_tape_tutorial.md),
run unchanged except for the import. Its output matches TensorFlow's line for
line (checked by shared/checks/seed_check.py)."""
import warnings
warnings.filterwarnings(action='ignore')

import fasttape as tf

# 1. Gradient tape: d(sum(x)^2)/dx for x = ones(2, 2).
x = tf.ones((2, 2))

with tf.GradientTape() as t:
    t.watch(x)
    y = tf.reduce_sum(x)
    z = tf.multiply(y, y)

print("y : ",y)
print("z : ",z)

dz_dx = t.gradient(z, x)
for i in [0, 1]:
    for j in [0, 1]:
        assert dz_dx[i][j].numpy() == 8.0

print("dz_dx : ",dz_dx)

# Gradient with respect to an intermediate value.
x = tf.ones((2, 2))

with tf.GradientTape() as t:
    t.watch(x)
    y = tf.reduce_sum(x)
    z = tf.multiply(y, y)

print("y : ",y)
print("z : ",z)

dz_dy = t.gradient(z, y)
assert dz_dy.numpy() == 8.0

print("dz_dy : ",dz_dy)

# A persistent tape allows several gradient calls.
x = tf.constant(3.0)

with tf.GradientTape(persistent=True) as t:
    t.watch(x)
    y = x * x
    z = y * y

dz_dx = t.gradient(z, x)  # 108.0 (4*x^3 at x = 3)
dy_dx = t.gradient(y, x)  # 6.0
del t

print("dz_dx : ",dz_dx)
print("dy_dx : ",dy_dx)


# 1.1 Python control flow is recorded as it runs.
def f(x, y):
    output = 1.0
    for i in range(y):
        if i > 1 and i < 5:
            output = tf.multiply(output, x)
    return output

def grad(x, y):
    with tf.GradientTape() as t:
        t.watch(x)
        out = f(x, y)
    return t.gradient(out, x)

x = tf.convert_to_tensor(2.0)

print(grad(x, 6).numpy())
print(grad(x, 5).numpy())
print(grad(x, 4).numpy())

# 1.2 Higher-order gradients: nested tapes.
x = tf.Variable(1.0)

with tf.GradientTape() as t:
    with tf.GradientTape() as t2:
        y = x * x * x
    dy_dx = t2.gradient(y, x)
d2y_dx2 = t.gradient(dy_dx, x)

print(dy_dx.numpy())
print(d2y_dx2.numpy())
