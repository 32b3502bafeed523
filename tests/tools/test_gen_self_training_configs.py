"""The Zoph et al. config grid is current, complete, and each cell holds what
its name says."""
import os.path as osp

import pytest

from tools.misc import gen_self_training_configs as gen
from projects.utils import load_config

CELLS = list(gen.cells())


def test_checked_in_grid_is_current():
    assert gen.main(['--check']) == 0, 'run python tools/misc/gen_self_training_configs.py'


def test_grid_size():
    # 2 detectors x 2 inits x 3 fractions x 4 strengths, each sup + nst + nst-imagenet
    assert len(CELLS) == 48
    files, table = gen.render()
    assert len(files) == 144 and table.count('\n| ') == 48


def _check_dataset(dataset, frac, strength):
    ann = 'annotations/instances_train2017.json' if frac == 100 else \
        f'annotations/instances_train2017_{frac}pct.json'
    assert dataset.ann_file == ann
    steps = [t for t in dataset.pipeline if t['type'] == 'StrengthAugment']
    assert [t['strength'] for t in steps] == [strength]


@pytest.mark.parametrize('cell', CELLS, ids=lambda c: '-'.join(map(str, c)))
def test_cell_holds_what_its_name_says(cell):
    model, init, frac, strength = cell
    sup = load_config(osp.join(gen.OUT, gen.name('sup', *cell)))
    nst = load_config(osp.join(gen.OUT, gen.name('nst', *cell)))
    _check_dataset(sup.train_dataloader.dataset, frac, strength)
    _check_dataset(nst.train_dataloader.dataset.human, frac, strength)
    pseudo = nst.train_dataloader.dataset.pseudo
    assert [t['strength'] for t in pseudo.pipeline if t['type'] == 'StrengthAugment'] == [strength]
    assert nst.train_dataloader.sampler.source_ratio == [1, 1]
    assert nst.train_dataloader.batch_size == 2 * sup.train_dataloader.batch_size
    # the student's detector is the teacher's (sup) model
    assert nst.model.detector.to_dict() == sup.model.to_dict()
    init_cfg = sup.model.backbone.init_cfg
    assert (init_cfg is None) == (init == 'scratch')
    assert sup.train_cfg.multiplier == nst.train_cfg.multiplier == 3
    assert sup.model.type == ('RetinaNet' if model == 'retinanet' else 'MaskRCNN')


def test_imagenet_twin_changes_only_the_unlabelled_source():
    cell = ('retinanet', 'scratch', 20, 'S4')
    nst = load_config(osp.join(gen.OUT, gen.name('nst', *cell)))
    twin = load_config(osp.join(gen.OUT, gen.imagenet_name(gen.name('nst', *cell))))
    assert twin.train_dataloader.dataset.pseudo.data_root == 'data/imagenet/'
    assert twin.train_dataloader.dataset.pseudo.data_prefix.img == 'train/'
    twin.train_dataloader.dataset.pseudo = nst.train_dataloader.dataset.pseudo
    assert twin.to_dict() == nst.to_dict()  # everything else identical, S4 included


def test_check_flags_a_config_the_script_does_not_write(tmp_path, monkeypatch, capsys):
    files, _ = gen.render()
    for key, text in files.items():
        (tmp_path / key).write_text(text)
    (tmp_path / 'README.md').write_text(open(gen.README).read())
    (tmp_path / 'nst_stale_extra.py').write_text("_base_ = './x.py'\n")
    monkeypatch.setattr(gen, 'OUT', str(tmp_path))
    monkeypatch.setattr(gen, 'README', str(tmp_path / 'README.md'))
    assert gen.main(['--check']) == 1
    assert 'nst_stale_extra.py' in capsys.readouterr().out


def test_every_generated_config_names_its_generator(tmp_path, monkeypatch, capsys):
    import glob
    paths = glob.glob(osp.join(gen.OUT, '*.py'))
    assert len(paths) == 144
    assert all(open(p).readline() == gen.GENERATED for p in paths)
    # a hand edit of the first line is out of date for --check
    target = tmp_path / osp.basename(paths[0])
    target.write_text(open(paths[0]).read().replace(gen.GENERATED, '# edited by hand\n'))
    monkeypatch.setattr(gen, 'OUT', str(tmp_path))
    assert gen.main(['--check']) == 1
    assert f'out of date: {osp.relpath(str(target), gen.ROOT)}' in capsys.readouterr().out
