"""The warm interpreter of the tests behaves as a Python interpreter."""
import os
import subprocess
import sys
import time

from tests.conftest import ROOT
from tests.tool_zygote import python_command


def _run(args, **kw):
    return subprocess.run([python_command()] + args, cwd=kw.pop('cwd', ROOT), capture_output=True,
                          text=True, timeout=120, **kw)


def test_streams_exit_codes_environment_and_cwd(tmp_path):
    script = tmp_path / 'tool.py'
    script.write_text('import os, sys\nprint("out", sys.argv[1:], os.getcwd())\n'
                      'print("err", os.environ["MARK"], file=sys.stderr)\n'
                      'sys.exit(int(sys.argv[1]))\n')
    proc = _run([str(script), '3'], env=dict(os.environ, MARK='m1'), cwd=str(tmp_path))
    assert proc.returncode == 3
    assert proc.stdout.strip() == f"out ['3'] {tmp_path}"
    assert proc.stderr.strip() == 'err m1'
    assert _run([str(script), '0'], env=dict(os.environ, MARK='m2')).returncode == 0
    failing = tmp_path / 'boom.py'
    failing.write_text('raise ValueError("boom")\n')
    proc = _run([str(failing)])
    assert proc.returncode == 1 and 'ValueError: boom' in proc.stderr
    message = tmp_path / 'message.py'
    message.write_text('raise SystemExit("stage failed")\n')
    proc = _run([str(message)])
    assert proc.returncode == 1 and proc.stderr.strip() == 'stage failed'


def test_module_mode_and_a_fresh_state_per_run(tmp_path):
    proc = _run(['-m', 'json.tool', '--compact'], input='{"a": [1, 2]}')
    assert proc.returncode == 0 and proc.stdout.strip() == '{"a":[1,2]}'
    script = tmp_path / 'state.py'  # what one run changes, the next does not see
    script.write_text('import sys\nimport mmengine\nprint(hasattr(mmengine, "_seen"))\n'
                      'mmengine._seen = True\nprint("mmdet.models" in sys.modules)\n')
    for _ in range(2):
        assert _run([str(script)]).stdout.split() == ['False', 'True']  # warm, not shared


def test_killing_the_client_ends_the_run(tmp_path):
    flag = tmp_path / 'alive'
    script = tmp_path / 'slow.py'
    script.write_text(f'import time\nfor _ in range(600):\n    open({str(flag)!r}, "w").close()\n'
                      '    time.sleep(0.05)\n')
    proc = subprocess.Popen([python_command(), str(script)], cwd=ROOT)
    while not flag.exists():
        time.sleep(0.05)
    proc.kill()
    proc.wait()
    time.sleep(0.5)
    flag.unlink()
    time.sleep(0.5)
    assert not flag.exists(), 'the forked run outlived its client'
    assert python_command() != sys.executable  # the zygote is what ran here
