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


def test_config_custom_imports_register(tmp_path):
    old_style = tmp_path / 'old_style.py'  # a user config that names the package only
    old_style.write_text(f"_base_ = '{ROOT}/configs/demo/sup_retinanet_r18w32-scratch_fpn_gn-all"
                         "_1xb8-600i_demo.py'\ncustom_imports = dict(imports=['projects'])\n")
    # ours name projects.register, so an earlier light ``import projects`` does not matter;
    # the old style registers when the config is what imports projects (mmdet's tools)
    for config, first in (('configs/demo/nst_retinanet_r18w32-scratch_fpn_gn-all_1xb8-600i-s1_'
                           'demo-lab50.py', 'import projects'), (str(old_style), '')):
        found = _python(f"""
            {first}
            from mmengine.config import Config
            from mmdet.registry import MODELS
            before = MODELS.get('NoisyStudentDetector')
            Config.fromfile('{config}')  # custom_imports
            print(before is None, MODELS.get('NoisyStudentDetector') is not None)
        """)
        assert found == 'True True', config
