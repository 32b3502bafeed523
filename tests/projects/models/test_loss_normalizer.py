"""LossNormalizer against an independent reference, across save/resume."""
import numpy as np
import pytest
import torch

from projects.models import LossNormalizer


def reference(seq, alpha, momentum):
    """Plain-Python Zoph et al. normalization over a sequence of (L_h, L_p)."""
    out, avg_h, avg_p = [], None, None
    for lh, lp in seq:
        avg_h = lh if avg_h is None else (1 - momentum) * avg_h + momentum * lh
        avg_p = lp if avg_p is None else (1 - momentum) * avg_p + momentum * lp
        out.append(((lh + alpha * (avg_h / avg_p) * lp) / (1 + alpha), avg_h, avg_p))
    return out


def _step(norm, lh, lp):
    human = dict(loss_cls=torch.tensor(lh * 0.25, requires_grad=True),
                 loss_bbox=torch.tensor(lh * 0.75, requires_grad=True))
    pseudo = dict(loss_cls=[torch.tensor(lp * 0.5, requires_grad=True)],
                  loss_bbox=torch.tensor(lp * 0.5, requires_grad=True), acc=torch.tensor(9.))
    out = norm(human, pseudo)
    total = sum(v.sum() if torch.is_tensor(v) else sum(x.sum() for x in v)
                for k, v in out.items() if 'loss' in k)
    return out, total, pseudo


SEQ = [(float(a), float(b)) for a, b in
       np.random.default_rng(0).uniform([0.5, 0.1], [3.0, 2.0], size=(12, 2))]


@pytest.mark.parametrize('alpha,momentum', [(1.0, 0.01), (0.5, 0.3), (2.0, 1.0)])
def test_matches_reference_over_steps(alpha, momentum):
    norm = LossNormalizer(alpha=alpha, momentum=momentum).train()
    for (lh, lp), (ref, ref_h, ref_p) in zip(SEQ, reference(SEQ, alpha, momentum)):
        out, total, _ = _step(norm, lh, lp)
        assert float(total) == pytest.approx(ref, rel=1e-5)
        assert float(out['avg_L_h']) == pytest.approx(ref_h, rel=1e-5)
        assert float(out['avg_L_p']) == pytest.approx(ref_p, rel=1e-5)
        assert float(out['L_h']) == pytest.approx(lh, rel=1e-5)
        assert float(out['pseudo_weight']) == pytest.approx(
            alpha * ref_h / ref_p / (1 + alpha), rel=1e-4)
    assert set(out) >= {'sup_loss_cls', 'sup_loss_bbox', 'unsup_loss_cls', 'unsup_loss_bbox',
                        'unsup_acc'}
    assert float(out['unsup_acc']) == 9.0  # non-loss entries are not scaled


def test_averages_are_detached():
    norm = LossNormalizer(alpha=1.0, momentum=0.5).train()
    _step(norm, 1.0, 1.0)
    out, total, pseudo = _step(norm, 2.0, 4.0)
    total.backward()
    w_p = float(out['pseudo_weight'])
    assert float(pseudo['loss_bbox'].grad) == pytest.approx(w_p)  # d L / d L_p = w_p only


def test_state_survives_save_and_resume():
    a = LossNormalizer(alpha=1.5, momentum=0.2).train()
    for lh, lp in SEQ[:5]:
        _step(a, lh, lp)
    b = LossNormalizer(alpha=1.5, momentum=0.2).train()
    b.load_state_dict({k: v.clone() for k, v in a.state_dict().items()})
    ref = reference(SEQ, 1.5, 0.2)
    for i, (lh, lp) in enumerate(SEQ[5:], start=5):
        _, total, _ = _step(b, lh, lp)
        assert float(total) == pytest.approx(ref[i][0], rel=1e-5)
    assert int(b.num_updates) == len(SEQ)


def test_eval_mode_does_not_update():
    norm = LossNormalizer().train()
    _step(norm, 1.0, 2.0)
    norm.eval()
    _step(norm, 5.0, 5.0)
    assert int(norm.num_updates) == 1 and float(norm.avg_human) == 1.0


@pytest.mark.parametrize('kwargs,name', [(dict(alpha=-1), 'alpha'), (dict(momentum=0), 'momentum')])
def test_bad_arguments(kwargs, name):
    with pytest.raises(ValueError, match=name):
        LossNormalizer(**kwargs)


def _negatives_only(norm, steps):
    """Human loss 1.5, pseudo loss 0.01 (a pseudo half of pure negatives): the
    ratio of the averages settles at 150 without a cap."""
    for _ in range(steps):
        out, _, _ = _step(norm, 1.5, 0.01)
    return float(out['pseudo_weight'])


def _logged(monkeypatch):
    import projects.models.loss_normalizer as module
    messages = []
    monkeypatch.setattr(module, 'print_log', lambda msg, **kw: messages.append(msg))
    return messages


def test_runaway_pseudo_weight_on_negatives_and_the_cap_holding_it(monkeypatch):
    free = _negatives_only(LossNormalizer(alpha=1.0, momentum=0.5), 20)
    assert free == pytest.approx(0.5 * 150, rel=1e-3)  # alpha * ratio / (1 + alpha)
    messages = _logged(monkeypatch)
    capped = LossNormalizer(alpha=1.0, momentum=0.5, max_ratio=10.0, warn_interval=5)
    assert _negatives_only(capped, 20) == pytest.approx(0.5 * 10)
    warnings = [m for m in messages if 'capped at max_ratio=10' in m]
    assert len(warnings) == 4  # steps 1, 6, 11, 16: every 5 steps, not every step
    with pytest.raises(ValueError, match='max_ratio'):
        LossNormalizer(max_ratio=0)


def test_a_streak_without_pseudo_boxes_is_reported_once(monkeypatch):
    messages = _logged(monkeypatch)
    norm = LossNormalizer(empty_warn_steps=3)
    for boxes in (0, 0, 0, 0, 0, 2, 0, 0, 0):
        norm(dict(loss=torch.tensor(1.0)), dict(loss=torch.tensor(0.5)), num_pseudo_boxes=boxes)
    assert sum('3 steps in a row without a box' in m for m in messages) == 2  # once per streak
