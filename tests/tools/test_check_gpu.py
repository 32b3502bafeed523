"""tools/misc/check_gpu.py: environment, op parity, verdict; without a GPU here."""
import pytest
import torch

from tools.misc import check_gpu as cg

CPU_ENV = dict(mmcv='2.1.0', mmcv_cuda='not available', gpus=[], smi_gpus=[], driver=None,
               torch='2.13.0+cpu', torch_cuda=None, cudnn=None, mmcv_compiler='GCC 12.2')


def test_focal_reference_matches_mmdet():
    from mmdet.models.losses.focal_loss import py_sigmoid_focal_loss
    (_, _, _), _, (logits, labels) = cg._inputs('cpu')
    target = torch.nn.functional.one_hot(labels, logits.shape[1]).float()
    want = py_sigmoid_focal_loss(logits, target, gamma=2.0, alpha=0.25, reduction='mean')
    assert torch.allclose(cg.focal_reference(logits, labels), want, atol=1e-7)


def test_cpu_ops_run_and_give_known_results():
    out = cg.run_ops('cpu')
    (boxes, scores, idxs), (feats, rois), _ = cg._inputs('cpu')
    kept = out['batched_nms']
    assert kept.shape[1] == 5 and 0 < len(kept) < len(boxes)
    assert torch.all(kept[:-1, 4] >= kept[1:, 4])  # sorted by score
    assert out['roi_align'].shape == (len(rois), feats.shape[1], 7, 7)
    assert float(out['roi_align'].min()) >= 0 and float(out['roi_align'].max()) <= 1
    assert isinstance(out['sigmoid_focal_loss'], str)  # mmcv has no CPU kernel for it


def test_no_gpu_exits_zero_with_a_verdict(capsys):
    if torch.cuda.is_available():
        pytest.skip('this test is for machines without a GPU')
    assert cg.main(['--ops-only']) == 0
    out = capsys.readouterr().out
    assert '| batched_nms | ok | no GPU |' in out and '| roi_align | ok | no GPU |' in out
    assert out.strip().splitlines()[-1] == \
        'verdict: no CUDA GPU visible to torch; CPU ops work (nothing to check on a GPU)'
    assert cg.main([]) == 0  # the full check also stops at the verdict without a GPU


def _fake_gpu(monkeypatch, cuda_results):
    env = dict(CPU_ENV, gpus=[dict(name='NVIDIA H200', capability='9.0', memory_gb=139.8)],
               smi_gpus=['NVIDIA H200'], driver='580.82.07', torch='2.13.0+cu130',
               torch_cuda='13.0')
    monkeypatch.setattr(cg, 'environment', lambda: env)
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    real = cg.run_ops
    monkeypatch.setattr(cg, 'run_ops', lambda d: cuda_results(real('cpu')) if d == 'cuda'
                        else real(d))


def test_cpu_ops_mmcv_on_a_gpu_machine_fails_in_one_line(monkeypatch, capsys):
    msg = 'nms_impl: implementation for device cuda:0 not found.'
    _fake_gpu(monkeypatch, lambda cpu: {k: msg for k in cpu})
    monkeypatch.delenv('SETUP_CUDA', raising=False)
    assert cg.main(['--ops-only']) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith('error: mmcv 2.1.0 has CPU-only ops and '
                                               'batched_nms fails on the GPU (nms_impl')
    monkeypatch.setenv('SETUP_CUDA', '0')  # asked for CPU ops: a warning, not a failure
    assert cg.main(['--ops-only']) == 0
    assert 'warning: mmcv 2.1.0 has CPU-only ops' in capsys.readouterr().out


def test_cuda_results_are_compared_with_the_cpu(monkeypatch, capsys):
    def cuda(cpu):
        (_, _, _), _, (logits, labels) = cg._inputs('cpu')
        return dict(cpu, sigmoid_focal_loss=cg.focal_reference(logits, labels))
    _fake_gpu(monkeypatch, cuda)
    rows = cg.op_table(True)
    assert [r['max_diff'] for r in rows] == [0.0, 0.0, 0.0]
    assert cg.ops_verdict(rows, True, dict(CPU_ENV, mmcv_cuda='13.0')) == ''

    def off(cpu):  # a kernel that is wrong by 1e-2
        out = cuda(cpu)
        out['roi_align'] = out['roi_align'] + 1e-2
        return out
    _fake_gpu(monkeypatch, off)
    rows = cg.op_table(True)
    assert rows[1]['max_diff'] == pytest.approx(1e-2, rel=1e-3)
    assert cg.ops_verdict(rows, True, CPU_ENV).startswith('mmcv op roi_align differs')


def test_paper_size_data_loading_rates_on_the_cpu(capsys):
    """--paper-size's data part, on tiny images: every strength's pipeline runs with
    masks, and the workers a GPU needs are its images/s over one worker's, rounded up."""
    from tools.misc.check_gpu import data_loading_rates, print_data_rates
    rows = data_loading_rates(size=(128, 96), num_images=2, repeats=1)
    assert [r['strength'] for r in rows] == ['S1', 'S2', 'S3', 'S4']
    assert all(r['images_per_s_per_worker'] > 0 and r['size'] == '128x96' for r in rows)
    rows = [dict(strength='S1', size='1333x800', images_per_s_per_worker=6.4)]
    print_data_rates(rows, gpu_images_per_s=20.0)
    assert '| S1 | 1333x800 | 6.4 | 4 |' in capsys.readouterr().out  # 20 / 6.4 -> 4


def test_paper_size_steps_run_every_mode_on_the_cpu_with_the_tiny_model():
    """--paper-size's model side, its CPU path: plain at batch 2, then plain, offline
    student and online EMA teacher-student at 4 images, their ratios and the goals."""
    from tools.lib.paper_size_steps import goals, markdown, paper_size_steps
    rows = paper_size_steps('cpu', iters=1, warmup=1, tiny=True)
    assert [(r['mode'], r['images'], r['amp']) for r in rows] == [
        ('plain', 2, False), ('plain', 4, False), ('offline', 4, False), ('online', 4, False)]
    assert all(r['step_s'] > 0 for r in rows)
    lines = goals(rows, [dict(strength='S4', images_per_s_per_worker=1.0)])
    assert [g.split(':')[0] for g in lines] == [
        'offline student / plain step', 'online teacher-student / plain step',
        'S4 workers to keep the GPU fed']
    assert all(g.endswith(('(met, goal <= 1.05)', '(missed, goal <= 1.05)')) for g in lines[:1])
    assert markdown(rows, 'CPU').count('\n| ') == 5  # header + 4 rows


def test_paper_size_labelling_throughput_both_ways_on_the_cpu():
    from tools.lib.paper_size_steps import goals, labelling_rates
    rates = labelling_rates('cpu', iters=1, warmup=1, tiny=True)
    assert set(rates) == {'label_img_s', 'test_img_s'} and min(rates.values()) > 0
    rows = [dict(mode=m, images=4, amp=False, step_s=1.0) for m in ('plain', 'offline', 'online')]
    line = goals(rows, labelling=dict(label_img_s=9.0, test_img_s=10.0))[-1]
    assert line == 'pseudo-labelling / test.py throughput: 0.90 (missed, goal >= 1.0)'


@pytest.mark.slow
@pytest.mark.optin  # about 2.5 min of CPU: make test-slow
def test_paper_size_runs_he_et_al_s_own_model_on_the_cpu():
    """--paper-size with He et al.'s R50-FPN Mask R-CNN GN itself (80 classes), not
    the tiny model, at 320x192 on the CPU: every training mode steps and both
    labelling ways run, so the first GPU run meets no config-side surprise."""
    from tools.lib.paper_size_steps import labelling_rates, paper_size_steps
    rows = paper_size_steps('cpu', iters=1, warmup=1, size=(320, 192))
    assert [(r['mode'], r['images']) for r in rows] == [
        ('plain', 2), ('plain', 4), ('offline', 4), ('online', 4)]
    assert all(r['step_s'] > 0 for r in rows)
    assert rows[1]['step_s'] > rows[0]['step_s']  # 4 images cost more than 2
    rates = labelling_rates('cpu', iters=1, warmup=1, size=(320, 192))
    assert min(rates.values()) > 0
