"""fasttape.function, TensorSpec and TensorShape's spec methods: the
decorator forms, input_signature binding with TensorFlow's errors, methods,
gradients through decorated functions, concrete functions."""
import collections

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
    # TensorFlow: InvalidArgumentError naming the expected and given dtypes.
    with pytest.raises(tf.errors.InvalidArgumentError, match="expected to be a float tensor but is a int32 tensor"):
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


def test_results_come_back_as_tensors():
    # TensorFlow returns a traced function's outputs as tensors: Python
    # numbers, numpy arrays and Variables are converted, None is kept, and the
    # structure (lists, tuples, dicts, namedtuples) is rebuilt.
    v = tf.Variable(3.0)
    out = tf.function(lambda: 3)()
    assert type(out) is type(tf.constant(0)) and out.dtype == tf.int32 and int(out) == 3
    out = tf.function(lambda: (1, None, [2.5], {"v": v, "a": np.arange(2)}))()
    assert out[1] is None and out[2][0].dtype == tf.float32 and float(out[2][0]) == 2.5
    assert tf.is_tensor(out[3]["v"]) and float(out[3]["v"]) == 3.0
    assert out[3]["a"].dtype == tf.int64 and out[3]["a"].numpy().tolist() == [0, 1]
    P = collections.namedtuple("P", "a b")
    out = tf.function(lambda: P(1, tf.constant(2.0)))()
    assert type(out) is P and out.a.dtype == tf.int32

    def fact(n):
        return 1 if n <= 1 else n * fact_f(n - 1)

    fact_f = tf.function(fact)
    r = fact_f(5)  # recursion through the decorated function
    assert tf.is_tensor(r) and r.dtype == tf.int32 and int(r) == 120


def test_result_that_is_no_tensor_raises_type_error():
    with pytest.raises(TypeError, match="must return zero or more Tensors or ExtensionTypes or None values; .*"
                                        "found return value of type object, which is not a Tensor"):
        tf.function(lambda: object())()
    # With functions running eagerly TensorFlow returns values untouched.
    tf.config.run_functions_eagerly(True)
    try:
        assert tf.function(lambda: 3)() == 3
    finally:
        tf.config.run_functions_eagerly(False)


def test_returned_variable_is_a_read_the_tape_sees():
    class M(tf.Module):
        def __init__(self):
            super().__init__()
            self.v = tf.Variable(2.0)

        @tf.function
        def f(self):
            return self.v

    m = M()
    with tf.GradientTape() as tape:
        y = m.f() * 3.0
    assert float(tape.gradient(y, m.v)) == 3.0


def test_signature_containers_must_match():
    @tf.function(input_signature=[(tf.TensorSpec([]), tf.TensorSpec([]))])
    def f(t):
        return t[0] + t[1]

    assert float(f((1.0, 2.0))) == 3.0
    with pytest.raises(TypeError, match=r"failed due to `Can not cast \[1.0, 2.0\] to tuple type.`"):
        f([1.0, 2.0])
    with pytest.raises(TypeError, match=r"failed due to `Expected \(1.0,\) to have length of 2`"):
        f((1.0,))

    @tf.function(input_signature=[{"a": tf.TensorSpec([]), "b": [tf.TensorSpec([2], tf.int32)]}])
    def g(d):
        return d["a"]

    with pytest.raises(TypeError, match=r"`\{'a': 1.0\} has different keys with the TraceType Dict\[\['a', "
                                        r"TensorSpec\(.*\)\], \['b', List\[TensorSpec\(.*\)\]\]\]\.`"):
        g({"a": 1.0})
    with pytest.raises(TypeError, match=r"Can not cast \(\[1, 2\],\) to list type."):
        g({"a": 1.0, "b": ([1, 2],)})


def test_signature_conversion_errors():
    @tf.function(input_signature=[tf.TensorSpec([], tf.bool)])
    def f(x):
        return x

    assert bool(f(True)) is True
    with pytest.raises(TypeError, match="failed due to `Cannot convert 1 to EagerTensor of dtype bool`"):
        f(1)
    with pytest.raises(TypeError,
                       match=r"^input_signature must be either a tuple or a list, got <class '.*TensorSpec'>\.$"):
        tf.function(lambda x: x, input_signature=tf.TensorSpec([]))
    with pytest.raises(TypeError, match=r"got invalid args \[1\] with types \[<class 'int'>\]\.$"):
        tf.function(lambda x: x, input_signature=[1])
    with pytest.raises(TypeError, match="^3 is not a callable object$"):
        tf.function(3)


def test_signature_function_is_a_function():
    f = tf.function(lambda x: x, input_signature=[tf.TensorSpec([])])
    g = tf.function(lambda x: x)
    assert isinstance(f, type(g)) and type(f).__name__ == "Function"


def test_concrete_function_keeps_python_values():
    @tf.function
    def h(x, y=2):
        return x + y

    c = h.get_concrete_function(tf.constant(1), 3)
    assert c.structured_input_signature == ((tf.TensorSpec([], tf.int32, name="x"), 3), {})
    assert int(c(tf.constant(5))) == 8  # the 3 given to get_concrete_function, not the default
    c = h.get_concrete_function(x=tf.TensorSpec([]), y=1)
    assert c.structured_input_signature == ((tf.TensorSpec([], tf.float32, name="x"), 1), {})
    assert float(c(x=tf.constant(2.0))) == 3.0
    c = h.get_concrete_function([tf.TensorSpec([2]), tf.TensorSpec([])], 1)
    assert c.structured_input_signature[0][0] == [tf.TensorSpec([2], name="x_0"), tf.TensorSpec([], name="x_1")]
    # Shapes are not checked by an eager call of a concrete function (as TensorFlow).
    c = h.get_concrete_function(tf.TensorSpec([2]))
    assert c(tf.constant([1.0, 2.0, 3.0])).shape == (3,)
    with pytest.raises(TypeError, match="too many positional arguments"):
        c(tf.constant([1.0, 2.0]), 1, 3)


def test_dataset_result_is_returned_as_is():
    ds = tf.data.Dataset.range(3)
    assert tf.function(lambda: ds)() is ds
