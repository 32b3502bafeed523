"""``import projects`` is light; registration happens through custom_imports."""
import subprocess
import sys
import textwrap

from tests.conftest import ROOT


def _python(code: str) -> str:
    out = subprocess.run([sys.executable, '-c', textwrap.dedent(code)], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout.strip().splitlines()[-1]


def test_projects_and_json_tools_import_without_torch():
    loaded = _python("""
        import sys
        sys.path.insert(0, '.')
        import projects, projects.utils, projects.utils.errors, projects.utils.io
        import projects.utils.coco_json, projects.utils.curves
        import tools.misc.make_subset, tools.dataset_converters.voc_to_coco
        import tools.analysis_tools.results_table
        from projects.utils import UserInputError, atomic_write_json
        print(sorted(m for m in ('torch', 'mmengine', 'mmdet', 'mmseg') if m in sys.modules))
    """)
    assert loaded == '[]'


def test_import_projects_never_registers_whatever_came_first():
    for first in ('', 'import mmengine.config', 'import mmdet', 'import mmdet, mmengine.config'):
        found = _python(f"""
            {first}
            import projects
            from mmdet.registry import MODELS
            print(MODELS.get('NoisyStudentDetector') is None)
        """)
        assert found == 'True', first


def test_config_custom_imports_register():
    found = _python("""
        from mmengine.config import Config
        from mmdet.registry import MODELS
        from mmengine.registry import RUNNERS
        before = MODELS.get('NoisyStudentDetector')
        Config.fromfile('configs/demo/nst_retinanet_r18w32-scratch_fpn_gn-all_1xb8-600i-s1_'
                        'demo-lab50.py')  # custom_imports = projects.register
        print(before is None, MODELS.get('NoisyStudentDetector') is not None,
              RUNNERS.get('RethinkRunner') is not None)
    """)
    assert found == 'True True True'


def test_registering_patches_nothing_upstream():
    """No attribute of an mmcv/mmengine/mmdet/mmseg class or module changes when our
    package is registered: every function and class they expose stays the same object."""
    found = _python("""
        import importlib, json, pkgutil, sys
        import mmcv, mmdet, mmengine, mmseg
        def snapshot():
            out = {}
            for pkg in (mmcv, mmengine, mmdet, mmseg):
                for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):
                    mod = sys.modules.get(info.name)
                    if mod is None:
                        continue
                    for name, value in list(vars(mod).items()):
                        out[f'{info.name}.{name}'] = id(value)
                        if isinstance(value, type) and value.__module__ == info.name:
                            for attr, member in list(vars(value).items()):
                                out[f'{info.name}.{name}.{attr}'] = id(member)
            return out
        import mmcv.transforms, mmengine.runner, mmengine.config, mmengine.evaluator
        import mmengine.dataset, mmdet.evaluation, mmdet.datasets, mmseg.datasets
        from mmengine.runner import CheckpointLoader
        before, schemes = snapshot(), dict(CheckpointLoader._schemes)
        import projects.register
        after = snapshot()
        changed = sorted(k for k in before if k in after and before[k] != after[k])
        # register_scheme rebuilds its table to add offline-imagenet://: every scheme
        # that was there keeps its loader
        table = 'mmengine.runner.checkpoint.CheckpointLoader._schemes'
        if all(CheckpointLoader._schemes[k] is v for k, v in schemes.items()):
            changed = [k for k in changed if k != table]
        print(json.dumps(changed))
    """)
    import json
    changed = json.loads(found)
    # mmengine's registries and scheme table gain entries (registration); nothing is replaced
    assert changed == [], changed[:10]
