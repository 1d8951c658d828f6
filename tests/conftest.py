"""Shared pytest configuration for the fasttape test suite.

The helper module ``ft_testutil`` lives next to this file; make it importable
whatever import mode pytest runs in.
"""
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

# Hypothesis profiles for tests/test_property.py (registered here, before
# pytest reads --hypothesis-profile): "default" is CI's bounded, derandomized
# budget; "fuzz" runs many more examples.
try:
    from hypothesis import HealthCheck, settings
except ImportError:  # the property tests skip themselves
    pass
else:
    settings.register_profile("default", max_examples=25, deadline=None, derandomize=True,
                              suppress_health_check=[HealthCheck.too_slow])
    settings.register_profile("fuzz", max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    settings.load_profile("default")
