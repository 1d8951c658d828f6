"""``fasttape.config``: TensorFlow's configuration names that apply to a
CPU library: thread counts and the device list; and
``experimental.clear_memory_cache``."""

import collections
import types

from . import _core
from ._function import functions_run_eagerly, run_functions_eagerly  # noqa: F401

__all__ = ["threading", "experimental", "list_physical_devices", "list_logical_devices", "PhysicalDevice",
           "run_functions_eagerly", "functions_run_eagerly"]

PhysicalDevice = collections.namedtuple("PhysicalDevice", ["name", "device_type"])
LogicalDevice = collections.namedtuple("LogicalDevice", ["name", "device_type"])

_inter_op = 0
_MAX_THREADS = 1024  # as the core allows (one OS thread per extra thread)


def _set_intra_op_parallelism_threads(num_threads):
    """Threads the kernels use; 0 restores the default (OMP_NUM_THREADS or
    the number of cores)."""
    n = int(num_threads)
    if n < 0 or n > _MAX_THREADS:
        raise ValueError("set_intra_op_parallelism_threads: num_threads must be between 0 (the default) and %d, "
                         "got %d" % (_MAX_THREADS, n))
    _core.set_num_threads(n)


def _get_intra_op_parallelism_threads():
    return _core.num_threads()


def _set_inter_op_parallelism_threads(num_threads):
    """Kept for TensorFlow compatibility: fasttape runs ops one at a time in
    the calling thread, so there is no inter-op pool to size."""
    global _inter_op
    n = int(num_threads)
    if n < 0:
        raise ValueError("num_threads must be >= 0, got %d" % n)
    _inter_op = n


def _get_inter_op_parallelism_threads():
    return _inter_op


threading = types.SimpleNamespace(
    set_intra_op_parallelism_threads=_set_intra_op_parallelism_threads,
    get_intra_op_parallelism_threads=_get_intra_op_parallelism_threads,
    set_inter_op_parallelism_threads=_set_inter_op_parallelism_threads,
    get_inter_op_parallelism_threads=_get_inter_op_parallelism_threads,
)


def list_physical_devices(device_type=None):
    """fasttape runs on the CPU only."""
    if device_type is None or str(device_type).upper() == "CPU":
        return [PhysicalDevice("/physical_device:CPU:0", "CPU")]
    return []


def list_logical_devices(device_type=None):
    if device_type is None or str(device_type).upper() == "CPU":
        return [LogicalDevice("/device:CPU:0", "CPU")]
    return []


def _clear_memory_cache():
    """Returns the memory fasttape keeps for reuse to the system: the cache of
    freed big buffers (64 KiB and more) and, with glibc, the allocator's free
    pages. Gives the number of bytes freed from the cache. Buffers that sit
    unused in the cache for a second are returned on their own at the next
    big allocation or free; call this to return them at once (after deleting
    a large persistent tape, say)."""
    return _core.clear_memory_cache()


_op_determinism = False


def _enable_op_determinism():
    """Asks for deterministic ops (``tf.config.experimental.enable_op_determinism``).

    fasttape's kernels already are: every output element is computed by
    one thread in a fixed order, and full reductions combine a fixed number
    of partial results whatever the thread count, so the same program on
    the same inputs gives the same bits run after run, on any number of
    threads (on one build and CPU: the SIMD kernels chosen at start-up may
    round differently on another CPU). Random ops are repeatable once
    seeded (``fasttape.random.set_seed``). This call records the request
    and changes nothing else."""
    global _op_determinism
    _op_determinism = True


experimental = types.SimpleNamespace(clear_memory_cache=_clear_memory_cache,
                                     enable_op_determinism=_enable_op_determinism)
