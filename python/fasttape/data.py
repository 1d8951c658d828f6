"""``fasttape.data``: TensorFlow's ``tf.data.Dataset`` for in-memory pipelines.

Elements are nested structures (tuples, namedtuples, dicts; a list is one
tensor, as in tf.data) of fasttape tensors. Datasets built from arrays keep
their rows as indices into those arrays through ``shuffle``, ``repeat``,
``take``, ``skip``, ``shard``, ``zip`` and ``enumerate``, so that ``batch``
gathers each batch with one slice or one gather per component. Functions given
to ``map``, ``filter``, ``scan``, ``reduce`` and the like run eagerly, once per
element, in the iterating thread (``prefetch`` moves the pipeline before it to
a background thread). A map's ``element_spec`` comes from its first element.
"""

import atexit
import contextlib
import itertools
import numbers
import os
import queue
import sys
import threading
import types
import weakref
import zipfile

import numpy as np

from . import _core
from . import random as _random
from ._dtypes import as_dtype, bool as _bool, int64 as _int64
from ._function import TensorSpec
from ._tensor import TensorShape, _array_to_tensor, convert_to_tensor
from .train import _atomic_write  # temporary file, fsync, rename
from .errors import (DataLossError, InvalidArgumentError, NotFoundError, OutOfRangeError, ResourceExhaustedError,
                     UnimplementedError, UnknownError)

__all__ = ["AUTOTUNE", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY", "Dataset", "Iterator", "NumpyIterator",
           "experimental"]

AUTOTUNE = -1
INFINITE_CARDINALITY = -1
UNKNOWN_CARDINALITY = -2
_INT64_MAX = 2 ** 63 - 1
_PIECE = 8192          # rows handled at a time when indices are materialised
_ELEMENT_PIECE = 1024  # rows gathered at a time when elements are produced one by one
_AUTOTUNE_PREFETCH = 2
_CACHE_SUFFIX = ".cache.npz"


# ---------------------------------------------------------------- structures
# tf.data's nesting rules: tuples, namedtuples and dicts are structure; a list
# (anywhere) is a value that becomes one tensor.

def _is_struct(x):
    return isinstance(x, (tuple, dict))


def _flatten(x):
    if isinstance(x, dict):
        return [leaf for k in sorted(x) for leaf in _flatten(x[k])]
    if isinstance(x, tuple):
        return [leaf for v in x for leaf in _flatten(v)]
    return [x]


def _pack_from(s, it):
    if isinstance(s, dict):
        vals = {k: _pack_from(s[k], it) for k in sorted(s)}
        return type(s)((k, vals[k]) for k in s)
    if isinstance(s, tuple):
        items = [_pack_from(v, it) for v in s]
        return type(s)(*items) if hasattr(s, "_fields") else tuple(items)
    return next(it)


def _pack(structure, flat):
    """``structure`` rebuilt with its leaves taken in order from ``flat``."""
    return _pack_from(structure, iter(flat))


def _map_struct(fn, x):
    return _pack(x, [fn(v) for v in _flatten(x)])


def _flatten_up_to(template, value, what):
    """The subtrees of ``value`` at the leaves of ``template``."""
    if isinstance(template, dict):
        if not isinstance(value, dict) or sorted(value) != sorted(template):
            raise ValueError("%s: %r does not match the structure of the dataset elements %r"
                             % (what, value, template))
        return [v for k in sorted(template) for v in _flatten_up_to(template[k], value[k], what)]
    if isinstance(template, tuple):
        if not isinstance(value, (tuple, list)) or len(value) != len(template):
            raise ValueError("%s: %r does not match the structure of the dataset elements %r"
                             % (what, value, template))
        return [v for t, x in zip(template, value) for v in _flatten_up_to(t, x, what)]
    return [value]


def _same_structure(a, b):
    if isinstance(a, dict):
        return isinstance(b, dict) and sorted(a) == sorted(b) and all(_same_structure(a[k], b[k]) for k in a)
    if isinstance(a, tuple):
        return (isinstance(b, tuple) and len(a) == len(b) and hasattr(a, "_fields") == hasattr(b, "_fields")
                and all(_same_structure(x, y) for x, y in zip(a, b)))
    return not _is_struct(b)


# ---------------------------------------------------------------- values
def _to_tensor(v):
    """A pipeline value (tensor, numpy array or numpy scalar) as a tensor."""
    if _core.is_tensor(v):
        return v
    return _array_to_tensor(np.asarray(v))


def _to_array(v):
    """A pipeline value as a numpy array (a view of a tensor's data)."""
    return np.asarray(v)


def _dtype_of(v):
    if _core.is_tensor(v):
        return v.dtype
    a = np.asarray(v)
    if a.dtype.kind == "u":
        return _int64
    return as_dtype(np.float32 if a.dtype == np.float16 else a.dtype)


def _spec_of(v):
    return TensorSpec(TensorShape(np.shape(v)), _dtype_of(v))


def _holds_typed_values(x):
    if isinstance(x, (list, tuple)):
        return any(_holds_typed_values(v) for v in x)
    return _core.is_tensor(x) or _core.is_variable(x) or isinstance(x, (np.ndarray, np.generic))


def _list_to_tensor(x):
    """A (nested) list as one tensor; tensors and numpy values in it keep
    their dtype (they are stacked), Python numbers follow TensorFlow's rules."""
    try:
        if _holds_typed_values(x):
            return convert_to_tensor(_list_to_array(x))
        return convert_to_tensor(x)
    except ValueError as e:
        raise ValueError("Can't convert non-rectangular Python sequence to Tensor: %s" % e) from None


def _list_to_array(x):
    return np.asarray([_list_to_array(v) if isinstance(v, list) else np.asarray(v) for v in x])


def _input_tensor(x):
    """A component given to from_tensors / from_tensor_slices, as a tensor."""
    if _core.is_tensor(x):
        # An alias that no tape watches: dataset outputs are not differentiable.
        return _core.stop_gradient(x)
    if _core.is_variable(x):
        return _core.stop_gradient(convert_to_tensor(x))
    if isinstance(x, list):
        return _list_to_tensor(x)
    return convert_to_tensor(x)


def _normalize_output(ret, what):
    """A function's return value as a dataset element (TF's rules: a top-level
    list is a tuple, other lists and Python/numpy values become tensors)."""
    if ret is None:
        raise TypeError("%s: the function returned None; it must return a tensor or a (nested) structure of "
                        "tensors" % what)
    if isinstance(ret, list):
        ret = tuple(ret)
    if _is_struct(ret) and not _flatten(ret):
        raise ValueError("%s: the function returned an empty structure %r" % (what, ret))
    return _map_struct(_output_tensor, ret)


def _output_tensor(v):
    if _core.is_tensor(v):
        return v
    if isinstance(v, list):
        return _list_to_tensor(v)
    return convert_to_tensor(v)


def _call(fn, element):
    """fn applied to an element as tf.data does: a tuple is unpacked."""
    element = _map_struct(_to_tensor, element)
    if type(element) is tuple:
        return fn(*element)
    return fn(element)


def _batched_shape(shape, lead):
    """``shape`` with a leading batch dimension (unknown rank stays unknown)."""
    if shape.rank is None:
        return shape
    return TensorShape((lead,) + tuple(shape))


def _unbatched_shape(shape):
    return shape if shape.rank is None else shape[1:]


def _next_state(state, new, what):
    """``new`` as the next state of a reduce or scan, checked against ``state``."""
    flat, new_flat = _flatten(state), _flatten(new)
    if len(new_flat) != len(flat):
        raise InvalidArgumentError(
            "The number of components of the initial state and the %s function output does not match. "
            "(initial_state=%d, output=%d)." % (what, len(flat), len(new_flat)))
    for a, b in zip(flat, new_flat):
        if a.dtype != b.dtype:
            raise TypeError("The element types for the new state must match the initial state. Expected %s but "
                            "got %s." % (a.dtype, b.dtype))
    return _pack(state, new_flat)


def _cardinality_min(cards):
    out = INFINITE_CARDINALITY
    for n in cards:
        if n == UNKNOWN_CARDINALITY:
            return UNKNOWN_CARDINALITY
        if n == INFINITE_CARDINALITY:
            continue
        out = n if out == INFINITE_CARDINALITY else min(out, n)
    return out


def _as_int(value, what):
    if isinstance(value, (bool, np.bool_)):
        raise TypeError("%s must be an integer, got %r" % (what, value))
    if isinstance(value, (numbers.Integral, np.integer)):
        return int(value)
    if _core.is_tensor(value) and value.dtype.is_integer and value.shape == ():
        return int(value)
    raise TypeError("%s must be an integer, got %r" % (what, value))


def _check_callable(fn):
    if not callable(fn):
        raise ValueError("Argument `func` must be a callable. Received func=%r (of type %s)" % (fn, type(fn)))


def _check_parallel_calls(value, what):
    """Validates a num_parallel_calls argument (None, AUTOTUNE or positive)."""
    if value is not None:
        n = _as_int(value, what)
        if n != AUTOTUNE and n <= 0:
            raise ValueError("num_parallel_calls must be positive or AUTOTUNE (-1), got %d" % n)


def _first_element(dataset, ctx):
    """The first element of ``dataset`` (None if it is empty); no more are produced."""
    with contextlib.closing(dataset._elements(ctx)) as gen:
        return next(gen, None)


def _inner_dataset(func, element, what):
    """``func(element)``, checked to be a Dataset (flat_map, interleave)."""
    inner = _call(func, element)
    if not isinstance(inner, Dataset):
        raise TypeError("%s: `map_func` must return a Dataset, got %s" % (what, type(inner)))
    return inner


class _Ctx:
    """Per-iteration options. A probe (run to find an element's type) leaves
    shuffle seeds and caches untouched and runs prefetch inline."""

    __slots__ = ("probe",)

    def __init__(self, probe=False):
        self.probe = probe


# ---------------------------------------------------------------- row sources
# A chunk of row indices is either a tuple (start, stop) or an int64 array.

def _chunk_len(c):
    return c[1] - c[0] if isinstance(c, tuple) else len(c)


def _chunk_part(c, a, b):
    if isinstance(c, tuple):
        return (c[0] + a, c[0] + b)
    return c[a:b]


def _chunk_array(c):
    if isinstance(c, tuple):
        return np.arange(c[0], c[1], dtype=np.int64)
    return c


def _pieces(chunks, size):
    """The chunks cut into pieces of at most ``size`` rows."""
    for c in chunks:
        n = _chunk_len(c)
        if n <= size:
            if n:
                yield c
            continue
        for a in range(0, n, size):
            yield _chunk_part(c, a, min(a + size, n))


def _join_chunks(parts):
    if len(parts) == 1:
        return parts[0]
    if all(isinstance(p, tuple) for p in parts) and all(
            parts[i][1] == parts[i + 1][0] for i in range(len(parts) - 1)):
        return (parts[0][0], parts[-1][1])
    return np.concatenate([_chunk_array(p) for p in parts])


class _ArraySource:
    """Rows of tensors that share their first dimension."""

    def __init__(self, tensors):
        self.tensors = list(tensors)
        self.arrays = [np.asarray(t) for t in self.tensors]
        self.n = self.tensors[0].shape[0]

    def arrays_at(self, c):
        if isinstance(c, tuple):
            return [a[c[0]:c[1]] for a in self.arrays]
        return [np.take(a, c, axis=0) for a in self.arrays]

    def tensors_at(self, c):
        if isinstance(c, tuple):
            s, e = c
            if s == 0 and e == self.n:
                return list(self.tensors)
            return [_core.from_numpy(a[s:e]) for a in self.arrays]  # one copy of the rows
        idx = _core.from_numpy(np.ascontiguousarray(c, dtype=np.int64))
        return [_core.gather(t, idx, axis=0) for t in self.tensors]


class _RangeSource:
    """The rows start, start + step, ... (n of them), computed on demand."""

    def __init__(self, start, step, n, dtype):
        self.start, self.step, self.n, self.dtype = start, step, n, dtype

    def arrays_at(self, c):
        if isinstance(c, tuple):
            v = np.arange(self.start + c[0] * self.step, self.start + c[1] * self.step, self.step, dtype=np.int64)
        else:
            v = self.start + c * self.step
        return [v.astype(self.dtype.as_numpy_dtype, copy=False)]

    def tensors_at(self, c):
        return [_core.from_numpy(self.arrays_at(c)[0])]


class _ZipSource:
    """Sources side by side (rows up to the shortest)."""

    def __init__(self, sources):
        self.sources = sources
        self.n = min(s.n for s in sources)

    def arrays_at(self, c):
        return [a for s in self.sources for a in s.arrays_at(c)]

    def tensors_at(self, c):
        return [t for s in self.sources for t in s.tensors_at(c)]


class _Plan:
    """How a dataset's elements are rows of a source: ``chunks(ctx)`` gives
    one pass's row indices; ``template`` is the element structure."""

    def __init__(self, source, chunks, template):
        self.source, self.chunks, self.template = source, chunks, template

    def derive(self, chunks):
        return _Plan(self.source, chunks, self.template)


def _whole(n):
    def chunks(ctx):
        if n > 0:
            yield (0, n)
    return chunks


def _plan_elements(plan, ctx):
    """One element at a time, from a source gathered a piece at a time."""
    for c in _pieces(plan.chunks(ctx), _ELEMENT_PIECE):
        arrays = plan.source.arrays_at(c)
        for i in range(_chunk_len(c)):
            yield _pack(plan.template, [a[i] for a in arrays])


class _PlanReader:
    """Reads up to k rows at a time as one tensor per component."""

    def __init__(self, plan, ctx):
        self.template = plan.template
        self._source = plan.source
        self._chunks = _pieces(plan.chunks(ctx), _INT64_MAX)
        self._cur = None
        self._pos = 0

    def read(self, k):
        """k rows (fewer only when the rows run out), or None at the end."""
        parts, need = [], k
        while need > 0:
            if self._cur is None:
                self._cur = next(self._chunks, None)
                if self._cur is None:
                    break
                self._pos = 0
            n = _chunk_len(self._cur)
            m = min(need, n - self._pos)
            parts.append(_chunk_part(self._cur, self._pos, self._pos + m))
            self._pos += m
            need -= m
            if self._pos == n:
                self._cur = None
        if not parts:
            return None
        return self._source.tensors_at(_join_chunks(parts)), k - need

    def close(self):
        self._chunks.close()


def _slice_rows(tensors, m):
    out = []
    for t in tensors:
        if t.shape[0] != m:
            rank = len(t.shape)
            t = _core.strided_slice(t, [0] * rank, [m] + list(t.shape[1:]), [1] * rank)
        out.append(t)
    return out


class _ZipReader:
    def __init__(self, structure, readers):
        self._readers = readers
        self.template = _pack(structure, [r.template for r in readers])

    def read(self, k):
        got = [r.read(k) for r in self._readers]
        if any(g is None for g in got):
            return None
        m = min(g[1] for g in got)
        return [t for tensors, n in got for t in (tensors if n == m else _slice_rows(tensors, m))], m

    def close(self):
        for r in self._readers:
            r.close()


class _TakeReader:
    def __init__(self, reader, count):
        self.template = reader.template
        self._reader, self._left = reader, count

    def read(self, k):
        if self._left == 0:
            return None
        got = self._reader.read(min(k, self._left))
        if got is not None:
            self._left -= got[1]
        return got

    def close(self):
        self._reader.close()


class _SkipReader:
    def __init__(self, reader, count):
        self.template = reader.template
        self._reader, self._skip = reader, count

    def read(self, k):
        while self._skip:
            got = self._reader.read(min(self._skip, _PIECE))
            if got is None:
                return None
            self._skip -= got[1]
        return self._reader.read(k)

    def close(self):
        self._reader.close()


class _RepeatReader:
    def __init__(self, make_reader, count):
        self._make, self._count = make_reader, count
        self._epoch = 0
        self._reader = make_reader()
        self._rows_this_epoch = 0
        self.template = self._reader.template

    def read(self, k):
        parts, need = [], k
        while need > 0 and self._reader is not None:
            got = self._reader.read(need)
            if got is None:
                self._reader.close()
                self._epoch += 1
                empty = self._rows_this_epoch == 0
                self._rows_this_epoch = 0
                self._reader = None
                if not empty and (self._count < 0 or self._epoch < self._count):
                    self._reader = self._make()
                continue
            parts.append(got)
            need -= got[1]
            self._rows_this_epoch += got[1]
        if not parts:
            return None
        if len(parts) == 1:
            return parts[0]
        return [_core.concat(list(ts), 0) for ts in zip(*[p[0] for p in parts])], k - need

    def close(self):
        if self._reader is not None:
            self._reader.close()


# ---------------------------------------------------------------- prefetch thread
_live_stops = weakref.WeakSet()


@atexit.register
def _stop_all_producers():
    for ev in list(_live_stops):
        ev.set()


def _put(q, stop, item):
    while not stop.is_set():
        try:
            q.put(item, timeout=0.05)
            return True
        except queue.Full:
            pass
    return False


def _produce(gen, q, stop):
    """Runs in the prefetch thread: fills ``q`` with converted elements."""
    try:
        for element in gen:
            if not _put(q, stop, (0, _map_struct(_to_tensor, element))):
                return
        _put(q, stop, (1, None))
    except BaseException as e:  # handed to the consumer, raised there
        _put(q, stop, (2, e))
    finally:
        gen.close()


# ---------------------------------------------------------------- Dataset
class Dataset:
    """A sequence of elements, each a (nested) structure of tensors, built and
    transformed with TensorFlow's ``tf.data.Dataset`` API."""

    _exact = True  # element_spec known without running a user function

    # -- internal interface ------------------------------------------------
    def _elements(self, ctx):
        """Generator of elements (structures of tensors or numpy values):
        rows of a source when the dataset has a _Plan, else ``_stream``."""
        plan = self._plan()
        if plan is not None:
            return _plan_elements(plan, ctx)
        return self._stream(ctx)

    def _stream(self, ctx):
        """The elements of a dataset without a _Plan, one at a time."""
        raise NotImplementedError("%s has neither a plan nor a stream of elements" % type(self).__name__)

    def _plan(self):
        """A _Plan when the elements are rows of a source, else None."""
        return None

    def _reader(self, ctx):
        """A reader of several rows at a time (see _PlanReader), or None."""
        plan = self._plan()
        if plan is not None:
            return _PlanReader(plan, ctx)
        return self._stream_reader(ctx)

    def _stream_reader(self, ctx):
        return None

    def _probe_spec(self):
        """The element_spec from the first element (what a user function makes
        cannot be known without running it), or None for an empty dataset."""
        first = _first_element(self, _Ctx(probe=True))
        return None if first is None else _map_struct(_spec_of, first)

    # -- properties --------------------------------------------------------
    @property
    def element_spec(self):
        """The type of each element: a structure of TensorSpec."""
        spec = self.__dict__.get("_spec_cache")
        if spec is None:
            spec = self._compute_spec()
            self.__dict__["_spec_cache"] = spec
        return spec

    def cardinality(self):
        """The number of elements as a scalar int64 tensor (-1: infinite, -2: unknown)."""
        return _core.from_numpy(np.array(self._card(), dtype=np.int64))

    def __len__(self):
        n = self._card()
        if n == INFINITE_CARDINALITY:
            raise TypeError("The dataset is infinite.")
        if n == UNKNOWN_CARDINALITY:
            raise TypeError("The dataset length is unknown.")
        return n

    def __bool__(self):
        return True

    def __iter__(self):
        return Iterator(self)

    def __repr__(self):
        return "<%s element_spec=%r>" % (getattr(self, "_repr_name", type(self).__name__), self.element_spec)

    def as_numpy_iterator(self):
        """An iterator over the elements as numpy values."""
        return NumpyIterator(self)

    # -- sources -----------------------------------------------------------
    @staticmethod
    def from_tensor_slices(tensors, name=None):
        """A dataset whose elements are the slices of ``tensors`` along their first dimension."""
        return _TensorSliceDataset(tensors)

    @staticmethod
    def from_tensors(tensors, name=None):
        """A dataset with one element, ``tensors``."""
        return _TensorDataset(tensors)

    @staticmethod
    def range(*args, **kwargs):
        """range(stop), range(start, stop) or range(start, stop, step), as Python's;
        keyword ``output_type`` (default int64). Other keywords are ignored, as TensorFlow does."""
        dtype = kwargs.get("output_type", _int64)
        if not 1 <= len(args) <= 3:
            raise ValueError("Invalid `args`. The length of `args` should be between 1 and 3 but was %d."
                             % len(args))
        return _RangeDataset(args, as_dtype(dtype))

    @staticmethod
    def from_generator(generator, output_types=None, output_shapes=None, args=None, output_signature=None,
                       name=None):
        """A dataset of the elements that ``generator(*args)`` yields, converted to
        ``output_signature`` (a structure of TensorSpec) or to ``output_types``/``output_shapes``."""
        return _GeneratorDataset(generator, output_types, output_shapes, args, output_signature)

    @staticmethod
    def zip(*args, datasets=None, name=None):
        """Elements of several datasets side by side, in their structure (a tuple or dict of datasets)."""
        if not args and datasets is None:
            raise TypeError("Must pass at least one dataset to `zip`.")
        if args and datasets is not None:
            raise TypeError("Both `*args` and `datasets` cannot be set.")
        if len(args) == 1:
            datasets = args[0]
        elif len(args) > 1:
            datasets = args
        if isinstance(datasets, list):
            datasets = tuple(datasets)
        for d in _flatten(datasets):
            if not isinstance(d, Dataset):
                raise TypeError("Invalid input to `zip`. Inputs are expected to be (nested) structures of "
                                "`tf.data.Dataset` objects but encountered object of type %s." % type(d))
        return _ZipDataset(datasets)

    # -- transformations ---------------------------------------------------
    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=True, name=None):
        """Shuffles with a buffer of ``buffer_size`` elements, as TensorFlow does."""
        return _ShuffleDataset(self, buffer_size, seed, reshuffle_each_iteration)

    def batch(self, batch_size, drop_remainder=False, num_parallel_calls=None, deterministic=None, name=None):
        """Stacks ``batch_size`` consecutive elements into one."""
        cls = _BatchDataset if num_parallel_calls is None else _ParallelBatchDataset
        return cls(self, batch_size, drop_remainder, num_parallel_calls)

    def padded_batch(self, batch_size, padded_shapes=None, padding_values=None, drop_remainder=False, name=None):
        """Batches elements of different shapes, padding each component to ``padded_shapes``
        (default: the largest in the batch)."""
        return _PaddedBatchDataset(self, batch_size, padded_shapes, padding_values, drop_remainder)

    def map(self, map_func, num_parallel_calls=None, deterministic=None, synchronous=None,
            use_unbounded_threadpool=False, name=None):
        """Applies ``map_func`` to each element (a tuple element is passed as separate arguments)."""
        cls = _MapDataset if num_parallel_calls is None else _ParallelMapDataset
        return cls(self, map_func, num_parallel_calls)

    def filter(self, predicate, name=None):
        """Keeps the elements for which ``predicate`` returns True."""
        return _FilterDataset(self, predicate)

    def repeat(self, count=None, name=None):
        """Repeats the dataset ``count`` times (forever if None or -1)."""
        return _RepeatDataset(self, -1 if count is None else _as_int(count, "repeat: count"))

    def take(self, count, name=None):
        """The first ``count`` elements (all if -1)."""
        return _TakeDataset(self, _as_int(count, "take: count"))

    def skip(self, count, name=None):
        """All but the first ``count`` elements (none if -1)."""
        return _SkipDataset(self, _as_int(count, "skip: count"))

    def enumerate(self, start=0, name=None):
        """Pairs (index, element), the index an int64 counting from ``start``."""
        return _ZipDataset((Dataset.range(_as_int(start, "enumerate: start"), _INT64_MAX), self))

    def prefetch(self, buffer_size, name=None):
        """Produces up to ``buffer_size`` elements ahead in a background thread."""
        return _PrefetchDataset(self, buffer_size)

    def cache(self, filename="", name=None):
        """Keeps the elements after the first complete pass: in memory, or with
        ``filename`` in ``<filename>.cache.npz``, read by later passes and programs."""
        return CacheDataset(self, filename)

    def unbatch(self):
        """Splits each element along its first dimension into several elements."""
        return _UnbatchDataset(self)

    def concatenate(self, dataset, name=None):
        """This dataset's elements followed by ``dataset``'s."""
        return _ConcatenateDataset(self, dataset)

    def shard(self, num_shards, index, name=None):
        """Every ``num_shards``-th element, starting at ``index``."""
        return _ShardDataset(self, num_shards, index)

    def take_while(self, predicate, name=None):
        """The elements up to the first for which ``predicate`` is False."""
        return _TakeWhileDataset(self, predicate)

    def flat_map(self, map_func, name=None):
        """Concatenates the datasets that ``map_func`` returns for each element."""
        return _FlatMapDataset(self, map_func)

    def interleave(self, map_func, cycle_length=None, block_length=None, num_parallel_calls=None,
                   deterministic=None, name=None):
        """Interleaves the datasets that ``map_func`` returns: ``cycle_length`` of them
        open at once (default: the CPU count), ``block_length`` elements from each in turn."""
        cls = _InterleaveDataset if num_parallel_calls is None else _ParallelInterleaveDataset
        return cls(self, map_func, cycle_length, block_length)

    def scan(self, initial_state, scan_func, name=None):
        """Like map with a state: ``new_state, output = scan_func(state, element)``."""
        return _ScanDataset(self, initial_state, scan_func)

    def unique(self, name=None):
        """The elements (int32 or int64 scalars) without repetitions, in first-seen order."""
        return _UniqueDataset(self)

    def apply(self, transformation_func):
        """``transformation_func(self)``, which must return a Dataset."""
        out = transformation_func(self)
        if not isinstance(out, Dataset):
            raise TypeError("`transformation_func` must return a `tf.data.Dataset` object. Got %s." % type(out))
        return out

    def reduce(self, initial_state, reduce_func, name=None):
        """Folds the elements into a state: ``state = reduce_func(state, element)``."""
        state = _map_struct(_input_tensor, initial_state)
        with contextlib.closing(self._elements(_Ctx())) as gen:
            for element in gen:
                new = _normalize_output(reduce_func(state, _map_struct(_to_tensor, element)), "reduce")
                state = _next_state(state, new, "reduce")
        return state

    def get_single_element(self, name=None):
        """The one element of a dataset that has exactly one."""
        with contextlib.closing(self._elements(_Ctx())) as gen:
            first = next(gen, None)
            if first is None:
                raise InvalidArgumentError("Dataset was empty.")
            if next(gen, None) is not None:
                raise InvalidArgumentError("Dataset had more than one element.")
        return _map_struct(_to_tensor, first)


# ---------------------------------------------------------------- sources
class _TensorSliceDataset(Dataset):
    def __init__(self, tensors):
        if isinstance(tensors, list):
            tensors = _input_tensor(tensors)
        flat = [_input_tensor(t) for t in _flatten(tensors)]
        if not flat:
            raise ValueError("Invalid `element`. `element` should not be empty.")
        for t in flat:
            if len(t.shape) == 0:
                raise ValueError("Unbatching a tensor is only supported for rank >= 1 (from_tensor_slices got a "
                                 "scalar component %r)" % (t,))
        n = flat[0].shape[0]
        for t in flat[1:]:
            if t.shape[0] != n:
                raise ValueError("Dimensions %d and %d are not compatible: from_tensor_slices needs every "
                                 "component to have the same first dimension (got shapes %s)"
                                 % (n, t.shape[0], ", ".join(str(u.shape) for u in flat)))
        self._template = _pack(tensors, flat)
        self._source = _ArraySource(flat)

    def _pure_source(self):
        return self._source

    def _plan(self):
        return _Plan(self._source, _whole(self._source.n), self._template)

    def _compute_spec(self):
        return _map_struct(lambda t: TensorSpec(t.shape[1:], t.dtype), self._template)

    def _card(self):
        return self._source.n


class _TensorDataset(Dataset):
    def __init__(self, tensors):
        if isinstance(tensors, list):
            tensors = _input_tensor(tensors)
        flat = [_input_tensor(t) for t in _flatten(tensors)]
        if not flat:
            raise ValueError("Invalid `element`. `element` should not be empty.")
        self._template = _pack(tensors, flat)
        self._source = _ArraySource([_core.expand_dims(t, 0) for t in flat])

    def _pure_source(self):
        return self._source

    def _plan(self):
        return _Plan(self._source, _whole(1), self._template)

    def _compute_spec(self):
        return _map_struct(lambda t: TensorSpec(t.shape, t.dtype), self._template)

    def _card(self):
        return 1


class _RangeDataset(Dataset):
    def __init__(self, args, dtype):
        vals = []
        for a, what in zip(args, ("start", "stop", "step") if len(args) > 1 else ("stop",)):
            if isinstance(a, (float, np.floating)) or isinstance(a, (bool, np.bool_)):
                raise TypeError("Cannot convert %r to EagerTensor of dtype int64" % (a,))
            vals.append(_as_int(a, "range: " + what))
        start, stop, step = (0, vals[0], 1) if len(vals) == 1 else (vals + [1])[:3]
        if step == 0:
            raise InvalidArgumentError("step must be a non-zero integer.")
        if not (dtype.is_integer or dtype.is_floating):
            raise TypeError("range: dtype must be an integer or floating type, got %s" % dtype.name)
        self._args = (start, stop, step)
        self._dtype = dtype
        self._source = _RangeSource(start, step, len(range(start, stop, step)), dtype)

    def _pure_source(self):
        return self._source

    def _plan(self):
        return _Plan(self._source, _whole(self._source.n), None)

    def _compute_spec(self):
        return TensorSpec((), self._dtype)

    def _card(self):
        return self._source.n


class _ZipDataset(Dataset):
    def __init__(self, datasets):
        self._datasets = datasets
        self._children = _flatten(datasets)
        if not self._children:
            raise TypeError("Must pass at least one dataset to `zip`.")
        self._exact = all(d._exact for d in self._children)

    def _pure_source(self):
        sources = [getattr(d, "_pure_source", lambda: None)() for d in self._children]
        if any(s is None for s in sources):
            return None
        return _ZipSource(sources)

    def _plan(self):
        source = self._pure_source()
        if source is None:
            return None
        template = _pack(self._datasets, [d._plan().template for d in self._children])
        return _Plan(source, _whole(source.n), template)

    def _stream_reader(self, ctx):
        readers = []
        for d in self._children:
            r = d._reader(ctx)
            if r is None:
                for other in readers:
                    other.close()
                return None
            readers.append(r)
        return _ZipReader(self._datasets, readers)

    def _stream(self, ctx):
        gens = [d._elements(ctx) for d in self._children]
        try:
            for parts in zip(*gens):
                yield _pack(self._datasets, parts)
        finally:
            for g in gens:
                g.close()

    def _compute_spec(self):
        return _pack(self._datasets, [d.element_spec for d in self._children])

    def _card(self):
        return _cardinality_min([d._card() for d in self._children])


# ---------------------------------------------------------------- unary transformations
class _UnaryDataset(Dataset):
    def __init__(self, input_dataset):
        if not isinstance(input_dataset, Dataset):
            raise TypeError("expected a Dataset, got %s" % type(input_dataset))
        self._input = input_dataset
        self._exact = input_dataset._exact

    def _compute_spec(self):
        return self._input.element_spec

    def _card(self):
        return self._input._card()


class _ShuffleDataset(_UnaryDataset):
    def __init__(self, input_dataset, buffer_size, seed, reshuffle_each_iteration):
        super().__init__(input_dataset)
        buffer_size = _as_int(buffer_size, "shuffle: buffer_size")
        if buffer_size == UNKNOWN_CARDINALITY:
            buffer_size = _INT64_MAX
        if buffer_size <= 0:
            raise InvalidArgumentError("buffer_size must be greater than zero or UNKNOWN_CARDINALITY, got %d "
                                       "[Op:ShuffleDataset]" % buffer_size)
        self._buffer_size = buffer_size
        if seed is None:
            # Drawn from fasttape.random's generator: repeatable after set_seed.
            self._seed = [int(_random._generator(None).integers(0, 2 ** 63))]
        else:
            g = _random._global_seed
            self._seed = [(0 if g is None else g) % 2 ** 64, _as_int(seed, "shuffle: seed") % 2 ** 64]
        self._reshuffle = True if reshuffle_each_iteration is None else bool(reshuffle_each_iteration)
        self._epochs = itertools.count()
        self._lock = threading.Lock()

    def _rng(self, ctx):
        if not self._reshuffle:
            epoch = 0
        elif ctx.probe:
            epoch = -1
        else:
            with self._lock:
                epoch = next(self._epochs)
        return np.random.default_rng(self._seed + [epoch + 1])

    def _plan(self):
        plan = self._input._plan()
        if plan is None:
            return None
        size, child = self._buffer_size, plan.chunks

        def chunks(ctx):
            return _shuffle_indices(_pieces(child(ctx), _PIECE), size, self._rng(ctx))
        return plan.derive(chunks)

    def _stream(self, ctx):
        rng = self._rng(ctx)
        buf = []
        with contextlib.closing(self._input._elements(ctx)) as gen:
            for element in gen:
                if len(buf) < self._buffer_size:
                    buf.append(element)
                    continue
                j = int(rng.integers(len(buf)))
                out, buf[j] = buf[j], element
                yield out
            while buf:
                j = int(rng.integers(len(buf)))
                buf[j], buf[-1] = buf[-1], buf[j]
                yield buf.pop()


def _shuffle_indices(pieces, size, rng):
    """TensorFlow's buffered shuffle applied to a stream of row indices: a
    buffer of ``size`` rows; each output is a uniformly chosen buffer slot,
    refilled with the next input row; at the end the rest in random order.
    Computed a piece at a time without a per-row Python loop."""
    filled, total = [], 0
    rest = None
    for p in pieces:
        p = _chunk_array(p)
        room = size - total
        if len(p) <= room:
            filled.append(p)
            total += len(p)
            continue
        filled.append(p[:room])
        rest = p[room:]
        break
    buf = np.concatenate(filled) if filled else np.zeros(0, np.int64)
    if rest is None:
        if len(buf):
            yield buf[rng.permutation(len(buf))]
        return
    stream = itertools.chain([rest], (_chunk_array(p) for p in pieces))
    for x in stream:
        m = len(x)
        slots = rng.integers(0, size, size=m)
        # Sequentially, step t outputs buf[slots[t]] and stores x[t] there.
        # Grouped by slot (stable, so in step order), the first step of a group
        # outputs the slot's old value and each later one the x stored by the
        # step before it in the group.
        order = np.argsort(slots, kind="stable")
        s = slots[order]
        first = np.ones(m, dtype=bool)
        first[1:] = s[1:] != s[:-1]
        prev = np.empty(m, dtype=np.int64)
        prev[1:] = x[order[:-1]]
        prev[0] = 0
        out = np.empty(m, dtype=np.int64)
        out[order] = np.where(first, buf[s], prev)
        last = np.ones(m, dtype=bool)
        last[:-1] = s[:-1] != s[1:]
        buf[s[last]] = x[order[last]]
        yield out
    yield buf[rng.permutation(len(buf))]


class _RepeatDataset(_UnaryDataset):
    def __init__(self, input_dataset, count):
        super().__init__(input_dataset)
        self._count = count

    def _card(self):
        n = self._input._card()
        if self._count < 0:
            return 0 if n == 0 else INFINITE_CARDINALITY
        if self._count == 0:
            return 0
        if n in (INFINITE_CARDINALITY, UNKNOWN_CARDINALITY):
            return n
        return self._count * n

    def _epochs(self):
        return itertools.count() if self._count < 0 else range(self._count)

    def _plan(self):
        plan = self._input._plan()
        if plan is None:
            return None
        child = plan.chunks

        def chunks(ctx):
            for _ in self._epochs():
                rows = 0
                for c in child(ctx):
                    rows += _chunk_len(c)
                    yield c
                if rows == 0:
                    return
        return plan.derive(chunks)

    def _stream_reader(self, ctx):
        if self._count == 0:
            return None
        first = self._input._reader(ctx)
        if first is None:
            return None
        pending = [first]

        def make():
            return pending.pop() if pending else self._input._reader(ctx)
        return _RepeatReader(make, self._count)

    def _stream(self, ctx):
        for _ in self._epochs():
            seen = False
            with contextlib.closing(self._input._elements(ctx)) as gen:
                for element in gen:
                    seen = True
                    yield element
            if not seen:
                return


class _TakeDataset(_UnaryDataset):
    def __init__(self, input_dataset, count):
        super().__init__(input_dataset)
        self._count = count

    def _card(self):
        n = self._input._card()
        if n == UNKNOWN_CARDINALITY:
            return UNKNOWN_CARDINALITY
        if n == INFINITE_CARDINALITY:
            return self._count
        if self._count == -1:
            return n
        return min(n, self._count)

    def _plan(self):
        plan = self._input._plan()
        if plan is None or self._count < 0:
            return plan
        count, child = self._count, plan.chunks

        def chunks(ctx):
            left = count
            if left == 0:
                return
            with contextlib.closing(child(ctx)) as gen:
                for c in gen:
                    n = _chunk_len(c)
                    if n >= left:
                        yield _chunk_part(c, 0, left)
                        return
                    left -= n
                    yield c
        return plan.derive(chunks)

    def _stream_reader(self, ctx):
        r = self._input._reader(ctx)
        if r is None or self._count < 0:
            return r
        return _TakeReader(r, self._count)

    def _stream(self, ctx):
        if self._count == 0:
            return
        with contextlib.closing(self._input._elements(ctx)) as gen:
            for i, element in enumerate(gen):
                yield element
                if i + 1 == self._count:
                    return


class _SkipDataset(_UnaryDataset):
    def __init__(self, input_dataset, count):
        super().__init__(input_dataset)
        self._count = count

    def _card(self):
        n = self._input._card()
        if n in (INFINITE_CARDINALITY, UNKNOWN_CARDINALITY):
            return n
        return 0 if self._count < 0 else max(0, n - self._count)

    def _plan(self):
        plan = self._input._plan()
        if plan is None:
            return None
        count, child = self._count, plan.chunks

        def chunks(ctx):
            left = count
            with contextlib.closing(child(ctx)) as gen:
                for c in gen:
                    if left < 0:
                        continue  # skip(-1): everything
                    n = _chunk_len(c)
                    if left >= n:
                        left -= n
                        continue
                    yield _chunk_part(c, left, n)
                    left = 0
        return plan.derive(chunks)

    def _stream_reader(self, ctx):
        r = self._input._reader(ctx)
        if r is None or self._count < 0:
            return None if r is None else _TakeReader(r, 0)
        return _SkipReader(r, self._count)

    def _stream(self, ctx):
        with contextlib.closing(self._input._elements(ctx)) as gen:
            for i, element in enumerate(gen):
                if self._count < 0 or i < self._count:
                    continue
                yield element


class _ShardDataset(_UnaryDataset):
    def __init__(self, input_dataset, num_shards, index):
        super().__init__(input_dataset)
        num_shards = _as_int(num_shards, "shard: num_shards")
        index = _as_int(index, "shard: index")
        if num_shards <= 0:
            raise InvalidArgumentError("Number of shards must be greater than zero (got %d)." % num_shards)
        if not 0 <= index < num_shards:
            raise InvalidArgumentError("Index must be between 0 and %d (currently index = %d)."
                                       % (num_shards - 1, index))
        self._num, self._index = num_shards, index

    def _card(self):
        n = self._input._card()
        if n in (INFINITE_CARDINALITY, UNKNOWN_CARDINALITY):
            return n
        return n // self._num + (1 if self._index < n % self._num else 0)

    def _plan(self):
        plan = self._input._plan()
        if plan is None:
            return None
        num, index, child = self._num, self._index, plan.chunks

        def chunks(ctx):
            pos = 0  # position of the next row in the input
            for c in _pieces(child(ctx), _PIECE):
                n = _chunk_len(c)
                first = (index - pos) % num
                if first < n:
                    yield _chunk_array(c)[first::num]
                pos += n
        return plan.derive(chunks)

    def _stream(self, ctx):
        with contextlib.closing(self._input._elements(ctx)) as gen:
            for i, element in enumerate(gen):
                if i % self._num == self._index:
                    yield element


class _MapDataset(_UnaryDataset):
    def __init__(self, input_dataset, map_func, num_parallel_calls):
        super().__init__(input_dataset)
        self._exact = False
        _check_callable(map_func)
        _check_parallel_calls(num_parallel_calls, "map: num_parallel_calls")
        self._func = map_func

    def _elements(self, ctx):
        with contextlib.closing(self._input._elements(ctx)) as gen:
            for element in gen:
                yield _normalize_output(_call(self._func, element), "map")

    def _compute_spec(self):
        spec = self._probe_spec()
        if spec is None:
            # An empty input: run the function once on zeros of the input's type.
            zeros = _map_struct(lambda s: np.zeros([0 if d is None else d for d in s.shape],
                                                   s.dtype.as_numpy_dtype), self._input.element_spec)
            spec = _map_struct(_spec_of, _normalize_output(_call(self._func, zeros), "map"))
        return spec


class _ParallelMapDataset(_MapDataset):
    """A map given num_parallel_calls; the function runs in the iterating
    thread, in order (a prefetch after it overlaps it with the consumer)."""


def _check_predicate(r):
    r = r if _core.is_tensor(r) else convert_to_tensor(r)
    if r.dtype != _bool or r.shape != ():
        raise ValueError("Invalid `predicate`. `predicate` must return a `tf.bool` scalar tensor, but its return "
                         "type is %r." % _spec_of(r))
    return bool(r)


class _FilterDataset(_UnaryDataset):
    def __init__(self, input_dataset, predicate):
        super().__init__(input_dataset)
        _check_callable(predicate)
        self._pred = predicate

    def _card(self):
        return UNKNOWN_CARDINALITY

    def _elements(self, ctx):
        with contextlib.closing(self._input._elements(ctx)) as gen:
            for element in gen:
                if _check_predicate(_call(self._pred, element)):
                    yield element


class _TakeWhileDataset(_FilterDataset):
    def _elements(self, ctx):
        with contextlib.closing(self._input._elements(ctx)) as gen:
            for element in gen:
                if not _check_predicate(_call(self._pred, element)):
                    return
                yield element


class _FlatMapDataset(_UnaryDataset):
    def __init__(self, input_dataset, map_func):
        super().__init__(input_dataset)
        self._exact = False
        _check_callable(map_func)
        self._func = map_func

    def _card(self):
        return UNKNOWN_CARDINALITY

    def _elements(self, ctx):
        with contextlib.closing(self._input._elements(ctx)) as gen:
            for element in gen:
                inner = _inner_dataset(self._func, element, "flat_map")
                with contextlib.closing(inner._elements(ctx)) as sub:
                    yield from sub

    def _compute_spec(self):
        spec = self._probe_spec()
        if spec is None:
            raise ValueError("The element_spec of this flat_map cannot be determined: it has no elements")
        return spec


class _InterleaveDataset(_UnaryDataset):
    def __init__(self, input_dataset, map_func, cycle_length, block_length):
        super().__init__(input_dataset)
        self._exact = False
        _check_callable(map_func)
        self._func = map_func
        cycle = AUTOTUNE if cycle_length is None else _as_int(cycle_length, "interleave: cycle_length")
        if cycle == AUTOTUNE:
            cycle = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        block = 1 if block_length is None else _as_int(block_length, "interleave: block_length")
        if cycle <= 0:
            raise InvalidArgumentError("cycle_length must be greater than zero, got %d" % cycle)
        if block <= 0:
            raise InvalidArgumentError("block_length must be greater than zero, got %d" % block)
        self._cycle, self._block = cycle, block

    def _card(self):
        return UNKNOWN_CARDINALITY

    def _open(self, element, ctx):
        return _inner_dataset(self._func, element, "interleave")._elements(ctx)

    def _elements(self, ctx):
        # TensorFlow's order: visit the slots in turn, taking up to block_length
        # elements from each; an empty slot opens the next input's dataset when
        # its turn comes.
        source = self._input._elements(ctx)
        slots = [None] * self._cycle
        index = taken = 0
        input_done = False
        try:
            while not input_done or any(g is not None for g in slots):
                gen = slots[index]
                if gen is None and not input_done:
                    element = next(source, None)
                    if element is None:
                        input_done = True
                    else:
                        slots[index] = self._open(element, ctx)
                    continue
                if gen is not None:
                    value = next(gen, None)
                    if value is not None:
                        yield value
                        taken += 1
                        if taken < self._block:
                            continue
                    else:
                        gen.close()
                        slots[index] = None
                index = (index + 1) % self._cycle
                taken = 0
        finally:
            for g in slots:
                if g is not None:
                    g.close()
            source.close()

    def _compute_spec(self):
        first = _first_element(self._input, _Ctx(probe=True))
        if first is None:
            raise ValueError("The element_spec of this interleave cannot be determined: its input is empty")
        return _inner_dataset(self._func, first, "interleave").element_spec


class _ParallelInterleaveDataset(_InterleaveDataset):
    """An interleave given num_parallel_calls (elements come in the same order)."""


class _ScanDataset(_UnaryDataset):
    def __init__(self, input_dataset, initial_state, scan_func):
        super().__init__(input_dataset)
        self._exact = False
        _check_callable(scan_func)
        self._state = _map_struct(_input_tensor, initial_state)
        self._func = scan_func

    def _elements(self, ctx):
        state = self._state
        with contextlib.closing(self._input._elements(ctx)) as gen:
            for element in gen:
                ret = self._func(state, _map_struct(_to_tensor, element))
                if not isinstance(ret, (tuple, list)) or len(ret) != 2:
                    raise TypeError("scan: `scan_func` must return a pair (new_state, output_element), got %r"
                                    % (ret,))
                state = _next_state(state, _normalize_output(ret[0], "scan"), "scan")
                yield _normalize_output(ret[1], "scan")

    def _compute_spec(self):
        spec = self._probe_spec()
        if spec is None:
            raise ValueError("The element_spec of this scan cannot be determined: its input is empty")
        return spec


class _UniqueDataset(_UnaryDataset):
    def _card(self):
        return UNKNOWN_CARDINALITY

    def _elements(self, ctx):
        seen = set()
        with contextlib.closing(self._input._elements(ctx)) as gen:
            for element in gen:
                if _is_struct(element) or np.ndim(element) != 0 or not _dtype_of(element).is_integer:
                    raise TypeError("`tf.data.Dataset.unique` does not support this element (int32 or int64 "
                                    "scalars only): %r" % (element,))
                key = int(np.asarray(element))
                if key not in seen:
                    seen.add(key)
                    yield element


class _GeneratorDataset(Dataset):
    _repr_name = "_FlatMapDataset"  # TensorFlow's from_generator is a flat_map

    def __init__(self, generator, output_types, output_shapes, args, output_signature):
        if not callable(generator):
            raise TypeError("`generator` must be a Python callable.")
        if output_signature is not None:
            if output_types is not None:
                raise TypeError("The `output_types` argument can not be used together with the "
                                "`output_signature` argument.")
            if output_shapes is not None:
                raise TypeError("The `output_shapes` argument can not be used together with the "
                                "`output_signature` argument.")
            for spec in _flatten(output_signature):
                if not isinstance(spec, TensorSpec):
                    raise TypeError("`output_signature` must contain objects that are subclass of `tf.TypeSpec` "
                                    "but found %s which is not." % type(spec))
            signature = output_signature
        else:
            if output_types is None:
                raise TypeError("To specify the output signature you need to provide either the "
                                "`output_signature` argument or the `output_types` argument.")
            dtypes = [as_dtype(t) for t in _flatten(output_types)]
            if output_shapes is None:
                shapes = [None] * len(dtypes)
            else:
                shapes = [None if s is None else _shape_arg(s, "from_generator: output_shapes")
                          for s in _flatten_up_to(output_types, output_shapes, "output_shapes")]
            signature = _pack(output_types, [TensorSpec(s, d) for s, d in zip(shapes, dtypes)])
        self._signature = signature
        self._generator = generator
        self._args = () if args is None else tuple(_input_tensor(a).numpy() for a in args)

    def _compute_spec(self):
        return self._signature

    def _card(self):
        return UNKNOWN_CARDINALITY

    def _convert(self, value):
        try:
            parts = _flatten_up_to(self._signature, value, "generator")
        except ValueError:
            raise InvalidArgumentError(
                "TypeError: `generator` yielded an element that did not match the expected structure. The "
                "expected structure was %r, but the yielded element was %r."
                % (_map_struct(lambda s: s.dtype, self._signature), value)) from None
        out = []
        for spec, v in zip(_flatten(self._signature), parts):
            try:
                a = np.asarray(v, dtype=spec.dtype.as_numpy_dtype)
            except (TypeError, ValueError):
                raise InvalidArgumentError(
                    "TypeError: `generator` yielded an element that could not be converted to the expected type. "
                    "The expected type was %s, but the yielded element was %r." % (spec.dtype.name, v)) from None
            if not spec.shape.is_compatible_with(a.shape):
                raise InvalidArgumentError(
                    "TypeError: `generator` yielded an element of shape %s where an element of shape %s was "
                    "expected." % (TensorShape(a.shape), spec.shape))
            out.append(a)
        return _pack(self._signature, out)

    def _elements(self, ctx):
        try:
            it = iter(self._generator(*self._args))
        except Exception as e:
            raise _generator_error(e) from e
        try:
            while True:
                try:
                    value = next(it)
                except StopIteration:
                    return
                except Exception as e:
                    raise _generator_error(e) from e
                yield self._convert(value)
        finally:
            close = getattr(it, "close", None)
            if close is not None:
                close()


def _generator_error(e):
    """The error TensorFlow raises for exception ``e`` from a from_generator
    generator: InvalidArgumentError for ValueError and TypeError,
    ResourceExhaustedError for MemoryError, UnimplementedError for
    NotImplementedError, UnknownError otherwise (the original is its cause)."""
    if isinstance(e, (ValueError, TypeError)):
        cls = InvalidArgumentError
    elif isinstance(e, MemoryError):
        cls = ResourceExhaustedError
    elif isinstance(e, NotImplementedError):
        cls = UnimplementedError
    else:
        cls = UnknownError
    return cls(None, None, "%s: %s" % (type(e).__name__, e))


def _batch_size(batch_size, op):
    n = _as_int(batch_size, op + ": batch_size")
    if n <= 0:
        raise InvalidArgumentError("Batch size must be greater than zero (%s got batch_size=%d). [Op:%s]"
                                   % (op, n, "BatchDatasetV2" if op == "batch" else "PaddedBatchDatasetV2"))
    return n


def _batch_card(n, size, drop):
    if n in (INFINITE_CARDINALITY, UNKNOWN_CARDINALITY):
        return n
    return n // size if drop else -(-n // size)


def _dims(shape):
    return "[" + ",".join(str(d) for d in shape) + "]"


def _stack(values, component):
    arrays = [_to_array(v) for v in values]
    shape = arrays[0].shape
    for i, a in enumerate(arrays):
        if a.shape == shape:
            continue
        if a.size != arrays[0].size:
            message = ("Cannot add tensor to the batch: number of elements does not match. Shapes are: [tensor]: "
                       "%s, [batch]: %s" % (_dims(a.shape), _dims(shape)))
        else:
            message = ("Cannot batch tensors with different shapes in component %d. First element had shape %s and "
                       "element %d had shape %s." % (component, _dims(shape), i, _dims(a.shape)))
        raise InvalidArgumentError(message + " (padded_batch pads elements to a common shape.)")
    return _to_tensor(np.stack(arrays))


def _check_batch_structure(elements):
    first = elements[0]
    for e in elements[1:]:
        if not _same_structure(first, e):
            raise InvalidArgumentError("Cannot batch elements of different structures: %r and %r" % (first, e))


class _BatchDataset(_UnaryDataset):
    def __init__(self, input_dataset, batch_size, drop_remainder, num_parallel_calls):
        super().__init__(input_dataset)
        self._size = _batch_size(batch_size, "batch")
        self._drop = bool(drop_remainder)
        _check_parallel_calls(num_parallel_calls, "batch: num_parallel_calls")

    def _card(self):
        return _batch_card(self._input._card(), self._size, self._drop)

    def _compute_spec(self):
        lead = self._size if self._drop else None
        return _map_struct(lambda s: TensorSpec(_batched_shape(s.shape, lead), s.dtype), self._input.element_spec)

    def _elements(self, ctx):
        reader = self._input._reader(ctx)
        if reader is not None:
            return self._read_batches(reader)
        return self._stack_batches(ctx)

    def _read_batches(self, reader):
        try:
            while True:
                got = reader.read(self._size)
                if got is None or (self._drop and got[1] < self._size):
                    return
                yield _pack(reader.template, got[0])
                if got[1] < self._size:
                    return
        finally:
            reader.close()

    def _stack_batches(self, ctx):
        with contextlib.closing(self._input._elements(ctx)) as gen:
            while True:
                elements = list(itertools.islice(gen, self._size))
                if not elements or (self._drop and len(elements) < self._size):
                    return
                yield self._make_batch(elements)
                if len(elements) < self._size:
                    return

    def _make_batch(self, elements):
        _check_batch_structure(elements)
        flats = [_flatten(e) for e in elements]
        return _pack(elements[0], [_stack(col, i) for i, col in enumerate(zip(*flats))])


class _ParallelBatchDataset(_BatchDataset):
    """A batch given num_parallel_calls (batches are made in order)."""


def _shape_arg(shape, what):
    """A padded shape given as a list/tuple/TensorShape/1-D tensor, with
    None or -1 for "the largest in the batch"."""
    if _core.is_tensor(shape):
        shape = [int(d) for d in np.asarray(shape).reshape(-1)]
    if isinstance(shape, (numbers.Integral, np.integer)):
        shape = [shape]
    try:
        dims = [None if d is None or int(d) == -1 else int(d) for d in shape]
    except TypeError:
        raise TypeError("%s: %r is not a shape" % (what, shape)) from None
    for d in dims:
        if d is not None and d < 0:
            raise ValueError("%s: %r has a negative dimension" % (what, shape))
    return TensorShape(dims)


def _padding_fill(pad, dtype):
    """The scalar a component of type ``dtype`` is padded with (None: zero)."""
    if pad is None:
        return np.zeros((), dtype=dtype.as_numpy_dtype)
    pv = pad if _core.is_tensor(pad) else convert_to_tensor(pad)
    if pv.dtype != dtype:
        raise TypeError("Invalid `padding_values`. `padding_values` values type %s does not match type %s of the "
                        "corresponding input component." % (pv.dtype, dtype))
    if pv.shape != ():
        raise ValueError("Invalid `padding_values`. `padding_values` values should be scalars, but got %s."
                         % (pv.shape,))
    return np.asarray(pv)


class _PaddedBatchDataset(_BatchDataset):
    def __init__(self, input_dataset, batch_size, padded_shapes, padding_values, drop_remainder):
        _UnaryDataset.__init__(self, input_dataset)
        self._size = _batch_size(batch_size, "padded_batch")
        self._drop = bool(drop_remainder)
        self._padded_shapes = padded_shapes
        self._padding_values = padding_values
        if input_dataset._exact:  # TensorFlow checks shapes and padding values when built
            spec = input_dataset.element_spec
            self._component_shapes(spec)
            for s, pad in zip(_flatten(spec), self._component_padding(spec)):
                _padding_fill(pad, s.dtype)

    def _component_shapes(self, template):
        """Per component: the padded shape (None entries: largest in batch)."""
        specs = _flatten(template)
        if self._padded_shapes is None:
            return [None] * len(specs)
        shapes = [_shape_arg(s, "padded_batch: padded_shapes")
                  for s in _flatten_up_to(template, self._padded_shapes, "padded_shapes")]
        for p, s in zip(shapes, specs):
            static = isinstance(s, TensorSpec)  # else an element, checked when padded
            shape = s.shape if static else TensorShape(np.shape(s))
            if shape.rank is None:
                continue
            if len(p) != len(shape) or (static and any(pd is not None and sd is not None and sd > pd
                                                       for pd, sd in zip(p, shape))):
                raise ValueError("The padded shape %s is not compatible with the shape %s of the corresponding "
                                 "input component." % (p, shape))
        return shapes

    def _component_padding(self, template):
        n = len(_flatten(template))
        if self._padding_values is None:
            return [None] * n
        if not _is_struct(self._padding_values):
            return [self._padding_values] * n
        return _flatten_up_to(template, self._padding_values, "padding_values")

    def _compute_spec(self):
        spec = self._input.element_spec
        shapes = self._component_shapes(spec)
        lead = self._size if self._drop else None
        out = []
        for s, p in zip(_flatten(spec), shapes):
            if p is None and s.shape.rank is None:
                out.append(TensorSpec(s.shape, s.dtype))
                continue
            dims = tuple(s.shape) if p is None else tuple(p)
            if p is None and not self._input._exact:
                dims = (None,) * len(dims)
            out.append(TensorSpec((lead,) + dims, s.dtype))
        return _pack(spec, out)

    def _elements(self, ctx):
        return self._stack_batches(ctx)

    def _make_batch(self, elements):
        _check_batch_structure(elements)
        template = elements[0]
        shapes = self._component_shapes(template)
        paddings = self._component_padding(template)
        flats = [_flatten(e) for e in elements]
        out = []
        for i, col in enumerate(zip(*flats)):
            arrays = [_to_array(v) for v in col]
            dtype = _dtype_of(col[0])
            rank = arrays[0].ndim
            target = shapes[i]
            for a in arrays:
                if a.ndim != rank or (target is not None and len(target) != a.ndim):
                    raise ValueError("The padded shape %s is not compatible with the shape %s of the "
                                     "corresponding input component."
                                     % (target if target is not None else TensorShape(arrays[0].shape),
                                        TensorShape(a.shape)))
            dims = []
            for d in range(rank):
                biggest = max(a.shape[d] for a in arrays)
                want = None if target is None else target[d]
                if want is None:
                    want = biggest
                elif biggest > want:
                    raise DataLossError("Attempted to pad to a smaller size than the input element (padded_batch "
                                        "component %d: padded shape %s, element shape %s)."
                                        % (i, target, TensorShape(next(a.shape for a in arrays
                                                                           if a.shape[d] > want))))
                dims.append(want)
            fill = _padding_fill(paddings[i], dtype)
            batch = np.full([len(arrays)] + dims, fill, dtype=dtype.as_numpy_dtype)
            for j, a in enumerate(arrays):
                batch[(j,) + tuple(slice(0, s) for s in a.shape)] = a
            out.append(_core.from_numpy(batch))
        return _pack(template, out)


class _UnbatchDataset(_UnaryDataset):
    def __init__(self, input_dataset):
        super().__init__(input_dataset)
        if input_dataset._exact:
            specs = [s for s in _flatten(input_dataset.element_spec) if s.shape.rank is not None]
            if any(len(s.shape) == 0 for s in specs):
                raise ValueError("Cannot unbatch an input with scalar components.")
            known = sorted(set(s.shape[0] for s in specs if s.shape[0] is not None))
            if len(known) > 1:
                raise ValueError("`unbatch()` is only supported for datasets of elements whose components have a "
                                 "matching leading dimension. Encountered both %d and %d." % (known[0], known[1]))

    def _card(self):
        # Known when every component has the same known, non-zero leading dimension.
        n = self._input._card()
        if n == 0:
            return 0
        if n == UNKNOWN_CARDINALITY or not self._input._exact:
            return UNKNOWN_CARDINALITY
        specs = _flatten(self._input.element_spec)
        lead = set(None if s.shape.rank is None else s.shape[0] for s in specs)
        if len(lead) != 1 or None in lead or 0 in lead:
            return UNKNOWN_CARDINALITY
        return n if n == INFINITE_CARDINALITY else n * lead.pop()

    def _compute_spec(self):
        return _map_struct(lambda s: TensorSpec(_unbatched_shape(s.shape), s.dtype), self._input.element_spec)

    def _elements(self, ctx):
        with contextlib.closing(self._input._elements(ctx)) as gen:
            for element in gen:
                arrays = [_to_array(v) for v in _flatten(element)]
                if any(a.ndim == 0 for a in arrays):
                    raise ValueError("Cannot unbatch an input with scalar components.")
                n = arrays[0].shape[0]
                for a in arrays[1:]:
                    if a.shape[0] != n:
                        raise InvalidArgumentError(
                            "unbatch: the components of an element have different first dimensions (%d and %d)"
                            % (n, a.shape[0]))
                for i in range(n):
                    yield _pack(element, [a[i] for a in arrays])


class _ConcatenateDataset(Dataset):
    def __init__(self, first, second):
        if not isinstance(second, Dataset):
            raise TypeError("concatenate: expected a Dataset, got %s" % type(second))
        self._first, self._second = first, second
        self._exact = first._exact and second._exact
        if self._exact:
            self._compute_spec()

    def _compute_spec(self):
        a, b = self._first.element_spec, self._second.element_spec
        if not _same_structure(a, b):
            raise TypeError("Incompatible dataset elements:\n  %r vs.   %r" % (a, b))
        out = []
        for x, y in zip(_flatten(a), _flatten(b)):
            if x.dtype != y.dtype:
                raise TypeError("Incompatible dataset elements:\n  %r vs.   %r" % (a, b))
            if len(x.shape) != len(y.shape):
                dims = None
            else:
                dims = [p if p == q else None for p, q in zip(x.shape, y.shape)]
            if dims is None:
                raise TypeError("Incompatible dataset elements (ranks differ):\n  %r vs.   %r" % (a, b))
            out.append(TensorSpec(dims, x.dtype))
        return _pack(a, out)

    def _card(self):
        n, m = self._first._card(), self._second._card()
        if INFINITE_CARDINALITY in (n, m):
            return INFINITE_CARDINALITY
        if UNKNOWN_CARDINALITY in (n, m):
            return UNKNOWN_CARDINALITY
        return n + m

    def _elements(self, ctx):
        for d in (self._first, self._second):
            with contextlib.closing(d._elements(ctx)) as gen:
                yield from gen


class _PrefetchDataset(_UnaryDataset):
    def __init__(self, input_dataset, buffer_size):
        super().__init__(input_dataset)
        n = _as_int(buffer_size, "prefetch: buffer_size")
        if n < AUTOTUNE:
            raise InvalidArgumentError("buffer_size must be >= 0 or set buffer_size to be -1 for auto-tuning "
                                       "(prefetch got %d) [Op:PrefetchDataset]" % n)
        self._buffer = _AUTOTUNE_PREFETCH if n == AUTOTUNE else n

    def _elements(self, ctx):
        if ctx.probe or self._buffer == 0:
            return self._input._elements(ctx)
        return self._prefetch_elements(ctx)

    def _prefetch_elements(self, ctx):
        q = queue.Queue(maxsize=self._buffer)
        stop = threading.Event()
        _live_stops.add(stop)
        thread = threading.Thread(target=_produce, args=(self._input._elements(ctx), q, stop),
                                  name="fasttape.data.prefetch", daemon=True)
        thread.start()
        try:
            while True:
                kind, value = q.get()
                if kind == 0:
                    yield value
                elif kind == 1:
                    return
                else:
                    raise value
        finally:
            stop.set()
            while True:  # unblock a producer waiting for room
                try:
                    q.get_nowait()
                except queue.Empty:
                    break
            # The producer stops before its next element; a producer blocked
            # in user code (a slow generator) is not waited for long: it is a
            # daemon thread. (A finalizer may run in any thread, the
            # producer's own included.)
            if not sys.is_finalizing() and thread is not threading.current_thread():
                thread.join(timeout=1.0)


class CacheDataset(_UnaryDataset):
    """A dataset that keeps its input's elements after the first complete
    pass and serves later passes from there: in memory, or with a
    ``filename`` in the file ``<filename>.cache.npz``, which later passes and
    later programs read instead of the input (as TensorFlow's file cache)."""

    def __init__(self, input_dataset, filename=""):
        super().__init__(input_dataset)
        if _core.is_tensor(filename):
            filename = np.asarray(filename).item()
        if isinstance(filename, bytes):
            filename = filename.decode("utf-8")
        self._path = None if filename in ("", None) else os.fspath(filename) + _CACHE_SUFFIX
        self._stored = None  # a _Plan over the stacked elements, or a list of elements
        self._lock = threading.Lock()

    def _plan(self):
        stored = self._current()
        return stored if isinstance(stored, _Plan) else None

    def _current(self):
        """The stored elements (read from the cache file if it exists), or None."""
        if self._stored is None and self._path is not None and os.path.exists(self._path):
            self._keep(self._read_file())
        return self._stored

    def _elements(self, ctx):
        stored = self._current()
        if isinstance(stored, _Plan):
            return _plan_elements(stored, ctx)
        if stored is not None:
            return (element for element in stored)
        return self._fill(ctx)

    def _fill(self, ctx):
        if self._path is not None and not os.path.isdir(os.path.dirname(self._path) or "."):
            raise NotFoundError(None, None, "Failed to create the cache file %s: its directory does not exist"
                                % self._path)
        kept = []
        with contextlib.closing(self._input._elements(ctx)) as gen:
            for element in gen:
                kept.append(element)
                yield element
        if not ctx.probe:
            stored = self._stack(kept)
            if self._path is not None:
                self._write_file(stored)
            self._keep(stored)

    @staticmethod
    def _stack(elements):
        """A _Plan over the elements stacked per component, or the list itself
        when their structures or shapes differ."""
        if not elements:
            return elements
        template = elements[0]
        flats = [_flatten(e) for e in elements]
        columns = [[_to_array(v) for v in col] for col in zip(*flats)]
        if all(_same_structure(template, e) for e in elements) and all(
                all(a.shape == col[0].shape for a in col) for col in columns):
            tensors = [_to_tensor(np.stack(col)) for col in columns]
            return _Plan(_ArraySource(tensors), _whole(len(elements)), template)
        return elements

    def _keep(self, stored):
        with self._lock:
            if self._stored is None:
                self._stored = stored

    def _write_file(self, stored):
        if isinstance(stored, _Plan):
            arrays = {"c%d" % j: a for j, a in enumerate(stored.source.arrays)}
            arrays["n"] = np.array(stored.source.n, np.int64)
        else:
            arrays = {"e%d_%d" % (i, j): _to_array(v) for i, e in enumerate(stored) for j, v in enumerate(_flatten(e))}
            arrays["n"] = np.array(len(stored), np.int64)
        _atomic_write(self._path, lambda f: np.savez(f, **arrays))

    def _read_file(self):
        template = self._input.element_spec
        k = len(_flatten(template))
        try:
            with open(self._path, "rb") as f, np.load(f, allow_pickle=False) as z:
                arrays = {name: z[name] for name in z.files}
            n = int(arrays.pop("n"))
            if "c0" in arrays:
                source = _ArraySource([_to_tensor(arrays["c%d" % j]) for j in range(k)])
                if source.n != n or len(arrays) != k:
                    raise ValueError("%d components of %d rows, expected %d of %d" % (len(arrays), source.n, k, n))
                return _Plan(source, _whole(n), template)
            if len(arrays) != n * k:
                raise ValueError("%d values, expected %d" % (len(arrays), n * k))
            return [_pack(template, [arrays["e%d_%d" % (i, j)] for j in range(k)]) for i in range(n)]
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as e:
            raise DataLossError(None, None, "The cache file %s does not hold the elements of this dataset: %s"
                                % (self._path, e)) from None


# ---------------------------------------------------------------- iterators
class Iterator:
    """An iterator over a dataset's elements (structures of tensors)."""

    def __init__(self, dataset):
        self._dataset = dataset
        self._gen = dataset._elements(_Ctx())

    @property
    def element_spec(self):
        return self._dataset.element_spec

    def __iter__(self):
        return self

    def __next__(self):
        return _map_struct(_to_tensor, next(self._gen))

    def get_next(self):
        """The next element; OutOfRangeError at the end."""
        try:
            return next(self)
        except StopIteration:
            raise OutOfRangeError("End of sequence") from None

    def __repr__(self):
        return "<fasttape.data.Iterator element_spec=%r>" % (self._dataset.element_spec,)


def _numpy_value(t):
    return t.numpy()


class NumpyIterator:
    """An iterator over a dataset's elements as numpy values."""

    def __init__(self, dataset):
        self._iterator = Iterator(dataset)

    def __iter__(self):
        return self

    def __next__(self):
        return _map_struct(_numpy_value, next(self._iterator))

    def __repr__(self):
        return "NumpyIterator(iterator=%r)" % (self._iterator,)


# ---------------------------------------------------------------- tf.data.experimental
def _cardinality(dataset):
    """``dataset.cardinality()``."""
    return dataset.cardinality()


experimental = types.ModuleType(__name__ + ".experimental", "TensorFlow's tf.data.experimental constants.")
experimental.AUTOTUNE = AUTOTUNE
experimental.INFINITE_CARDINALITY = INFINITE_CARDINALITY
experimental.UNKNOWN_CARDINALITY = UNKNOWN_CARDINALITY
experimental.cardinality = _cardinality
sys.modules[experimental.__name__] = experimental
