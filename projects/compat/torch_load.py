"""Read the checkpoints mmengine writes with ``torch.load(weights_only=True)``.

mmengine 0.10.7 stores the message hub (``HistoryBuffer`` objects holding
NumPy arrays) in every checkpoint, which the safe unpickler refuses. Rather
than turning ``weights_only`` off (which would let a malicious checkpoint run
code), :func:`torch_load_safely` passes ``weights_only=True`` explicitly and
allows exactly the types mmengine stores, for that call only
(``torch.serialization.safe_globals``; nothing is added process-wide):

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
import functools
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


@functools.lru_cache(maxsize=None)
def mmengine_safe_globals() -> List[Any]:
    """The allow-list: the globals (or (global, name) pairs) mmengine checkpoints hold."""
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


def torch_load_safely(f, map_location=None, **kwargs) -> Any:
    """``torch.load(f, weights_only=True, **kwargs)`` with mmengine's types allowed for
    this call."""
    with torch.serialization.safe_globals(mmengine_safe_globals()):
        return torch.load(f, map_location=map_location, weights_only=True, **kwargs)


__all__ = ['mmengine_safe_globals', 'torch_load_safely']
