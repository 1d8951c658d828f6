"""Run the programs in examples/ as a user would (separate processes) and
check what they print."""
import functools
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, "examples")


def _run(name, timeout=120):
    proc = subprocess.run([sys.executable, os.path.join(EXAMPLES, name)],
                          cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)
    assert proc.returncode == 0, (
        f"{name} exited with {proc.returncode}\n--- stdout ---\n{proc.stdout}"
        f"\n--- stderr ---\n{proc.stderr}")
    return proc.stdout


def test_gradient_tape_tutorial_runs():
    out = _run("gradient_tape_tutorial.py")
    lines = out.strip().splitlines()
    # d(sum(x)^2)/dx = 2 * sum(x) = 8 everywhere for x = ones((2, 2));
    # at x = 3: d(x^4)/dx = 4 x^3 = 108, d(x^2)/dx = 6.
    assert any(l.startswith("dz_dy : ") and "8.0" in l for l in lines)
    assert any(l.startswith("dz_dx : ") and "108.0" in l for l in lines)
    assert any(l.startswith("dy_dx : ") and "6.0" in l for l in lines)
    # The last five lines: the control-flow example at x = 2 (x^3 for
    # y = 6 and 5 -> 3x^2 = 12; x^2 for y = 4 -> 2x = 4), then the nested
    # tapes at x = 1 (3x^2 = 3, 6x = 6).
    assert [float(l) for l in lines[-5:]] == [12.0, 12.0, 4.0, 3.0, 6.0]


LOSS_LINE = re.compile(r"^step\s+(\d+)\s+loss\s+([0-9.eE+-]+)\s*$")
ACC_LINE = re.compile(r"^training accuracy:\s+([0-9.]+)\s*$")


@functools.lru_cache(maxsize=None)
def _classifier_output():
    # Run once for the tests below (a failed run raises and is not cached).
    return _run("train_classifier.py", timeout=60)


def test_train_classifier_runs():
    out = _classifier_output()
    assert out.strip(), "the classifier printed nothing"


def test_train_classifier_loss_falls():
    classifier_output = _classifier_output()
    losses = [(int(m.group(1)), float(m.group(2)))
              for m in map(LOSS_LINE.match, classifier_output.splitlines()) if m]
    assert len(losses) >= 5, classifier_output
    steps = [s for s, _ in losses]
    assert steps == sorted(steps) and steps[0] == 0
    first, last = losses[0][1], losses[-1][1]
    # Three classes from a small random init: the first loss is near
    # log(3) = 1.10. The blobs overlap a little, so the loss cannot reach 0,
    # but it falls to well under half of where it started.
    assert 0.7 < first < 1.6, classifier_output
    assert last < 0.5 * first, classifier_output
    assert all(v == v and v < 10 for _, v in losses), classifier_output  # no NaN / blow-up


def test_train_classifier_accuracy():
    classifier_output = _classifier_output()
    accs = [float(m.group(1))
            for m in map(ACC_LINE.match, classifier_output.splitlines()) if m]
    assert len(accs) == 1, classifier_output
    # The blobs (std 1, centres 2 * sqrt(3) = 3.5 apart) are about 93%
    # separable: the nearest-true-centre rule scores 0.937 on this data set.
    assert accs[0] >= 0.88, classifier_output
