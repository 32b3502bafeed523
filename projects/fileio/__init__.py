from .atomic_local_backend import AtomicLocalBackend, atomic_save_checkpoint

__all__ = ['AtomicLocalBackend', 'atomic_save_checkpoint']
