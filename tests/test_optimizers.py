"""fasttape.keras.optimizers: Keras 3's update rules, checked over 200 steps
against numpy references written from the documented formulas, and the
optimizer API around them (None gradients, minimize, learning-rate
variables and schedules, clipping, weight decay, configs, slot state)."""
import math
import warnings

import numpy as np
import pytest

import fasttape as tf

K = tf.keras.optimizers
S = K.schedules


# ----------------------------------------------------------------- references
# Each reference takes (x, g, state, t, dtype) with t the 1-based step and
# returns the new x; `state` is a dict of numpy slots it keeps.
def ref_sgd(lr, momentum=0.0, nesterov=False):
    def step(x, g, st, t, dt):
        if momentum == 0:
            return x - g * dt(lr)
        m = st.setdefault("m", np.zeros_like(x))
        m[...] = -g * dt(lr) + m * dt(momentum)
        return x + (-g * dt(lr) + m * dt(momentum)) if nesterov else x + m
    return step


def ref_adam(lr, b1=0.9, b2=0.999, eps=1e-7, amsgrad=False, wd=None):
    def step(x, g, st, t, dt):
        if wd:
            x = x - x * dt(wd) * dt(lr)
        m = st.setdefault("m", np.zeros_like(x))
        v = st.setdefault("v", np.zeros_like(x))
        alpha = dt(lr) * np.sqrt(dt(1) - dt(b2) ** dt(t)) / (dt(1) - dt(b1) ** dt(t))
        m += (g - m) * dt(1 - b1)
        v += (g * g - v) * dt(1 - b2)
        vv = v
        if amsgrad:
            vh = st.setdefault("vh", np.zeros_like(x))
            np.maximum(vh, v, out=vh)
            vv = vh
        return x - (m * alpha) / (np.sqrt(vv) + dt(eps))
    return step


def ref_rmsprop(lr, rho=0.9, momentum=0.0, eps=1e-7, centered=False):
    def step(x, g, st, t, dt):
        vel = st.setdefault("vel", np.zeros_like(x))
        vel[...] = dt(rho) * vel + dt(1 - rho) * (g * g)  # Keras: (1 - rho) * square(g)
        if centered:
            a = st.setdefault("a", np.zeros_like(x))
            a[...] = dt(rho) * a + dt(1 - rho) * g
            denom = vel - a * a + dt(eps)
        else:
            denom = vel + dt(eps)
        inc = dt(lr) * g / np.sqrt(denom)
        if momentum > 0:
            mo = st.setdefault("mo", np.zeros_like(x))
            mo[...] = dt(momentum) * mo + inc
            return x - mo
        return x - inc
    return step


def ref_adagrad(lr, init=0.1, eps=1e-7):
    def step(x, g, st, t, dt):
        acc = st.setdefault("acc", np.full_like(x, init))
        acc += g * g
        return x - dt(lr) * g / np.sqrt(acc + dt(eps))
    return step


def ref_adamax(lr, b1=0.9, b2=0.999, eps=1e-7):
    def step(x, g, st, t, dt):
        m = st.setdefault("m", np.zeros_like(x))
        u = st.setdefault("u", np.zeros_like(x))
        m += (g - m) * dt(1 - b1)
        u[...] = np.maximum(dt(b2) * u, np.abs(g))
        return x - (dt(lr) * m) / ((dt(1) - dt(b1) ** dt(t)) * (u + dt(eps)))
    return step


def ref_nadam(lr, b1=0.9, b2=0.999, eps=1e-7):
    def step(x, g, st, t, dt):
        m = st.setdefault("m", np.zeros_like(x))
        v = st.setdefault("v", np.zeros_like(x))
        u_t = dt(b1) * (dt(1) - dt(0.5) * dt(0.96) ** dt(t))
        u_t1 = dt(b1) * (dt(1) - dt(0.5) * dt(0.96) ** dt(t + 1))
        if t == 1:
            st["prod"] = dt(1)
        st["prod"] = st["prod"] * u_t
        up, up1 = st["prod"], st["prod"] * u_t1
        m += (g - m) * dt(1 - b1)
        v += (g * g - v) * dt(1 - b2)
        m_hat = u_t1 * m / (dt(1) - up1) + (dt(1) - u_t) * g / (dt(1) - up)
        v_hat = v / (dt(1) - dt(b2) ** dt(t))
        return x - (m_hat * dt(lr)) / (np.sqrt(v_hat) + dt(eps))
    return step


def ref_lion(lr, b1=0.9, b2=0.99):
    def step(x, g, st, t, dt):
        m = st.setdefault("m", np.zeros_like(x))
        x = x - dt(lr) * np.sign(m * dt(b1) + g * dt(1 - b1))
        m[...] = m * dt(b2) + g * dt(1 - b2)
        return x
    return step


LR32 = lambda v: float(np.float32(v))  # noqa: E731  (Keras keeps a float learning rate as a float32 variable)

CASES = {
    "sgd": (lambda: K.SGD(0.05), ref_sgd(LR32(0.05))),
    "sgd_momentum": (lambda: K.SGD(0.05, momentum=0.9), ref_sgd(LR32(0.05), 0.9)),
    "sgd_nesterov": (lambda: K.SGD(0.05, momentum=0.9, nesterov=True), ref_sgd(LR32(0.05), 0.9, True)),
    "adam": (lambda: K.Adam(0.01), ref_adam(LR32(0.01))),
    "adam_amsgrad": (lambda: K.Adam(0.01, amsgrad=True), ref_adam(LR32(0.01), amsgrad=True)),
    "adamw": (lambda: K.AdamW(0.01, weight_decay=0.1), ref_adam(LR32(0.01), wd=0.1)),
    "rmsprop": (lambda: K.RMSprop(0.01), ref_rmsprop(LR32(0.01))),
    "rmsprop_centered_momentum": (lambda: K.RMSprop(0.01, momentum=0.5, centered=True),
                                  ref_rmsprop(LR32(0.01), momentum=0.5, centered=True)),
    "adagrad": (lambda: K.Adagrad(0.1), ref_adagrad(LR32(0.1))),
    "adamax": (lambda: K.Adamax(0.01), ref_adamax(LR32(0.01))),
    "nadam": (lambda: K.Nadam(0.01), ref_nadam(LR32(0.01))),
    "lion": (lambda: K.Lion(0.001), ref_lion(LR32(0.001))),
}


def _problem(dt):
    rng = np.random.default_rng(0)
    a = rng.normal(size=(6, 6))
    a = (a @ a.T / 6 + np.eye(6)).astype(dt)
    b = rng.normal(size=6).astype(dt)
    return a, b, rng.normal(size=6).astype(dt), rng.normal(size=(2, 3)).astype(dt)


def _grads(a, b, x, y, t, dt):
    return (a @ x - b).astype(dt), (np.tanh(y) - 0.3 * np.sin(0.1 * t)).astype(dt)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("case", sorted(CASES))
def test_update_rule_matches_the_formulas_over_200_steps(case, dtype):
    make, ref = CASES[case]
    a, b, x0, y0 = _problem(dtype)
    opt = make()
    x, y = tf.Variable(x0), tf.Variable(y0)
    rx, ry, sx, sy = x0.copy(), y0.copy(), {}, {}
    for t in range(1, 201):
        gx, gy = _grads(a, b, x.numpy(), y.numpy(), t, dtype)
        opt.apply_gradients(zip([tf.constant(gx), tf.constant(gy)], [x, y]))
        rgx, rgy = _grads(a, b, rx, ry, t, dtype)
        rx, ry = ref(rx, rgx, sx, t, dtype), ref(ry, rgy, sy, t, dtype)
        rx, ry = rx.astype(dtype), ry.astype(dtype)
    rtol = 1e-6 if dtype == np.float64 else 2e-4
    if case == "rmsprop_centered_momentum" and dtype == np.float32:
        # v - a^2 cancels to a few ulps when the gradient settles: float32
        # rounding in the denominator then moves each step by up to 1e-3
        # (TensorFlow's own float32 run differs from float64 as much).
        rtol = 2e-2
    got = np.concatenate([x.numpy(), y.numpy().ravel()])
    want = np.concatenate([rx, ry.ravel()])
    assert np.max(np.abs(got - want)) <= rtol * np.max(np.abs(want)), (case, got, want)
    assert int(opt.iterations) == 200
    assert x.dtype == tf.as_dtype(dtype)


def test_float64_updates_are_exact_to_rounding():
    # One Adam step by hand: m = 0.1 g, v = 0.001 g^2, alpha = lr sqrt(0.001) / 0.1.
    x = tf.Variable(np.array([1.0, -2.0]))
    opt = K.Adam(0.01)
    opt.apply_gradients([(tf.constant([0.5, 2.0], tf.float64), x)])
    lr = float(np.float32(0.01))
    alpha = lr * math.sqrt(1 - 0.999) / (1 - 0.9)
    g = np.array([0.5, 2.0])
    want = np.array([1.0, -2.0]) - (0.1 * g * alpha) / (np.sqrt(0.001 * g * g) + 1e-7)
    np.testing.assert_allclose(x.numpy(), want, rtol=1e-14)


def test_none_gradients_are_skipped_with_keras_warning():
    x, y = tf.Variable([1.0]), tf.Variable([2.0])
    opt = K.SGD(0.5)
    with pytest.warns(UserWarning, match="Gradients do not exist for variables"):
        opt.apply_gradients([(tf.constant([1.0]), x), (None, y)])
    np.testing.assert_allclose(x.numpy(), [0.5])
    np.testing.assert_allclose(y.numpy(), [2.0])
    with pytest.raises(ValueError, match="No gradients provided for any variable"):
        opt.apply_gradients([(None, x)])


def test_minimize_with_tape_and_with_callable():
    w = tf.Variable([3.0])
    opt = K.SGD(0.1)
    with tf.GradientTape() as tape:
        loss = w * w
    opt.minimize(loss, [w], tape=tape)
    np.testing.assert_allclose(w.numpy(), [3.0 - 0.1 * 6.0], rtol=1e-6)
    opt.minimize(lambda: w * w, [w])
    np.testing.assert_allclose(w.numpy(), [2.4 - 0.1 * 4.8], rtol=1e-6)
    opt.minimize(lambda: w * w, lambda: [w])
    np.testing.assert_allclose(w.numpy(), [1.92 - 0.1 * 3.84], rtol=1e-6)
    with pytest.raises(ValueError, match="`tape` is required"):
        opt.minimize(w * w, [w])
    assert int(opt.iterations) == 3


def test_learning_rate_variable_float_and_schedule():
    lr = tf.Variable(0.5)
    w = tf.Variable([1.0])
    opt = K.SGD(lr)
    opt.apply_gradients([(tf.constant([1.0]), w)])
    lr.assign(0.25)
    opt.apply_gradients([(tf.constant([1.0]), w)])
    np.testing.assert_allclose(w.numpy(), [0.25])
    opt2 = K.SGD(0.1)
    opt2.learning_rate = 0.2
    assert abs(float(opt2.learning_rate) - 0.2) < 1e-7
    sched = S.ExponentialDecay(1.0, decay_steps=1, decay_rate=0.5)
    opt3 = K.SGD(sched)
    w3 = tf.Variable([0.0])
    for _ in range(3):
        opt3.apply_gradients([(tf.constant([-1.0]), w3)])
    np.testing.assert_allclose(w3.numpy(), [1.0 + 0.5 + 0.25])
    np.testing.assert_allclose(float(opt3.learning_rate), 0.125)


@pytest.mark.parametrize("sched,steps,want", [
    (lambda: S.ExponentialDecay(0.1, 10, 0.5, staircase=True), [0, 9, 10, 25], [0.1, 0.1, 0.05, 0.025]),
    (lambda: S.ExponentialDecay(0.1, 10, 0.5), [5], [0.1 * 0.5 ** 0.5]),
    (lambda: S.PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1]), [0, 10, 11, 20, 21], [1, 1, 0.5, 0.5, 0.1]),
    (lambda: S.CosineDecay(1.0, 100, alpha=0.1), [0, 50, 100, 200], [1.0, 0.55, 0.1, 0.1]),
    (lambda: S.CosineDecay(0.0, 100, warmup_target=1.0, warmup_steps=10), [5, 10, 60], [0.5, 1.0, 0.5]),
    (lambda: S.InverseTimeDecay(1.0, 10, 0.5), [10, 20], [1 / 1.5, 1 / 2.0]),
    (lambda: S.InverseTimeDecay(1.0, 10, 0.5, staircase=True), [15], [1 / 1.5]),
    (lambda: S.PolynomialDecay(1.0, 10, 0.0, power=2.0), [5, 10, 20], [0.25, 0.0, 0.0]),
    (lambda: S.PolynomialDecay(1.0, 10, 0.0, cycle=True), [15], [0.25]),
    (lambda: S.CosineDecayRestarts(1.0, 10), [0, 5, 10], [1.0, 0.5, 1.0]),
])
def test_schedules_follow_their_formulas(sched, steps, want):
    s = sched()
    for step, w in zip(steps, want):
        np.testing.assert_allclose(float(s(step)), w, rtol=1e-6, atol=1e-7)
    again = type(s).from_config(s.get_config())
    assert float(again(steps[-1])) == float(s(steps[-1]))


def test_clipping_options():
    g = tf.constant([3.0, 4.0])  # norm 5
    w = tf.Variable([0.0, 0.0])
    K.SGD(1.0, clipnorm=1.0).apply_gradients([(g, w)])
    np.testing.assert_allclose(w.numpy(), [-0.6, -0.8], rtol=1e-6)
    w.assign([0.0, 0.0])
    K.SGD(1.0, clipvalue=0.5).apply_gradients([(g, w)])
    np.testing.assert_allclose(w.numpy(), [-0.5, -0.5])
    w.assign([0.0, 0.0])
    w2 = tf.Variable([0.0])
    K.SGD(1.0, global_clipnorm=6.5).apply_gradients([(g, w), (tf.constant([12.0]), w2)])  # global norm 13
    np.testing.assert_allclose(w.numpy(), [-1.5, -2.0], rtol=1e-6)
    np.testing.assert_allclose(w2.numpy(), [-6.0], rtol=1e-6)
    with pytest.raises(ValueError, match="Only one of"):
        K.SGD(clipnorm=1.0, clipvalue=1.0)


def test_weight_decay_and_its_exclusions():
    a, b = tf.Variable([1.0], name="kernel"), tf.Variable([1.0], name="bias")
    opt = K.SGD(0.1, weight_decay=0.5)
    opt.exclude_from_weight_decay(var_names=["bias"])
    opt.apply_gradients([(tf.constant([0.0]), a), (tf.constant([0.0]), b)])
    np.testing.assert_allclose(a.numpy(), [1.0 - 0.05], rtol=1e-6)
    np.testing.assert_allclose(b.numpy(), [1.0])


def test_variables_slots_and_config_round_trip():
    w = tf.Variable(np.ones((2, 2), np.float32), name="w")
    opt = K.Adam(0.003, beta_1=0.8, amsgrad=True)
    opt.apply_gradients([(tf.ones((2, 2)), w)])
    names = [v.name for v in opt.variables]
    assert names[:2] == ["iteration:0", "learning_rate:0"]
    assert len(opt.variables) == 2 + 3
    assert all(not v.trainable for v in opt.variables)
    cfg = opt.get_config()
    assert cfg["beta_1"] == 0.8 and cfg["amsgrad"] is True and abs(cfg["learning_rate"] - 0.003) < 1e-9
    again = K.Adam.from_config(cfg)
    assert again.get_config() == cfg
    sched_opt = K.SGD(S.CosineDecay(0.1, 10))
    assert isinstance(K.SGD.from_config(sched_opt.get_config())._learning_rate, S.CosineDecay)
    assert isinstance(K.get("adam"), K.Adam)
    assert isinstance(K.deserialize(K.serialize(opt)), K.Adam)
    with pytest.raises(ValueError, match=r"Argument\(s\) not recognized: \{'betta_1': 0.9\}"):
        K.Adam(betta_1=0.9)


def test_slot_protocol_for_checkpoints():
    w = tf.Variable([1.0, 2.0])
    opt = K.Adam(0.1)
    opt.apply_gradients([(tf.constant([1.0, 1.0]), w)])
    slots = opt._checkpoint_slots()
    assert [(v is w, n) for v, n, _ in slots] == [(True, "momentum"), (True, "velocity")]
    fresh = K.Adam(0.1)
    fresh._restore_slot(w, "momentum", np.array([0.5, 0.5], np.float32))
    assert [n for _, n, _ in fresh._checkpoint_slots()] == ["momentum", "velocity"]
    np.testing.assert_allclose(fresh._checkpoint_slots()[0][2].numpy(), [0.5, 0.5])
    assert "iteration" in opt._checkpoint_children()


def test_update_is_in_place_unless_a_tape_holds_the_value():
    w = tf.Variable(np.ones(100000, np.float32))
    addr = np.asarray(w).__array_interface__["data"][0]
    opt = K.Adam(0.1)
    opt.apply_gradients([(tf.ones(100000), w)])
    assert np.asarray(w).__array_interface__["data"][0] == addr
    with tf.GradientTape(persistent=True) as tape:
        loss = tf.reduce_sum(w * w)
    before = w.numpy()
    opt.apply_gradients([(tf.ones(100000), w)])
    # The tape saved the old value: its gradient still sees it.
    np.testing.assert_allclose(tape.gradient(loss, w).numpy(), 2 * before)
    assert not np.allclose(w.numpy(), before)


def test_bad_gradients_raise_before_anything_changes():
    w, u = tf.Variable([1.0, 2.0]), tf.Variable([3.0])
    opt = K.SGD(0.1)
    with pytest.raises(ValueError, match=r"shape \[3\].*shape \[2\]"):
        opt.apply_gradients([(tf.constant([1.0]), u), (tf.constant([1.0, 1.0, 1.0]), w)])
    np.testing.assert_allclose(u.numpy(), [3.0])
    with pytest.raises(TypeError, match="int32"):
        opt.apply_gradients([(tf.constant([1]), tf.Variable([1]))])
    with pytest.raises(ValueError, match="use_ema"):
        K.Adam(use_ema=True)


def test_training_loop_converges():
    rng = np.random.default_rng(1)
    xs = rng.normal(size=(256, 3)).astype(np.float32)
    true_w = np.array([[1.0], [-2.0], [0.5]], np.float32)
    ys = xs @ true_w + 0.1
    w, b = tf.Variable(tf.zeros((3, 1))), tf.Variable(tf.zeros((1,)))
    opt = K.Adam(0.05)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(300):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(tf.matmul(xs, w) + b - ys))
            grads = tape.gradient(loss, [w, b])
            opt.apply_gradients(zip(grads, [w, b]))
    np.testing.assert_allclose(w.numpy(), true_w, atol=2e-2)
    np.testing.assert_allclose(b.numpy(), [0.1], atol=2e-2)


# ------------------------------------------------------- Keras 3 API details
def test_default_names_are_keras_snake_case_auto_names():
    # Keras names an unnamed optimizer after its class in snake_case, adding
    # "_1", "_2", ... for later ones; an explicit name is kept as given.
    for cls, base in [(K.SGD, "sgd"), (K.AdamW, "adam_w"), (K.RMSprop, "rm_sprop"), (K.Adagrad, "adagrad"),
                      (K.Adamax, "adamax"), (K.Nadam, "nadam"), (K.Lion, "lion"), (K.Adam, "adam")]:
        first, second = cls(), cls()
        assert first.name == base or first.name.startswith(base + "_")
        assert second.name != first.name and second.name.startswith(base + "_")
        assert first.get_config()["name"] == first.name
    assert K.SGD(name="SGD").name == "SGD"
    assert K.get("SGD").name.startswith("sgd")


def test_slot_variables_are_named_and_ordered_like_keras():
    # A slot is named "<variable name, '/' and ':' as '_'>_<slot>"; the slots
    # of one build come grouped as Keras creates them.
    def names(opt, **kw):
        w = tf.Variable(np.ones((2, 2), np.float32), name="w")
        b = tf.Variable(np.ones(2, np.float32), name="b")
        opt.apply_gradients([(tf.ones((2, 2)), w), (tf.ones(2), b)])
        return [v.name.split(":")[0] for v in opt.variables[2:]]
    assert names(K.Adam(amsgrad=True)) == ["w_0_momentum", "w_0_velocity", "b_0_momentum", "b_0_velocity",
                                           "w_0_velocity_hat", "b_0_velocity_hat"]
    assert names(K.RMSprop(momentum=0.5, centered=True)) == [
        "w_0_velocity", "b_0_velocity", "w_0_momentum", "b_0_momentum", "w_0_average_gradient",
        "b_0_average_gradient"]
    assert names(K.Adamax()) == ["w_0_momentum", "w_0_norm", "b_0_momentum", "b_0_norm"]
    assert names(K.Nadam()) == ["w_0_momentum", "w_0_velocity", "b_0_momentum", "b_0_velocity", "variable"]
    assert names(K.SGD(momentum=0.9)) == ["w_0_momentum", "b_0_momentum"]
    # Checkpoint slot names are unchanged.
    opt = K.Adamax()
    w = tf.Variable([1.0])
    opt.apply_gradients([(tf.constant([1.0]), w)])
    assert [n for _, n, _ in opt._checkpoint_slots()] == ["m", "u"]


def test_first_apply_builds_slots_for_variables_without_gradients():
    a, b = tf.Variable([1.0, 2.0], name="a"), tf.Variable([3.0], name="b")
    opt = K.Adam(0.1)
    with pytest.warns(UserWarning, match=r"Gradients do not exist for variables \['b:0'\]"):
        opt.apply_gradients([(tf.constant([1.0, 1.0]), a), (None, b)])
    assert len(opt.variables) == 2 + 4
    np.testing.assert_allclose(b.numpy(), [3.0])
    assert opt.built


def test_constructor_keyword_errors_and_ignored_decay():
    with pytest.warns(UserWarning, match="Argument `decay` is no longer supported and will be ignored"):
        opt = K.SGD(0.1, decay=0.5)
    w = tf.Variable([1.0])
    opt.apply_gradients([(tf.constant([1.0]), w)])
    np.testing.assert_allclose(w.numpy(), [0.9], rtol=1e-6)
    with pytest.raises(ValueError, match=r"Argument\(s\) not recognized: \{'lr': 0.1\}"):
        K.Adam(lr=0.1)


def test_learning_rate_assignment_rules():
    opt = K.SGD(S.ExponentialDecay(0.1, 5, 0.5))
    with pytest.raises(TypeError, match="hence its learning rate is not settable"):
        opt.learning_rate = 0.3
    # A schedule replaces a float rate; the rate variable leaves `variables`.
    opt = K.SGD(0.1)
    opt.learning_rate = S.ExponentialDecay(0.2, 5, 0.5)
    assert [v.name for v in opt.variables] == ["iteration:0"]
    np.testing.assert_allclose(float(opt.learning_rate), 0.2, rtol=1e-7)
    opt = K.Adam(0.01)
    opt.learning_rate = 0.5
    assert isinstance(opt.learning_rate, tf.Variable) and float(opt.learning_rate) == 0.5


def test_serialize_uses_keras_layout():
    sched = S.ExponentialDecay(0.1, 5, 0.5)
    s = S.serialize(sched)
    assert s == {"module": "keras.optimizers.schedules", "class_name": "ExponentialDecay",
                 "config": sched.get_config(), "registered_name": None}
    opt = K.Adam(sched, name="opt")
    ser = K.serialize(opt)
    assert ser["module"] == "keras.optimizers" and ser["class_name"] == "Adam" and ser["registered_name"] is None
    assert ser["config"]["learning_rate"] == s
    again = K.deserialize(ser)
    assert isinstance(again, K.Adam) and isinstance(again._learning_rate, S.ExponentialDecay)
    assert again.get_config() == opt.get_config()


def test_nadam_and_lion_cast_betas_to_float32_for_float32_variables():
    # Keras's Nadam and Lion cast beta_1/beta_2 to the variable's dtype before
    # computing 1 - beta, so float32 slots hold g * (1 - float32(beta)).
    f = np.float32
    g = f(0.1)
    w = tf.Variable(np.array([1.0], f))
    opt = K.Nadam()
    opt.apply_gradients([(tf.constant(np.array([g], f)), w)])
    m, v = opt.variables[2].numpy(), opt.variables[3].numpy()
    np.testing.assert_array_equal(m, [g * (f(1) - f(0.9))])
    np.testing.assert_array_equal(v, [g * g * (f(1) - f(0.999))])
    w = tf.Variable(np.array([1.0], f))
    opt = K.Lion(0.01)
    for _ in range(2):
        opt.apply_gradients([(tf.constant(np.array([g], f)), w)])
    ref = f(0)
    for _ in range(2):
        ref = f(0.99) * ref + (f(1) - f(0.99)) * g
    np.testing.assert_allclose(opt.variables[2].numpy(), [ref], rtol=3e-7)  # exact 1 - 0.99 is 9.5e-7 off


def test_mixed_dtype_call_with_a_bad_gradient_changes_nothing():
    a = tf.Variable(np.array([1.0], np.float32))
    b = tf.Variable(np.array([1.0, 2.0], np.float64))
    opt = K.Nadam(0.1)
    with pytest.raises(ValueError, match=r"variable 1 has shape \[3\]"):
        opt.apply_gradients([(tf.constant(np.array([1.0], np.float32)), a),
                             (tf.constant(np.array([1.0, 1.0, 1.0])), b)])
    np.testing.assert_array_equal(a.numpy(), [1.0])
    opt.apply_gradients([(tf.constant(np.array([1.0], np.float32)), a), (tf.constant(np.array([1.0, 1.0])), b)])
    assert a.numpy()[0] < 1.0 and b.numpy()[0] < 1.0


def test_cosine_schedules_use_a_correctly_rounded_float32_cosine():
    # 0.1 * 0.5 * (1 + cos(pi * 0.375)): cos(pi * 0.375) is 0.38268343 in
    # float32 (numpy's float32 cos gives 0.38268346, one ulp off).
    f = np.float32
    assert S.CosineDecayRestarts(0.1, 4)(7).numpy() == f(0.06913417)
    assert S.CosineDecay(0.1, 8)(3).numpy() == f(0.06913417)
    cos = f(np.cos(np.float64(f(math.pi) * f(0.375))))
    assert cos == f(0.38268343)


def test_invalid_learning_rate_error_text():
    with pytest.raises(ValueError, match=r"Argument `learning_rate` should be float, or an instance of "
                                         r"LearningRateSchedule.*Received instead: learning_rate=x"):
        K.SGD(learning_rate="x")
