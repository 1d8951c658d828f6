"""fasttape.function, TensorSpec and TensorShape's spec methods: the
decorator forms, input_signature binding with TensorFlow's errors, methods,
gradients through decorated functions, concrete functions."""
import numpy as np
import pytest

import fasttape as tf


def test_decorator_with_and_without_arguments():
    @tf.function
    def f(x):
        return x * 2.0

    @tf.function(jit_compile=True, reduce_retracing=True, autograph=False)
    def g(x):
        return x + 1.0

    np.testing.assert_allclose(f(tf.constant([1.0, 2.0])).numpy(), [2.0, 4.0])
    np.testing.assert_allclose(g(tf.constant(1.0)).numpy(), 2.0)
    assert f.python_function.__name__ == "f" and f.__name__ == "f"
    assert tf.function(lambda: 3)() == 3


def test_python_side_effects_run_every_call():
    seen = []

    @tf.function
    def f(x):
        seen.append(1)
        return x

    f(1.0)
    f(2.0)
    assert len(seen) == 2


def test_gradients_flow_through_decorated_functions():
    @tf.function
    def loss(w, x):
        return tf.reduce_sum(tf.square(w * x))

    w = tf.Variable([1.0, 2.0])
    x = tf.constant([3.0, 4.0])
    with tf.GradientTape() as tape:
        y = loss(w, x)
    np.testing.assert_allclose(tape.gradient(y, w).numpy(), 2 * np.array([1.0, 2.0]) * np.array([9.0, 16.0]))
    # Second order through a nested function.
    v = tf.constant(3.0)
    with tf.GradientTape() as t2:
        t2.watch(v)
        with tf.GradientTape() as t1:
            t1.watch(v)
            y = tf.function(lambda a: a ** 3)(v)
        dy = t1.gradient(y, v)
    np.testing.assert_allclose(t2.gradient(dy, v).numpy(), 18.0)


def test_input_signature_converts_and_rejects_as_tensorflow():
    f = tf.function(lambda x: x * 2, input_signature=[tf.TensorSpec([None], tf.float32)])
    out = f([1.0, 2.0])
    assert out.dtype == tf.float32
    np.testing.assert_allclose(out.numpy(), [2.0, 4.0])
    with pytest.raises(TypeError, match=r"Can not cast TensorSpec\(shape=\(1, 1\).*to TensorSpec\(shape=\(None,\)"):
        f(tf.constant([[1.0]]))
    with pytest.raises(TypeError, match="int32"):
        f(tf.constant([1], tf.int32))
    with pytest.raises(TypeError, match="Can not cast"):
        f(3.0)
    with pytest.raises(TypeError, match="too many positional arguments"):
        f(tf.constant([1.0]), tf.constant([2.0]))
    with pytest.raises(TypeError, match="input_signature must be"):
        tf.function(lambda x: x, input_signature=[np.float32])


def test_input_signature_with_nested_specs_and_keywords():
    @tf.function(input_signature=[(tf.TensorSpec([2], tf.float64), tf.TensorSpec(None, tf.int32))])
    def f(pair):
        a, b = pair
        return a * tf.cast(tf.reduce_sum(b), tf.float64)

    np.testing.assert_allclose(f(([1.0, 2.0], [[1, 2], [3, 4]])).numpy(), [10.0, 20.0])

    @tf.function(input_signature=[tf.TensorSpec([], tf.float32)])
    def g(x, scale=3.0):
        return x * scale

    np.testing.assert_allclose(g(x=2.0).numpy(), 6.0)


def test_methods_bind_to_instances():
    class Model(tf.Module):
        def __init__(self):
            super().__init__()
            self.w = tf.Variable(2.0)

        @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
        def __call__(self, x):
            return self.w * x

    m = Model()
    np.testing.assert_allclose(m([1.0, 3.0]).numpy(), [2.0, 6.0])
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(m([1.0, 3.0]))
    np.testing.assert_allclose(tape.gradient(y, m.w).numpy(), 4.0)


def test_concrete_function_records_its_signature():
    @tf.function
    def f(x, y=2):
        return x * y

    c = f.get_concrete_function(tf.TensorSpec([2], tf.float32))
    args, kwargs = c.structured_input_signature
    assert args == (tf.TensorSpec([2], tf.float32, name="x"), 2) and kwargs == {}
    np.testing.assert_allclose(c(tf.constant([1.0, 2.0])).numpy(), [2.0, 4.0])
    with pytest.raises(TypeError, match="does not fit"):
        c(tf.constant([1, 2]))
    c2 = f.get_concrete_function(tf.constant([1.0, 2.0, 3.0]))
    assert c2.structured_input_signature[0][0].shape == (3,)


def test_run_functions_eagerly_setting():
    assert tf.config.functions_run_eagerly() is False
    tf.config.run_functions_eagerly(True)
    try:
        assert tf.config.functions_run_eagerly() is True
    finally:
        tf.config.run_functions_eagerly(False)


def test_tensor_spec():
    s = tf.TensorSpec([None, 3], tf.float64, name="x")
    assert repr(s) == "TensorSpec(shape=(None, 3), dtype=%r, name='x')" % tf.float64
    assert s.is_compatible_with(tf.zeros([2, 3], tf.float64))
    assert not s.is_compatible_with(tf.zeros([2, 3]))
    assert not s.is_compatible_with(tf.zeros([2, 4], tf.float64))
    assert tf.TensorSpec(None).is_compatible_with(tf.zeros([1, 2, 3]))
    assert tf.TensorSpec.from_tensor(tf.constant([1, 2])) == tf.TensorSpec([2], tf.int32)
    assert s != tf.TensorSpec([None, 3], tf.float64)
    assert len({s, tf.TensorSpec([None, 3], tf.float64, name="x")}) == 1
    assert s.most_specific_common_supertype([tf.TensorSpec([4, 3], tf.float64)]).shape == (None, 3)


def test_tensor_shape_methods():
    S = tf.TensorShape
    assert S([None, 3]).merge_with([2, None]) == (2, 3)
    with pytest.raises(ValueError, match=r"Shapes \(2, 3\) and \(2, 4\) are not compatible"):
        S([2, 3]).merge_with([2, 4])
    with pytest.raises(ValueError, match=r"Shapes \(2, 3\) and \[3\] are incompatible"):
        S([2, 3]).assert_is_compatible_with([3])
    S([2, 3]).assert_is_compatible_with([None, 3])
    assert S([2, 3]).is_compatible_with(S(None))
    assert S([None, 3]).num_elements() is None and S([2, 3]).num_elements() == 6
    assert S([2, 3]).as_list() == [2, 3] and S([2, 3]).rank == 2
    unknown = S(None)
    assert unknown.rank is None and unknown.ndims is None and str(unknown) == "<unknown>"
    assert repr(unknown) == "TensorShape(None)" and unknown == S(None) and unknown != S([])
    with pytest.raises(ValueError, match="unknown rank"):
        len(unknown)
    with pytest.raises(ValueError, match="as_list"):
        unknown.as_list()
    assert unknown.merge_with([1, 2]) == (1, 2)
    assert S([1]) + S([2, 3]) == (1, 2, 3)
    assert S([1, 2]).most_specific_compatible_shape([1, 5]) == (1, None)
    with pytest.raises(ValueError, match="must have rank 3"):
        S([1, 2]).assert_has_rank(3)
