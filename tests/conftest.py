"""Shared pytest configuration for the fasttape test suite.

The helper module ``ft_testutil`` lives next to this file; make it importable
whatever import mode pytest runs in.
"""
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)
