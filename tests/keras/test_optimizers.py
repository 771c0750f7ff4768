"""Keras optimizers and learning-rate schedules: trajectories against real Keras 3 (fixtures
made by tests/keras/fixtures/make_optimizer_fixtures.py), traced == eager, convergence,
slot naming, configs, and the base class's bookkeeping.
"""

import importlib.util
import pathlib
import warnings

import numpy as np
import pytest

import fluxion as tf
from fluxion.keras import optimizers
from fluxion.keras.engine.variables import KerasVariable
from fluxion.keras.optimizers import schedules

_SPEC = importlib.util.spec_from_file_location(
    "make_optimizer_fixtures",
    pathlib.Path(__file__).parent / "fixtures" / "make_optimizer_fixtures.py")
fixtures = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(fixtures)

ALL = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "Nadam", "Lion",
       "Ftrl"]

# Made by tests/keras/fixtures/make_optimizer_fixtures.py with Keras 3.15.
EXPECTED = {'adadelta': [[[0.5, -1.001414179801941, 1.498585820198059, 2.0014142990112305],
               [0.09858579188585281, -0.20141421258449554]],
              [[0.49681052565574646, -1.0009013414382935, 1.503361701965332,
                2.0026960372924805],
               [0.09992000460624695, -0.20229800045490265]]],
 'adagrad': [[[0.5, -1.095013976097107, 1.4147601127624512, 2.0908563137054443],
              [0.0012270361185073853, -0.2979293465614319]],
             [[0.3243066966533661, -1.0832736492156982, 1.5988882780075073, 2.158158540725708],
              [0.05122508853673935, -0.3498658537864685]]],
 'adam': [[[0.5, -1.099998950958252, 1.4000012874603271, 2.099998950958252],
           [8.270144462585449e-07, -0.2999991476535797]],
          [[0.26309582591056824, -1.2752894163131714, 1.5138975381851196, 2.336125612258911],
           [-0.13345585763454437, -0.5262390971183777]]],
 'adam_accumulate': [[[0.5, -1.0, 1.5, 2.0], [0.10000000149011612, -0.20000000298023224]],
                     [[0.30003494024276733, -1.117125153541565, 1.4713422060012817,
                       2.1574556827545166],
                      [0.0007099061622284353, -0.34845855832099915]]],
 'adam_amsgrad': [[[0.5, -1.099998950958252, 1.4000012874603271, 2.099998950958252],
                   [8.270144462585449e-07, -0.2999991476535797]],
                  [[0.26309582591056824, -1.2752894163131714, 1.5138975381851196,
                    2.336125612258911],
                   [-0.13345585763454437, -0.5262390971183777]]],
 'adam_ema': [[[0.5, -1.099998950958252, 1.4000012874603271, 2.099998950958252],
               [8.270144462585449e-07, -0.2999991476535797]],
              [[0.3246763050556183, -1.2169902324676514, 1.4886229038238525,
                2.2650983333587646],
               [-0.08663033694028854, -0.4566781520843506]]],
 'adamax': [[[0.5, -1.0999999046325684, 1.4000000953674316, 2.0999999046325684],
             [1.4901161193847656e-08, -0.29999998211860657]],
            [[0.32720276713371277, -1.2453539371490479, 1.4781731367111206, 2.2853312492370605],
             [-0.1026519164443016, -0.4857218265533447]]],
 'adamw': [[[0.4950000047683716, -1.0899989604949951, 1.385001301765442, 2.0799989700317383],
            [-0.0009991750121116638, -0.29799914360046387]],
           [[0.24573418498039246, -1.2302812337875366, 1.4572911262512207, 2.25144624710083],
            [-0.13208416104316711, -0.5125074982643127]]],
 'ftrl': [[[0.0, -0.7831898927688599, 0.6304207444190979, 1.25536048412323],
           [-0.014390341937541962, -0.2574399709701538]],
          [[-0.1756933182477951, -0.7714495062828064, 0.814548909664154, 1.3226630687713623],
           [0.03560771048069, -0.30937647819519043]]],
 'ftrl_regularized': [[[-0.005630810745060444, -0.762854814529419, 0.5868998765945435,
                        1.2016901969909668],
                       [0.0026480681262910366, -0.24400728940963745]],
                      [[-0.16262812912464142, -0.7445797920227051, 0.7420498728752136,
                        1.2467201948165894],
                       [0.04088612273335457, -0.2851085364818573]]],
 'lion': [[[0.5, -1.100000023841858, 1.399999976158142, 2.0999999046325684],
           [0.0, -0.30000001192092896]],
          [[0.20000001788139343, -1.0, 1.7000000476837158, 2.1999998092651367],
           [0.10000000149011612, -0.4000000059604645]]],
 'nadam': [[[0.5, -1.1062787771224976, 1.3937212228775024, 2.106278657913208],
            [-0.006278775632381439, -0.306278795003891]],
           [[0.2874775528907776, -1.1125737428665161, 1.6027003526687622, 2.2024083137512207],
            [0.0316304937005043, -0.3835395574569702]]],
 'rmsprop': [[[0.5, -1.316227674484253, 1.1837728023529053, 2.316227436065674],
              [-0.21622774004936218, -0.5162277221679688]],
             [[-0.09245471656322479, -1.2665587663650513, 1.8194475173950195,
               2.534677743911743],
              [-0.038868099451065063, -0.6775665283203125]]],
 'rmsprop_centered_momentum': [[[0.5, -1.333333134651184, 1.1666673421859741,
                                 2.3333330154418945],
                                [-0.2333332896232605, -0.5333333015441895]],
                               [[-0.5225092172622681, -1.7361798286437988, 1.830290675163269,
                                 3.1569511890411377],
                                [-0.42757344245910645, -1.2701380252838135]]],
 'sgd': [[[0.5, -1.0963557958602905, 1.4484498500823975, 2.0687766075134277],
          [-0.10000000149011612, -0.3529684543609619]],
         [[0.3108111619949341, -1.0635350942611694, 1.6551976203918457, 2.1465654373168945],
          [0.07316742092370987, -0.4642803370952606]]],
 'sgd_clipnorm': [[[0.5, -1.037312388420105, 1.4800379276275635, 2.026632785797119],
                   [0.06028472259640694, -0.23037593066692352]],
                  [[0.43507206439971924, -1.0193464756011963, 1.5545775890350342,
                    2.0485453605651855],
                   [0.11921117454767227, -0.27301687002182007]]],
 'sgd_clipvalue': [[[0.5, -1.0299999713897705, 1.4700000286102295, 2.0299999713897705],
                    [0.07000000029802322, -0.23000000417232513]],
                   [[0.4258880019187927, -1.0142253637313843, 1.559999942779541,
                     2.059999942779541],
                    [0.10000000149011612, -0.25999999046325684]]],
 'sgd_exponential_decay': [[[0.5, -1.0963557958602905, 1.4484498500823975, 2.0687766075134277],
                            [-0.10000000149011612, -0.3529684543609619]],
                           [[0.39004477858543396, -1.1088066101074219, 1.5517438650131226,
                             2.1364896297454834],
                            [-0.06479255855083466, -0.4677104949951172]]],
 'sgd_global_clipnorm': [[[0.5, -1.0170258283615112, 1.4908912181854248, 2.012152671813965],
                          [0.06466042995452881, -0.22702918946743011]],
                         [[0.4553181827068329, -1.009325385093689, 1.539692759513855,
                           2.0305609703063965],
                          [0.10545246303081512, -0.2533993721008301]]],
 'sgd_loss_scale': [[[0.5, -1.024088978767395, 1.4871125221252441, 2.0171942710876465],
                     [0.05000000074505806, -0.23824211955070496]],
                    [[0.4527027904987335, -1.0158838033676147, 1.5387994050979614,
                      2.0366415977478027],
                     [0.09329185634851456, -0.26607009768486023]]],
 'sgd_momentum': [[[0.5, -1.0963557958602905, 1.4484498500823975, 2.0687766075134277],
                   [-0.10000000149011612, -0.3529684543609619]],
                  [[0.08508287370204926, -1.411865472793579, 1.6945701837539673,
                    2.5159599781036377],
                   [-0.5245094895362854, -1.212245225906372]]],
 'sgd_nesterov': [[[0.5, -1.183076024055481, 1.402054786682129, 2.1306755542755127],
                   [-0.2800000011920929, -0.4906400442123413]],
                  [[-0.06261421740055084, -1.4342139959335327, 1.8303107023239136,
                    2.6109297275543213],
                   [-0.4888911247253418, -1.3753010034561157]]],
 'sgd_weight_decay': [[[0.49000000953674316, -1.0763558149337769, 1.418449878692627,
                        2.0287766456604004],
                       [-0.10199999809265137, -0.3489684462547302]],
                      [[0.2771460711956024, -0.9775992035865784, 1.5380417108535767,
                        1.982618808746338],
                       [0.0797804445028305, -0.43112191557884216]]]}

# Made with Keras 3.15 (the cases of _SCHEDULES below).
SCHEDULE_VALUES = {
 'cosine': [0.1, 0.0914058, 0.0689058, 0.0410942, 0.0185942, 0.01, 0.01, 0.01, 0.01, 0.01],
 'cosine_restarts': [0.1, 0.055, 0.055, 0.0484099, 0.0325, 0.0165901, 0.0325, 0.0316436,
                     0.029205, 0.0255552],
 'cosine_restarts_t1': [0.1, 0.05, 0.1, 0.05, 0.1, 0.05, 0.1, 0.05, 0.1, 0.05],
 'cosine_warmup': [0.0, 0.0666667, 0.1333333, 0.2, 0.1809017, 0.1309017, 0.0690983, 0.0190983,
                   0.0, 0.0],
 'exponential': [0.1, 0.0793701, 0.0629961, 0.05, 0.039685, 0.031498, 0.025, 0.0198425,
                 0.015749, 0.0125],
 'exponential_staircase': [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.0125],
 'inverse_time': [0.1, 0.08, 0.0666667, 0.0571429, 0.05, 0.0444444, 0.04, 0.0363636, 0.0333333,
                  0.0307692],
 'inverse_time_staircase': [0.1, 0.1, 0.0666667, 0.0666667, 0.05, 0.05, 0.04, 0.04, 0.0333333,
                            0.0333333],
 'piecewise': [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.1, 0.1, 0.1, 0.1],
 'polynomial': [0.1, 0.0676, 0.0424, 0.0244, 0.0136, 0.01, 0.01, 0.01, 0.01, 0.01],
 'polynomial_cycle': [0.1, 0.07, 0.04, 0.01, 0.04, 0.025, 0.01, 0.03, 0.02, 0.01]}


def _variables():
    kernel, bias = fixtures.initial_weights()
    return [KerasVariable(kernel, name="kernel", path="dense/kernel"),
            KerasVariable(bias, name="bias", path="dense/bias")]


def _make(class_name, config):
    return optimizers.deserialize({"class_name": class_name, "config": dict(config)})


@pytest.mark.parametrize("name,class_name,config", fixtures.CASES, ids=[c[0] for c in
                                                                          fixtures.CASES])
def test_matches_keras(name, class_name, config):
    optimizer = _make(class_name, config)
    variables = _variables()
    seen = []
    for step in range(fixtures.STEPS):
        optimizer.apply([tf.constant(g) for g in fixtures.gradients(step)], variables)
        if step in (0, fixtures.STEPS - 1):
            seen.append([v.numpy().ravel() for v in variables])
    for got_step, want_step in zip(seen, EXPECTED[name]):
        for got, want in zip(got_step, want_step):
            np.testing.assert_allclose(got, want, rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize("name,class_name,config", fixtures.CASES, ids=[c[0] for c in
                                                                          fixtures.CASES])
def test_traced_step_matches_eager(name, class_name, config):
    eager_opt, traced_opt = _make(class_name, config), _make(class_name, config)
    eager_vars, traced_vars = _variables(), _variables()

    @tf.function
    def step(kernel_grad, bias_grad):
        traced_opt.apply([kernel_grad, bias_grad], traced_vars)

    for i in range(fixtures.STEPS):
        grads = [tf.constant(g) for g in fixtures.gradients(i)]
        eager_opt.apply(grads, eager_vars)
        step(*grads)
    for got, want in zip(traced_vars, eager_vars):
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-5, atol=1e-6)
    assert int(traced_opt._iterations.numpy()) == fixtures.STEPS
    for got, want in zip(traced_opt.variables, eager_opt.variables):
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-5, atol=1e-6)


_RATES = {"SGD": 0.1, "Adam": 0.1, "AdamW": 0.1, "RMSprop": 0.05, "Adagrad": 0.5,
          "Adadelta": 20.0, "Adamax": 0.1, "Nadam": 0.1, "Lion": 0.02, "Ftrl": 1.0}


@pytest.mark.parametrize("class_name", ALL)
def test_linear_regression_converges(class_name):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3)).astype(np.float32)
    true_w = np.array([[1.0], [-2.0], [0.5]], dtype=np.float32)
    y = x @ true_w + 0.3
    w = tf.Variable(np.zeros((3, 1), np.float32))
    b = tf.Variable(np.zeros((1,), np.float32))
    config = {"learning_rate": _RATES[class_name]}
    if class_name == "AdamW":
        config["weight_decay"] = 0.0001
    optimizer = _make(class_name, config)

    @tf.function
    def train_step():
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(tf.matmul(x, w) + b - y))
        optimizer.apply(tape.gradient(loss, [w, b]), [w, b])
        return loss

    first = float(train_step())
    for _ in range(300):
        loss = float(train_step())
    assert loss < 0.02 * first, (class_name, first, loss)


def test_slot_names_follow_keras():
    optimizer = optimizers.Adam(amsgrad=True, name="adam")
    optimizer.build(_variables())
    assert [v.path for v in optimizer.variables] == [
        "adam/iteration", "adam/learning_rate", "adam/dense_kernel_momentum",
        "adam/dense_kernel_velocity", "adam/dense_bias_momentum", "adam/dense_bias_velocity",
        "adam/dense_kernel_velocity_hat", "adam/dense_bias_velocity_hat"]
    assert optimizer.iterations.dtype == tf.int64
    assert isinstance(optimizer.iterations, tf.Variable)
    rms = optimizers.RMSprop(momentum=0.5, centered=True)
    rms.build(_variables())
    assert rms.name.startswith("rm_sprop")
    assert [v.name for v in rms.variables][2:4] == ["dense_kernel_velocity",
                                                    "dense_bias_velocity"]
    plain = optimizers.SGD(momentum=0.9, name="opt")
    plain.build([tf.Variable([1.0], name="w")])
    assert plain.variables[-1].path == "opt/w_0_momentum"


def test_get_and_config_round_trip():
    for name in ALL:
        optimizer = optimizers.get(name.lower())
        assert type(optimizer).__name__ == name
        config = optimizers.serialize(optimizer)
        assert config["module"] == "keras.optimizers" and config["class_name"] == name
        clone = optimizers.deserialize(config)
        assert clone.get_config() == optimizer.get_config()
    assert type(optimizers.get("ADAM")).__name__ == "Adam"
    adam = optimizers.get({"class_name": "Adam", "config": {"learning_rate": 0.5}})
    assert adam.get_config()["learning_rate"] == 0.5
    assert optimizers.get(adam) is adam
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier"):
        optimizers.get("nope")


def test_config_keys_match_keras():
    config = optimizers.Adam(name="adam").get_config()
    assert list(config) == [
        "name", "learning_rate", "weight_decay", "clipnorm", "global_clipnorm", "clipvalue",
        "use_ema", "ema_momentum", "ema_overwrite_frequency", "loss_scale_factor",
        "gradient_accumulation_steps", "beta_1", "beta_2", "epsilon", "amsgrad"]
    assert config["learning_rate"] == pytest.approx(0.001)
    scheduled = optimizers.SGD(schedules.ExponentialDecay(0.1, 10, 0.9))
    lr = scheduled.get_config()["learning_rate"]
    assert lr["module"] == "keras.optimizers.schedules"
    assert lr["class_name"] == "ExponentialDecay"
    clone = optimizers.SGD.from_config(scheduled.get_config())
    assert isinstance(clone._learning_rate, schedules.ExponentialDecay)
    assert "learning_rate" not in [v.name for v in clone.variables]


def test_learning_rate_property_and_setter():
    optimizer = optimizers.SGD(0.5)
    assert float(optimizer.learning_rate.numpy()) == 0.5
    optimizer.learning_rate = 0.25
    assert float(optimizer.learning_rate.numpy()) == 0.25
    scheduled = optimizers.SGD(schedules.PiecewiseConstantDecay([1], [1.0, 0.5]))
    v = tf.Variable(0.0)
    for _ in range(3):
        scheduled.apply([tf.constant(1.0)], [v])
    np.testing.assert_allclose(v.numpy(), -2.5)  # lr 1.0 at steps 0 and 1, then 0.5
    with pytest.raises(TypeError, match="not settable"):
        scheduled.learning_rate = 0.1
    called = optimizers.SGD(lambda: 0.2)
    called.apply([tf.constant(1.0)], [v])
    np.testing.assert_allclose(v.numpy(), -2.7)


def test_none_gradients_are_skipped_with_a_warning():
    a, b = tf.Variable(1.0), tf.Variable(2.0)
    optimizer = optimizers.SGD(0.5)
    with pytest.warns(UserWarning, match="Gradients do not exist"):
        optimizer.apply_gradients([(tf.constant(1.0), a), (None, b)])
    assert float(a.numpy()) == 0.5 and float(b.numpy()) == 2.0
    with pytest.raises(ValueError, match="No gradients provided"):
        optimizer.apply([None, None], [a, b])


def test_constraint_applied_after_update():
    from fluxion.keras.constraints import NonNeg

    v = KerasVariable(np.array([0.1, 1.0], np.float32), constraint=NonNeg(), name="w")
    optimizers.SGD(1.0).apply([tf.constant([1.0, 0.5])], [v])
    np.testing.assert_allclose(v.numpy(), [0.0, 0.5])


def test_unknown_variable_and_bad_arguments():
    optimizer = optimizers.SGD()
    optimizer.apply([tf.constant(1.0)], [tf.Variable(1.0)])
    with pytest.raises(ValueError, match="Unknown variable"):
        optimizer.apply([tf.constant(1.0)], [tf.Variable(1.0)])
    with pytest.raises(ValueError, match="Only one of `clipnorm`"):
        optimizers.SGD(clipnorm=1.0, clipvalue=1.0)
    with pytest.raises(ValueError, match="momentum"):
        optimizers.SGD(momentum=2.0)
    with pytest.raises(ValueError, match="weight_decay"):
        optimizers.AdamW(weight_decay=None)
    with pytest.raises(ValueError, match="not recognized"):
        optimizers.Adam(bogus=1)
    with pytest.raises(ValueError, match="learning_rate"):
        optimizers.Adam(learning_rate="fast")


def test_minimize_with_callable_and_tape():
    v = tf.Variable(3.0)
    optimizers.SGD(0.25).minimize(lambda: v * v, [v])
    np.testing.assert_allclose(v.numpy(), 1.5)
    with tf.GradientTape() as tape:
        loss = v * v
    iterations = optimizers.SGD(0.25).minimize(loss, [v], tape=tape)
    np.testing.assert_allclose(v.numpy(), 0.75)
    assert int(iterations.numpy()) == 1
    with pytest.raises(ValueError, match="tape"):
        optimizers.SGD().minimize(loss, [v])


def test_exclude_from_weight_decay_and_finalize_ema():
    kernel, bias = _variables()
    optimizer = optimizers.AdamW(learning_rate=0.0, weight_decay=0.5)
    optimizer.exclude_from_weight_decay(var_names=["bias"])
    optimizer.learning_rate = 0.1
    before = bias.numpy()
    optimizer.apply([tf.zeros_like(kernel), tf.zeros_like(bias)], [kernel, bias])
    np.testing.assert_allclose(bias.numpy(), before)
    np.testing.assert_allclose(kernel.numpy(), fixtures.initial_weights()[0] * 0.95, rtol=1e-6)
    ema = optimizers.SGD(1.0, use_ema=True, ema_momentum=0.5)
    v = tf.Variable(1.0)
    ema.apply([tf.constant(1.0)], [v])  # first step: the average is the value, 0
    ema.apply([tf.constant(1.0)], [v])  # v = -1; average 0.5 * 0 + 0.5 * -1
    ema.finalize_variable_values([v])
    np.testing.assert_allclose(v.numpy(), -0.5)


def test_indexed_slices_gradient():
    v = tf.Variable(np.zeros((3, 2), np.float32))
    grad = tf.IndexedSlices(tf.constant([[1.0, 1.0], [2.0, 2.0]]), tf.constant([0, 0]),
                            tf.constant([3, 2]))
    optimizers.SGD(1.0).apply([grad], [v])
    np.testing.assert_allclose(v.numpy(), [[-3, -3], [0, 0], [0, 0]])


def test_set_weights_and_save_own_variables():
    optimizer = optimizers.Adam()
    variables = _variables()
    optimizer.apply([tf.constant(g) for g in fixtures.gradients(0)], variables)
    store = {}
    optimizer.save_own_variables(store)
    other = optimizers.Adam()
    other.build(_variables())
    other.load_own_variables(store)
    for a, b in zip(other.variables, optimizer.variables):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    other.set_weights([v.numpy() for v in optimizer.variables])
    with pytest.raises(ValueError, match="has shape"):
        other.set_weights([np.zeros(3)] * len(other.variables))
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        other.load_own_variables({"0": 1})


@pytest.mark.parametrize("name", sorted(SCHEDULE_VALUES))
def test_schedules_match_keras(name):
    schedule = _SCHEDULES[name]()
    got = [float(schedule(step)) for step in range(10)]
    np.testing.assert_allclose(got, SCHEDULE_VALUES[name], rtol=1e-5, atol=1e-7)
    config = schedules.serialize(schedule)
    clone = schedules.deserialize(config)
    assert clone.get_config() == schedule.get_config()
    step = tf.Variable(np.int64(4))
    np.testing.assert_allclose(float(schedule(step)), SCHEDULE_VALUES[name][4], rtol=1e-5,
                               atol=1e-7)


_SCHEDULES = {
    "exponential": lambda: schedules.ExponentialDecay(0.1, 3, 0.5),
    "exponential_staircase": lambda: schedules.ExponentialDecay(0.1, 3, 0.5, staircase=True),
    "piecewise": lambda: schedules.PiecewiseConstantDecay([2, 5], [1.0, 0.5, 0.1]),
    "polynomial": lambda: schedules.PolynomialDecay(0.1, 5, 0.01, power=2.0),
    "polynomial_cycle": lambda: schedules.PolynomialDecay(0.1, 3, 0.01, cycle=True),
    "inverse_time": lambda: schedules.InverseTimeDecay(0.1, 2, 0.5),
    "inverse_time_staircase": lambda: schedules.InverseTimeDecay(0.1, 2, 0.5, staircase=True),
    "cosine": lambda: schedules.CosineDecay(0.1, 5, alpha=0.1),
    "cosine_warmup": lambda: schedules.CosineDecay(0.0, 5, warmup_target=0.2, warmup_steps=3),
    "cosine_restarts": lambda: schedules.CosineDecayRestarts(0.1, 2, t_mul=2.0, m_mul=0.5,
                                                             alpha=0.1),
    "cosine_restarts_t1": lambda: schedules.CosineDecayRestarts(0.1, 2, t_mul=1.0),
}


def test_schedule_errors():
    with pytest.raises(ValueError, match="decay_steps"):
        schedules.ExponentialDecay(0.1, 0, 0.5)
    with pytest.raises(ValueError, match="1 less than"):
        schedules.PiecewiseConstantDecay([1, 2], [1.0])
