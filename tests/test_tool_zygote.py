"""The warm interpreter of the tests behaves as a Python interpreter, and its
invariants hold: fork safety, no orphan server, a warned fallback, named flags,
reported signals."""
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

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


def test_interpreter_flags_it_cannot_honour_are_named(tmp_path):
    for flag in ('-u', '-c', '-W'):
        proc = _run([flag, 'print(1)'])
        assert proc.returncode == 2
        assert f'interpreter flag {flag} is not supported' in proc.stderr
        assert 'fresh=True' in proc.stderr


def test_a_run_killed_by_a_signal_reports_it(tmp_path):
    script = tmp_path / 'die.py'
    script.write_text('import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n')
    proc = _run([str(script)])
    assert proc.returncode == -signal.SIGKILL
    assert 'the run was killed by signal SIGKILL' in proc.stderr
    script.write_text('import os, signal\nos.kill(os.getpid(), signal.SIGTERM)\n')
    assert _run([str(script)]).returncode == -signal.SIGTERM


def test_fork_safety_is_checked(tmp_path):
    code = textwrap.dedent(f"""
        import sys, threading, time
        sys.path.insert(0, {ROOT!r})
        from tests.tool_zygote import fork_safety_problem
        print(fork_safety_problem())
        threading.Thread(target=time.sleep, args=(5,), daemon=True).start()
        print(fork_safety_problem())
    """)
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                         timeout=60).stdout.splitlines()
    assert out[0] == 'None'
    assert out[1] == '2 threads in the zygote before fork (a forked run would inherit locks)'


def test_the_zygote_ends_when_pytest_dies(tmp_path):
    """A stand-in for pytest starts a zygote and is SIGKILLed (no atexit runs)."""
    code = textwrap.dedent(f"""
        import os, sys
        sys.path.insert(0, {ROOT!r})
        from tests import tool_zygote
        client = tool_zygote.python_command()
        assert client != sys.executable
        print(os.path.dirname(client), flush=True)
        import time
        time.sleep(600)
    """)
    parent = subprocess.Popen([sys.executable, '-c', code], stdout=subprocess.PIPE, text=True)
    folder = parent.stdout.readline().strip()
    sock = os.path.join(folder, 'zygote.sock')
    assert os.path.exists(sock)
    servers = _pids_holding(folder)
    assert servers, 'no zygote server found'
    parent.kill()
    parent.wait()
    deadline = time.time() + 10
    while time.time() < deadline and (any(_alive(p) for p in servers) or os.path.exists(folder)):
        time.sleep(0.1)
    assert not any(_alive(p) for p in servers), 'the zygote outlived pytest'
    assert not os.path.exists(folder)


def _pids_holding(text):
    """Processes whose command line mentions ``text`` (the server's socket path)."""
    out = []
    for pid in os.listdir('/proc'):
        try:
            if pid.isdigit() and text in open(f'/proc/{pid}/cmdline').read():
                out.append(int(pid))
        except OSError:
            continue
    return out


def _alive(pid):
    try:
        with open(f'/proc/{pid}/stat') as f:
            return f.read().split(') ')[1][0] != 'Z'
    except OSError:
        return False


def test_a_zygote_that_cannot_start_warns(monkeypatch):
    from tests import tool_zygote
    monkeypatch.setattr(tool_zygote, '_CLIENT_PATH', None)
    monkeypatch.setattr(tool_zygote, '_start', lambda: None)
    with pytest.warns(RuntimeWarning, match='tool_zygote could not start'):
        assert tool_zygote.python_command() == sys.executable
