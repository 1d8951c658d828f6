"""Checkpoints (TensorFlow's ``tf.train``): ``Checkpoint``, ``CheckpointManager``,
``latest_checkpoint`` and the checkpoint readers.

A checkpoint saves an object graph as TensorFlow does. The root's children
are its keyword arguments (and attributes set later); a child is saved under
its dependency path (``model/layers/0/w``, with ``.`` escaped as ``..`` and
``/`` as ``.S`` inside a name). Trackable objects are ``Variable`` (a leaf
holding a value), ``list``/``tuple`` (children by index; a namedtuple by
field name), ``dict`` (children by string key), ``Checkpoint`` and any object with a ``_checkpoint_children()``
method returning an ordered mapping name -> child. An object reached by two
paths is saved once. An object with ``_checkpoint_slots()`` (an optimizer)
has its slots saved next to the variables they belong to
(``model/w/.OPTIMIZER_SLOT/optimizer/m``) and restored through its
``_restore_slot(variable, slot_name, value)``.

File format: one numpy ``.npz`` archive per checkpoint, ``<prefix>.npz``,
written without pickle and read with ``allow_pickle=False``. Its arrays are
the values under TensorFlow's keys (``model/w/.ATTRIBUTES/VARIABLE_VALUE``);
the entry ``_CHECKPOINTABLE_OBJECT_GRAPH`` holds the object graph as JSON
(nodes with their children, paths, keys, dtypes, shapes and slots). Files are
written to a temporary file in the same directory, fsynced and renamed into
place; the ``checkpoint`` state file of a directory (TensorFlow's text format)
is updated the same way after the data file is in place.

Deferred restoration: values whose objects do not exist yet when ``restore``
runs are restored when the object is attached later to a ``Checkpoint`` (by
attribute assignment) or to an object with ``_checkpoint_children()`` that
reports its new children: a restore that waits for children of such an
object sets its attribute ``_checkpoint_deferred``, and the object calls
``self._checkpoint_deferred.child_added(self, name, child)`` when that
attribute exists. Children appended later to a plain list or dict, and
children of objects that cannot take attributes, are not restored.
"""

import collections
import json
import os
import time
import zipfile

import numpy as np

from . import _core
from ._dtypes import as_dtype, int64
from ._tensor import TensorShape
from ._variable import Variable
from .errors import DataLossError, InvalidArgumentError, NotFoundError

__all__ = ["Checkpoint", "CheckpointManager", "CheckpointReader", "CheckpointState", "get_checkpoint_state",
           "latest_checkpoint", "list_variables", "load_checkpoint", "load_variable"]

GRAPH_KEY = "_CHECKPOINTABLE_OBJECT_GRAPH"
_FORMAT = "fasttape-checkpoint"
_VALUE_SUFFIX = ".ATTRIBUTES/VARIABLE_VALUE"
_SUFFIX = ".npz"
_STATE_FILE = "checkpoint"


# ---------------------------------------------------------------- object graph
def _escape(name):
    return str(name).replace(".", "..").replace("/", ".S")


def _is_variable(obj):
    return _core.is_variable(obj)


def _is_trackable(obj):
    return (_is_variable(obj) or isinstance(obj, (Checkpoint, list, tuple, dict))
            or callable(getattr(obj, "_checkpoint_children", None)))


def _not_trackable_error(name, value):
    shown = value.numpy() if _core.is_tensor(value) else value
    return ValueError("`Checkpoint` was expecting %s to be a trackable object (an object derived from `Trackable`), "
                      "got %s. If you believe this object should be trackable (i.e. it is part of the TensorFlow "
                      "Python API and manages state), please open an issue." % (name, shown))


def _children(obj):
    """The (name, child) pairs of a trackable object, in order; values that
    are not trackable are left out."""
    if _is_variable(obj):
        return []
    if isinstance(obj, Checkpoint):
        items = (_children(obj._root) if obj._root is not None else []) + obj._dependencies()
    elif isinstance(obj, tuple) and isinstance(getattr(obj, "_fields", None), tuple):
        items = list(zip(obj._fields, obj))  # a namedtuple: by field name
    elif isinstance(obj, (list, tuple)):
        items = [(str(i), c) for i, c in enumerate(obj)]
    elif isinstance(obj, dict):
        items = []
        for k, c in obj.items():
            if not _is_trackable(c):
                continue
            if not isinstance(k, str):
                raise ValueError("Unable to save the object %r (a dictionary wrapper constructed automatically on "
                                 "attribute assignment). The wrapped dictionary contains a non-string key which "
                                 "maps to a trackable object or mutable data structure." % (obj,))
            items.append((k, c))
    else:
        method = getattr(obj, "_checkpoint_children", None)
        items = list(method().items()) if callable(method) else []
    return [(str(n), c) for n, c in items if _is_trackable(c)]


def _join(path, name):
    return path + "/" + _escape(name) if path else _escape(name)


def _value_key(path):
    return path + "/" + _VALUE_SUFFIX if path else _VALUE_SUFFIX


def _unescape(name):
    out, i = [], 0
    while i < len(name):
        if name[i] == "." and i + 1 < len(name) and name[i + 1] in ".S":
            out.append("." if name[i + 1] == "." else "/")
            i += 2
        else:
            out.append(name[i])
            i += 1
    return "".join(out)


def _pretty(path):
    """A dependency path as TensorFlow prints it: ``(root).model.w``."""
    return ".".join(["(root)"] + ([_unescape(p) for p in path.split("/")] if path else []))


def _node_children(obj, is_root, extra):
    """The children of a graph node; the root also gets those of ``extra``
    (the Checkpoint whose ``root`` it is), names already taken excepted."""
    out = _children(obj)
    if is_root and extra:
        names = {n for n, _ in out}
        for p in extra:
            for name, c in _children(p):
                if name not in names:
                    names.add(name)
                    out.append((name, c))
    return out


def _build_graph(root, extra=()):
    """Walks the graph from ``root`` breadth first. Returns (objects, paths,
    node children): node ids are positions in ``objects``."""
    objects, paths, index, kids = [root], [""], {id(root): 0}, []
    i = 0
    while i < len(objects):
        obj = objects[i]
        node_kids = []
        for name, child in _node_children(obj, i == 0, extra):
            cid = index.get(id(child))
            if cid is None:
                cid = index[id(child)] = len(objects)
                objects.append(child)
                paths.append(_join(paths[i], name))
            node_kids.append((name, cid))
        kids.append(node_kids)
        i += 1
    return objects, paths, kids


def _snapshot(var):
    """The current value of a Variable as a read-only numpy view (kept alive
    with the tensor it views)."""
    t = var._peek()
    return t._view(), t


def _serialize(root, extra=()):
    """The arrays and JSON object graph of a checkpoint of ``root``."""
    objects, paths, kids = _build_graph(root, extra)
    index = {id(o): i for i, o in enumerate(objects)}
    arrays, keep, nodes = {}, [], []
    for i, obj in enumerate(objects):
        node = {"path": paths[i], "children": [[n, c] for n, c in kids[i]]}
        if _is_variable(obj):
            arr, t = _snapshot(obj)
            keep.append(t)
            key = _value_key(paths[i])
            arrays[key] = arr
            node.update(key=key, dtype=str(arr.dtype), shape=list(arr.shape), name=obj.name)
        nodes.append(node)
    for i, obj in enumerate(objects):
        slots = getattr(obj, "_checkpoint_slots", None)
        if not callable(slots):
            continue
        for var, slot_name, slot_var in slots():
            vid = index.get(id(var))
            if vid is None:
                continue  # a slot of a variable that is not saved
            key = "%s/.OPTIMIZER_SLOT/%s/%s" % (paths[vid], paths[i], _escape(slot_name))
            if _is_variable(slot_var):
                arr, t = _snapshot(slot_var)
                keep.append(t)
            else:
                arr = np.asarray(slot_var)
            arrays[key] = arr
            nodes[vid].setdefault("slots", []).append(
                {"optimizer": i, "name": str(slot_name), "key": key, "dtype": str(arr.dtype), "shape": list(arr.shape)})
    meta = {"format": _FORMAT, "version": 1, "nodes": nodes}
    arrays[GRAPH_KEY] = np.array(json.dumps(meta))
    return arrays, keep


# ---------------------------------------------------------------- files
def _data_path(prefix):
    return prefix + _SUFFIX


def _temp_prefix(path):
    return "." + os.path.basename(path) + ".tmp-"


def _remove_stale_temps(path):
    """Removes temporary files an interrupted write of ``path`` left behind."""
    directory = os.path.dirname(path) or "."
    start = _temp_prefix(path)
    try:
        names = os.listdir(directory)
    except OSError:
        return
    for name in names:
        if name.startswith(start):
            try:
                os.unlink(os.path.join(directory, name))
            except OSError:
                pass


def _fsync_dir(directory):
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _create_temp(directory, prefix):
    """A new file for writing (created with the umask's permissions, as the
    final file would be): (descriptor, path)."""
    while True:
        tmp = os.path.join(directory, prefix + os.urandom(6).hex())
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666), tmp
        except FileExistsError:
            continue


def _atomic_write(path, write):
    """Calls ``write(file)`` on a temporary file next to ``path``, fsyncs it
    and renames it to ``path``; on any error the temporary file is removed and
    ``path`` is left as it was."""
    directory = os.path.dirname(path) or "."
    os.makedirs(directory, exist_ok=True)
    _remove_stale_temps(path)
    fd, tmp = _create_temp(directory, _temp_prefix(path))
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_dir(directory)


def _write_npz(f, arrays):
    np.savez(f, **arrays)


def _write_checkpoint_file(prefix, arrays):
    _atomic_write(_data_path(prefix), lambda f: _write_npz(f, arrays))


def _resolve(save_path):
    """The data file of a checkpoint prefix (a path ending in .npz is taken as is)."""
    save_path = os.fspath(save_path)
    if os.path.isfile(_data_path(save_path)):
        return _data_path(save_path)
    if save_path.endswith(_SUFFIX) and os.path.isfile(save_path):
        return save_path
    return None


def _load(save_path):
    """(arrays, nodes) of the checkpoint at ``save_path``."""
    path = _resolve(save_path)
    if path is None and os.path.isdir(save_path):
        raise DataLossError(None, None, "Unable to open table file %s: it is a directory, not a checkpoint prefix "
                            "(tf.train.latest_checkpoint(directory) gives the newest checkpoint in it)"
                            % (os.fspath(save_path),))
    if path is None:
        raise NotFoundError(None, None, "Error when restoring from checkpoint at %s: Failed to find any matching "
                            "files for %s\nPlease double-check that the path is correct. You may be missing the "
                            "checkpoint suffix (e.g. the '-1' in 'path/to/ckpt-1')."
                            % (os.fspath(save_path), os.fspath(save_path)))
    try:
        with open(path, "rb") as f, np.load(f, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as e:
        raise DataLossError(None, None, "Unable to read the checkpoint file %s (truncated, corrupted or not a "
                            "checkpoint): %s" % (path, e)) from None
    if GRAPH_KEY not in arrays:
        raise ValueError("%s is not a fasttape checkpoint: it has no %s entry" % (path, GRAPH_KEY))
    try:
        meta = json.loads(str(arrays.pop(GRAPH_KEY)[()]))
    except ValueError as e:
        raise DataLossError(None, None, "The object graph of checkpoint %s is corrupted: %s" % (path, e)) from None
    if not isinstance(meta, dict) or meta.get("format") != _FORMAT:
        raise ValueError("%s is not a fasttape checkpoint (format %r)"
                         % (path, meta.get("format") if isinstance(meta, dict) else None))
    return arrays, meta["nodes"]


# ---------------------------------------------------------------- restoring
class _Deferred:
    """Kept on an object (attribute ``_checkpoint_deferred``): the children a
    restore found in the checkpoint but not yet on the object, by name:
    [(restoration, node id)]. The object calls ``child_added(self, name,
    child)`` when it gains a child."""

    __slots__ = ("waiting",)

    def __init__(self):
        self.waiting = {}

    def child_added(self, parent, name, child):
        _child_added(parent, name, child)


_DEFERRED_ATTR = "_checkpoint_deferred"


def _defer(parent, name, restoration, node_id):
    deferred = getattr(parent, _DEFERRED_ATTR, None)
    if not isinstance(deferred, _Deferred):
        deferred = _Deferred()
        try:
            object.__setattr__(parent, _DEFERRED_ATTR, deferred)
        except (AttributeError, TypeError):
            return  # plain lists, dicts and objects without attributes: not deferred
    deferred.waiting.setdefault(name, []).append((restoration, node_id))


def _child_added(parent, name, child):
    """Restores ``child``, just attached to ``parent`` under ``name``, from
    any restore that found a value for it before it existed. Objects with
    ``_checkpoint_children()`` call this when they gain a child."""
    deferred = getattr(parent, _DEFERRED_ATTR, None)
    if not isinstance(deferred, _Deferred):
        return
    waiting = deferred.waiting.pop(str(name), None)
    if not deferred.waiting:
        try:
            object.__delattr__(parent, _DEFERRED_ATTR)
        except AttributeError:
            pass
    if waiting and _is_trackable(child):
        for restoration, node_id in waiting:
            restoration._run([(node_id, child)])


class _Restoration:
    """One restore: matches checkpoint nodes to Python objects and assigns
    their values. It keeps the checkpoint's values while the status or a
    deferred restoration refers to it (an object reached later may need any
    of them)."""

    def __init__(self, arrays, nodes, root, extra_parents=()):
        self.arrays = arrays
        self.nodes = nodes
        self.root = root
        self.extra_parents = extra_parents  # objects whose attributes are root children too
        self.matched = {}  # node id -> [python objects]
        self.slots_pending = [(vid, s) for vid, n in enumerate(nodes) for s in n.get("slots", ())]

    def _bound(self, node_id, obj):
        return any(o is obj for o in self.matched.get(node_id, ()))

    def _check(self, node, obj):
        path = node["path"]
        if not _is_variable(obj):
            raise ValueError("The checkpoint holds a variable at %s (key %r) but the object there is %r, not a "
                             "Variable." % (_pretty(path), node["key"], obj))
        value = self.arrays[node["key"]]
        want_shape = tuple(obj.shape)
        want_dtype = obj.dtype.name
        if tuple(value.shape) != want_shape:
            raise ValueError("Received incompatible tensor with shape %s when attempting to restore variable with "
                             "shape %s and name %s (checkpoint path %r)."
                             % (TensorShape(value.shape), TensorShape(want_shape), obj.name, path))
        if str(value.dtype) != want_dtype:
            raise InvalidArgumentError(None, None, "tensor_name = %s; expected dtype %s does not equal original dtype "
                                       "%s (variable %s, checkpoint path %r)"
                                       % (node["key"], want_dtype, value.dtype, obj.name, path))

    def _run(self, start):
        """Matches the (node id, object) pairs in ``start`` and everything
        below them, checks every value, then assigns them and the slots."""
        seen = {}
        order, defers = [], []
        queue = collections.deque(start)
        while queue:
            nid, obj = queue.popleft()
            node = self.nodes[nid]
            if self._bound(nid, obj) or any(o is obj for o in seen.get(nid, ())):
                continue
            if _is_variable(obj) and "key" not in node:
                continue  # a Variable where the checkpoint holds no value: left unmatched
            seen.setdefault(nid, []).append(obj)
            order.append((nid, obj))
            if "key" in node:
                self._check(node, obj)
            have = dict(_node_children(obj, nid == 0 and obj is self.root, self.extra_parents))
            for name, cid in node["children"]:
                if name in have:
                    queue.append((cid, have[name]))
                else:
                    defers.append((nid, obj, name, cid))
        for nid, obj in order:
            self.matched.setdefault(nid, []).append(obj)
            node = self.nodes[nid]
            if "key" in node:
                obj.assign(self.arrays[node["key"]])
        for nid, obj, name, cid in defers:
            parents = (obj,) + (tuple(self.extra_parents) if nid == 0 and obj is self.root else ())
            for p in parents:
                _defer(p, name, self, cid)
        self._restore_slots()

    def _restore_slots(self):
        left = []
        for vid, slot in self.slots_pending:
            opts = [o for o in self.matched.get(slot["optimizer"], ()) if callable(getattr(o, "_restore_slot", None))]
            variables = self.matched.get(vid, ())
            if not opts or not variables:
                left.append((vid, slot))
                continue
            value = self.arrays[slot["key"]]
            for opt in opts:
                for var in variables:
                    opt._restore_slot(var, slot["name"], value)
        self.slots_pending = left

    def unresolved(self):
        out = []
        for nid, node in enumerate(self.nodes):
            if "key" in node and nid not in self.matched:
                out.append("Unresolved object in checkpoint %s: checkpoint_key: %r, dtype %s, shape %s"
                           % (_pretty(node["path"]), node["key"], node["dtype"], TensorShape(node["shape"])))
        return out


def _python_variables(root, extra_parents=()):
    """The Variables reachable from ``root`` (and the extra root children), each once."""
    seen, out = set(), []
    queue = collections.deque([root])
    first = True
    while queue:
        obj = queue.popleft()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if _is_variable(obj):
            out.append(obj)
        queue.extend(c for _, c in _node_children(obj, first, extra_parents))
        first = False
    return out


class CheckpointLoadStatus:
    """What ``Checkpoint.restore`` returns: assertions on how the checkpoint
    matched the program."""

    def __init__(self, restoration, root, extra_parents=()):
        self._restoration = restoration
        self._root = root
        self._extra = extra_parents

    def _unmatched_objects(self):
        r = self._restoration
        matched = {id(o) for objs in r.matched.values() for o in objs}
        return [v for v in _python_variables(self._root, self._extra) if id(v) not in matched]

    def assert_existing_objects_matched(self):
        """Raises AssertionError if a Variable of the program has no value in the checkpoint."""
        unused = self._unmatched_objects()
        if unused:
            shown = min(10, len(unused))
            raise AssertionError("Found %d Python objects that were not bound to checkpointed values, likely due "
                                 "to changes in the Python program. Showing %d of %d unmatched objects: %s"
                                 % (len(unused), shown, len(unused), unused[:shown]))
        return self

    def assert_consumed(self):
        """Raises AssertionError unless every value of the checkpoint was
        restored and every Variable of the program got a value."""
        self.assert_existing_objects_matched()
        problems = self._restoration.unresolved()
        if problems:
            raise AssertionError("\n".join(problems))
        slots = self._restoration.slots_pending
        if slots:
            raise AssertionError("Unresolved slot restorations: %s" % [s["key"] for _, s in slots])
        return self

    def assert_nontrivial_match(self):
        """Raises AssertionError if nothing but the root object matched."""
        if len(self._restoration.matched) <= 1:
            unused = self._unmatched_objects()
            if unused:
                raise AssertionError("Nothing except the root object matched a checkpointed value. Typically this "
                                     "means that the checkpoint does not match the Python program. The following "
                                     "objects have no matching checkpointed value: %s" % (unused,))
            raise AssertionError("Nothing to load. No dependencies have been added to %r yet." % (self._root,))
        return self

    def expect_partial(self):
        """Marks a partial restore as intended (no warnings are emitted either way)."""
        return self

    def run_restore_ops(self, session=None):
        """Values are restored eagerly: nothing to run."""

    def initialize_or_restore(self, session=None):
        """Values are restored eagerly and variables are initialized at creation: nothing to run."""


class InitializationOnlyStatus:
    """What ``Checkpoint.restore(None)`` returns: nothing is restored."""

    _MESSAGE = "No checkpoint specified (save_path=None); nothing is being restored."

    def assert_consumed(self):
        raise AssertionError(self._MESSAGE)

    def assert_existing_objects_matched(self):
        raise AssertionError(self._MESSAGE)

    def assert_nontrivial_match(self):
        raise AssertionError(self._MESSAGE)

    def expect_partial(self):
        return self

    def run_restore_ops(self, session=None):
        """Nothing to run."""

    def initialize_or_restore(self, session=None):
        """Variables are initialized at creation: nothing to run."""


# ---------------------------------------------------------------- Checkpoint
class Checkpoint:
    """Saves and restores a graph of Variables (``tf.train.Checkpoint``).

    ``Checkpoint(root=None, **kwargs)``: the keyword arguments (and trackable
    values assigned as attributes later) are the children saved; with
    ``root`` the graph's root is that object and the keyword arguments are
    attached to it.
    """

    def __init__(self, root=None, **kwargs):
        object.__setattr__(self, "_deps", collections.OrderedDict())
        object.__setattr__(self, "_save_counter", None)
        if root is not None and not _is_trackable(root):
            raise _not_trackable_error("root", root)
        object.__setattr__(self, "_root", root)
        root_children = dict(_children(root)) if root is not None else {}
        for k, v in sorted(kwargs.items(), key=lambda item: item[0]):
            if not _is_trackable(v):
                raise _not_trackable_error(k, v)
            if k in root_children and root_children[k] is not v:
                raise ValueError("Cannot create a Checkpoint with keyword argument %s if root.%s already exists."
                                 % (k, k))
            setattr(self, k, v)

    def __setattr__(self, name, value):
        object.__setattr__(self, name, value)
        if name.startswith("_"):
            return
        if _is_trackable(value):
            self._deps[name] = value
            _child_added(self, name, value)
        else:
            self._deps.pop(name, None)

    def __delattr__(self, name):
        object.__delattr__(self, name)
        self._deps.pop(name, None)

    def _dependencies(self):
        out = list(self._deps.items())
        if self._save_counter is not None:
            out.append(("save_counter", self._save_counter))
        return out

    def _graph_root(self):
        """(root object, objects whose children are also the root's)."""
        if self._root is None:
            return self, ()
        return self._root, (self,)

    def _maybe_create_save_counter(self):
        if self._save_counter is None:
            object.__setattr__(self, "_save_counter", Variable(0, dtype=int64, trainable=False, name="save_counter"))
            _child_added(self, "save_counter", self._save_counter)

    @property
    def save_counter(self):
        """An int64 Variable counting ``save`` calls; saved with the checkpoint."""
        self._maybe_create_save_counter()
        return self._save_counter

    def _serialize(self):
        return _serialize(*self._graph_root())

    def write(self, file_prefix, options=None):
        """Writes a checkpoint to ``file_prefix`` (no numbering, no state
        file); returns ``file_prefix``."""
        file_prefix = os.fspath(file_prefix)
        arrays, keep = self._serialize()
        _write_checkpoint_file(file_prefix, arrays)
        del keep
        return file_prefix

    def save(self, file_prefix, options=None):
        """Increments ``save_counter``, writes ``<file_prefix>-<save_counter>``
        and records it in the directory's ``checkpoint`` state file; returns
        that path. A save that fails leaves ``save_counter`` as it was."""
        file_prefix = os.fspath(file_prefix)
        counter = self.save_counter
        counter.assign_add(1)
        try:
            path = self.write("%s-%d" % (file_prefix, int(counter.numpy())))
        except BaseException:
            counter.assign_sub(1)
            raise
        _update_checkpoint_state(os.path.dirname(path), path, [path])
        return path

    def read(self, save_path, options=None):
        """Restores the values of ``save_path`` (written by ``write`` or
        ``save``) into the objects this checkpoint depends on, without
        creating ``save_counter``."""
        return self._restore(save_path)

    def restore(self, save_path, options=None):
        """Restores ``save_path``: matched Variables are assigned now, values
        of objects attached later are assigned when they are attached.
        ``restore(None)`` restores nothing."""
        if save_path is None:
            return InitializationOnlyStatus()
        self._maybe_create_save_counter()
        return self._restore(save_path)

    def _restore(self, save_path):
        arrays, nodes = _load(save_path)
        root, extra = self._graph_root()
        restoration = _Restoration(arrays, nodes, root, extra)
        restoration._run([(0, root)])
        return CheckpointLoadStatus(restoration, root, extra)


# ---------------------------------------------------------------- state file
class CheckpointState:
    """The contents of a directory's ``checkpoint`` file."""

    def __init__(self, model_checkpoint_path="", all_model_checkpoint_paths=(),
                 all_model_checkpoint_timestamps=(), last_preserved_timestamp=0.0):
        self.model_checkpoint_path = model_checkpoint_path
        self.all_model_checkpoint_paths = list(all_model_checkpoint_paths)
        self.all_model_checkpoint_timestamps = list(all_model_checkpoint_timestamps)
        self.last_preserved_timestamp = last_preserved_timestamp

    def __repr__(self):
        return _state_text(self)


def _quote(text):
    out = []
    for b in text.encode("utf-8"):
        c = chr(b)
        if c == '"' or c == "\\":
            out.append("\\" + c)
        elif 32 <= b < 127:
            out.append(c)
        else:
            out.append("\\%03o" % b)
    return '"' + "".join(out) + '"'


def _unquote(text):
    text = text.strip()
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise ValueError("not a quoted string: %r" % text)
    body, out, i = text[1:-1].encode("utf-8"), bytearray(), 0
    escapes = {ord("n"): 10, ord("t"): 9, ord("r"): 13, ord('"'): 34, ord("'"): 39, ord("\\"): 92}
    while i < len(body):
        b = body[i]
        if b != 92 or i + 1 == len(body):
            out.append(b)
            i += 1
            continue
        nxt = body[i + 1]
        if 48 <= nxt <= 55:
            j = i + 1
            while j < len(body) and j < i + 4 and 48 <= body[j] <= 55:
                j += 1
            out.append(int(body[i + 1:j], 8) & 0xFF)
            i = j
        elif nxt == ord("x"):
            j = i + 2
            while j < len(body) and j < i + 4 and chr(body[j]) in "0123456789abcdefABCDEF":
                j += 1
            out.append(int(body[i + 2:j], 16))
            i = j
        else:
            out.append(escapes.get(nxt, nxt))
            i += 2
    return out.decode("utf-8", errors="replace")


def _state_text(state):
    lines = ["model_checkpoint_path: %s" % _quote(state.model_checkpoint_path)]
    lines += ["all_model_checkpoint_paths: %s" % _quote(p) for p in state.all_model_checkpoint_paths]
    lines += ["all_model_checkpoint_timestamps: %r" % float(t) for t in state.all_model_checkpoint_timestamps]
    if state.last_preserved_timestamp:
        lines.append("last_preserved_timestamp: %r" % float(state.last_preserved_timestamp))
    return "\n".join(lines) + "\n"


def _parse_state(text):
    state = CheckpointState()
    for line in text.splitlines():
        if ":" not in line:
            continue
        key, value = line.split(":", 1)
        key = key.strip()
        if key == "model_checkpoint_path":
            state.model_checkpoint_path = _unquote(value)
        elif key == "all_model_checkpoint_paths":
            state.all_model_checkpoint_paths.append(_unquote(value))
        elif key == "all_model_checkpoint_timestamps":
            state.all_model_checkpoint_timestamps.append(float(value))
        elif key == "last_preserved_timestamp":
            state.last_preserved_timestamp = float(value)
    return state


def _relative(directory, path):
    if os.path.dirname(os.path.abspath(path)) == os.path.abspath(directory or "."):
        return os.path.basename(path)
    return path


def _update_checkpoint_state(directory, model_checkpoint_path, all_model_checkpoint_paths,
                             timestamps=(), last_preserved_timestamp=0.0):
    """Atomically rewrites ``directory/checkpoint`` (paths in the directory
    recorded relative to it, as TensorFlow does)."""
    state = CheckpointState(_relative(directory, model_checkpoint_path),
                            [_relative(directory, p) for p in all_model_checkpoint_paths],
                            timestamps, last_preserved_timestamp)
    data = _state_text(state).encode("utf-8")
    _atomic_write(os.path.join(directory or ".", _STATE_FILE), lambda f: f.write(data))


def get_checkpoint_state(checkpoint_dir, latest_filename=None):
    """The ``CheckpointState`` of ``checkpoint_dir`` (paths joined to the
    directory), or None if it has no state file."""
    checkpoint_dir = os.fspath(checkpoint_dir)
    path = os.path.join(checkpoint_dir, latest_filename or _STATE_FILE)
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except (FileNotFoundError, NotADirectoryError):
        return None
    state = _parse_state(text)
    if not state.model_checkpoint_path:
        raise ValueError("Invalid checkpoint state loaded from %s" % checkpoint_dir)

    def full(p):
        return p if os.path.isabs(p) else os.path.join(checkpoint_dir, p)

    state.model_checkpoint_path = full(state.model_checkpoint_path)
    state.all_model_checkpoint_paths = [full(p) for p in state.all_model_checkpoint_paths]
    return state


def latest_checkpoint(checkpoint_dir, latest_filename=None):
    """The prefix of the newest checkpoint recorded in ``checkpoint_dir``'s
    state file, or None if there is none (or its file is missing)."""
    state = get_checkpoint_state(checkpoint_dir, latest_filename)
    if state is None or _resolve(state.model_checkpoint_path) is None:
        return None
    return state.model_checkpoint_path


# ---------------------------------------------------------------- manager
def _delete_checkpoint(prefix):
    try:
        os.unlink(_data_path(prefix))
    except FileNotFoundError:
        pass


class CheckpointManager:
    """Numbers, records and deletes checkpoints in a directory
    (``tf.train.CheckpointManager``)."""

    def __init__(self, checkpoint, directory, max_to_keep, keep_checkpoint_every_n_hours=None,
                 checkpoint_name="ckpt", step_counter=None, checkpoint_interval=None, init_fn=None,
                 last_checkpoint_step=None):
        if max_to_keep is not None and max_to_keep <= 0:
            raise ValueError("Expected a positive integer or `None` for `max_to_keep`, got %d." % (max_to_keep,))
        self._checkpoint = checkpoint
        self._max_to_keep = max_to_keep
        self._keep_checkpoint_every_n_hours = keep_checkpoint_every_n_hours
        self._directory = os.fspath(directory)
        self._checkpoint_prefix = os.path.join(self._directory, checkpoint_name)
        self._init_fn = init_fn
        if checkpoint_interval is not None and step_counter is None:
            raise ValueError("`step_counter` should be passed if `checkpoint_interval` is not None.")
        self._step_counter = step_counter
        self._checkpoint_interval = checkpoint_interval
        self._last_checkpoint_step = last_checkpoint_step
        self._maybe_delete = collections.OrderedDict()
        state = get_checkpoint_state(self._directory)
        now = time.time()
        if state is None:
            self._latest_checkpoint = None
            self._last_preserved_timestamp = now - 1.0
        else:
            self._latest_checkpoint = state.model_checkpoint_path
            self._last_preserved_timestamp = min(state.last_preserved_timestamp, now)
            stamps = state.all_model_checkpoint_timestamps or (
                [self._last_preserved_timestamp] * len(state.all_model_checkpoint_paths))
            for path, stamp in zip(state.all_model_checkpoint_paths, stamps):
                stamp = min(stamp, now)
                if stamp > self._last_preserved_timestamp:
                    self._maybe_delete[path] = stamp

    directory = property(lambda self: self._directory, doc="The directory checkpoints are written to.")
    checkpoint = property(lambda self: self._checkpoint, doc="The managed Checkpoint.")
    checkpoint_interval = property(lambda self: self._checkpoint_interval)
    latest_checkpoint = property(lambda self: self._latest_checkpoint,
                                 doc="The prefix of the newest checkpoint, or None.")

    @property
    def checkpoints(self):
        """The managed checkpoint prefixes, oldest first."""
        return list(self._maybe_delete.keys())

    def _sweep(self):
        if not self._max_to_keep:
            return
        while len(self._maybe_delete) > self._max_to_keep:
            path, stamp = self._maybe_delete.popitem(last=False)
            hours = self._keep_checkpoint_every_n_hours
            if hours and stamp - hours * 3600.0 >= self._last_preserved_timestamp:
                self._last_preserved_timestamp = stamp
                continue
            _delete_checkpoint(path)

    def _record_state(self):
        _update_checkpoint_state(self._directory, self._latest_checkpoint, list(self._maybe_delete.keys()),
                                 list(self._maybe_delete.values()), self._last_preserved_timestamp)

    def save(self, checkpoint_number=None, check_interval=True, options=None):
        """Writes a checkpoint numbered ``checkpoint_number`` (default: the
        incremented ``save_counter``), records it and deletes the oldest
        beyond ``max_to_keep``. With ``checkpoint_interval``, returns None
        without saving when the step counter has not advanced enough."""
        if self._checkpoint_interval is not None:
            step = int(self._step_counter)
            if self._last_checkpoint_step is not None:
                if step == self._last_checkpoint_step:
                    return None
                if check_interval and step < self._last_checkpoint_step + self._checkpoint_interval:
                    return None
            self._last_checkpoint_step = step
        counter = self._checkpoint.save_counter
        counter.assign_add(1)
        number = counter if checkpoint_number is None else checkpoint_number
        try:
            path = self._checkpoint.write("%s-%d" % (self._checkpoint_prefix, int(number)))
        except BaseException:
            counter.assign_sub(1)
            raise
        self._maybe_delete.pop(path, None)
        self._maybe_delete[path] = time.time()
        self._latest_checkpoint = path
        self._record_state()
        self._sweep()
        self._record_state()
        return path

    def restore_or_initialize(self):
        """Restores the latest checkpoint and returns its path; without one,
        calls ``init_fn`` (if given) and returns None."""
        if self._latest_checkpoint is not None:
            self._checkpoint.restore(self._latest_checkpoint)
            return self._latest_checkpoint
        if self._init_fn is not None:
            self._init_fn()
        return None


# ---------------------------------------------------------------- readers
def _checkpoint_path(ckpt_dir_or_file):
    ckpt = os.fspath(ckpt_dir_or_file)
    if os.path.isdir(ckpt):
        found = latest_checkpoint(ckpt)
        if found is None:
            raise ValueError("Couldn't find 'checkpoint' file or checkpoints in given directory %s" % ckpt)
        return found
    return ckpt


class CheckpointReader:
    """Reads the saved values of a checkpoint by key (``tf.train.load_checkpoint``)."""

    def __init__(self, save_path):
        self._arrays, self._nodes = _load(save_path)
        self._graph = json.dumps({"format": _FORMAT, "version": 1, "nodes": self._nodes})

    def has_tensor(self, name):
        return name in self._arrays or name == GRAPH_KEY

    def get_tensor(self, name):
        """The value under key ``name`` as a numpy array (the object graph
        entry as its JSON text in bytes)."""
        if name == GRAPH_KEY:
            return self._graph.encode("utf-8")
        try:
            return self._arrays[name].copy()
        except KeyError:
            raise NotFoundError(None, None, "Key %s not found in checkpoint" % name) from None

    def get_variable_to_shape_map(self):
        out = {k: list(a.shape) for k, a in self._arrays.items()}
        out[GRAPH_KEY] = []
        return out

    def get_variable_to_dtype_map(self):
        """Keys to DTypes (the object graph entry, a string, is not listed)."""
        return {k: as_dtype(a.dtype) for k, a in self._arrays.items()}


def load_checkpoint(ckpt_dir_or_file):
    """A ``CheckpointReader`` for a checkpoint prefix (or a directory's latest)."""
    return CheckpointReader(_checkpoint_path(ckpt_dir_or_file))


def load_variable(ckpt_dir_or_file, name):
    """The saved value under key ``name`` as a numpy array."""
    if name.endswith(":0"):
        name = name[:-2]
    return load_checkpoint(ckpt_dir_or_file).get_tensor(name)


def list_variables(ckpt_dir_or_file):
    """Sorted (key, shape) pairs of the values in a checkpoint."""
    reader = load_checkpoint(ckpt_dir_or_file)
    return sorted(reader.get_variable_to_shape_map().items())

