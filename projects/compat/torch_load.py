"""Let ``torch.load(weights_only=True)`` read the checkpoints mmengine writes.

Since torch 2.6, ``torch.load`` defaults to ``weights_only=True``. mmengine
0.10.7 stores the message hub (``HistoryBuffer`` objects holding NumPy arrays)
in every checkpoint, so ``load_from`` and ``resume`` fail under that default.
Rather than turning ``weights_only`` off (which would let a malicious
checkpoint run code), we allow-list exactly the types mmengine stores:

* ``mmengine.logging.HistoryBuffer``;
* NumPy's array reconstruction (``_reconstruct``, ``ndarray``, ``dtype``)
  and the numeric dtype classes (``numpy.dtypes.Float64DType`` ...), under
  both the NumPy 1 (``numpy.core``) and NumPy 2 (``numpy._core``) names;
* NumPy scalars (``multiarray.scalar``), which appear in logged values;
* ``getattr``, which pickle uses to store ``HistoryBuffer``'s statistics
  methods (``HistoryBuffer.min`` ...). It is *not* the builtin: the name
  ``builtins.getattr`` is bound to :func:`_history_buffer_getattr`, which only
  returns the statistics methods of ``HistoryBuffer`` and refuses anything
  else.

Any other global in a checkpoint is still refused by torch.
"""
import pickle
from typing import Any, List

import numpy as np
import torch

_NUMERIC_DTYPES = ('bool', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16',
                   'uint32', 'uint64', 'float16', 'float32', 'float64',
                   'complex64', 'complex128')


def _numpy_multiarray():
    core = getattr(np, '_core', None) or np.core
    return core.multiarray

_BUFFER_STATISTICS = frozenset({'min', 'max', 'current', 'mean'})


def _history_buffer_getattr(obj: Any, name: str) -> Any:
    """A ``getattr`` that only resolves ``HistoryBuffer``'s statistics."""
    from mmengine.logging import HistoryBuffer
    allowed = _BUFFER_STATISTICS.union(HistoryBuffer._statistics_methods)
    if obj is HistoryBuffer and name in allowed:
        return getattr(HistoryBuffer, name)
    raise pickle.UnpicklingError(
        f'checkpoint asks for getattr({obj!r}, {name!r}), which is not on '
        'the allow-list of projects.compat.torch_load')


def _safe_globals() -> List[Any]:
    from mmengine.logging import HistoryBuffer
    multiarray = _numpy_multiarray()
    items: List[Any] = [HistoryBuffer, np.ndarray, np.dtype,
                        (_history_buffer_getattr, 'builtins.getattr')]
    for fn_name in ('_reconstruct', 'scalar'):
        fn = getattr(multiarray, fn_name)
        items.append(fn)
        # checkpoints written under the other NumPy major version
        for prefix in ('numpy.core.multiarray', 'numpy._core.multiarray'):
            items.append((fn, f'{prefix}.{fn_name}'))
    items.extend(type(np.dtype(name)) for name in _NUMERIC_DTYPES)
    return items


MMENGINE_SAFE_GLOBALS: List[Any] = []


def allow_mmengine_checkpoints() -> None:
    """Allow-list the types mmengine checkpoints hold (idempotent)."""
    if MMENGINE_SAFE_GLOBALS or not hasattr(torch.serialization,
                                            'add_safe_globals'):
        return
    MMENGINE_SAFE_GLOBALS.extend(_safe_globals())
    torch.serialization.add_safe_globals(MMENGINE_SAFE_GLOBALS)
