"""Let a plain model checkpoint initialise a wrapper's ``student``."""


def prefix_plain_state_dict(state_dict: dict, prefix: str, sub: str = 'student.') -> None:
    """Rename ``prefix + key`` to ``prefix + sub + key`` in place, unless the
    checkpoint already has ``sub`` keys (then it is a wrapper's own)."""
    if state_dict and not any(k.startswith(prefix + sub) for k in state_dict):
        for key in [k for k in state_dict if k.startswith(prefix)]:
            state_dict[prefix + sub + key[len(prefix):]] = state_dict.pop(key)
