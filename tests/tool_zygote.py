"""A warm interpreter for the tools that the tests run, to skip their imports.

A tool started as ``python tools/train.py ...`` spends 6-8 s importing torch,
mmengine's runner, mmdet and mmseg before it does anything. The zygote is one
process per pytest worker that has done those imports once (and run no torch
op, so it holds no thread pool). ``python_command()`` returns the path of a
tiny client executable; running ``CLIENT tools/x.py ARGS`` sends argv, the
environment, the working directory and its own stdin/stdout/stderr to the
zygote, which forks a child that runs the script as ``__main__`` in that
state and reports its exit code, which the client exits with. To a caller the
client is a Python interpreter: the tools' nested runs (``self_train.py`` ->
``train.py``, through ``PYTHON``) use it too, and ``-m module`` works (the
``dist_*.sh`` launchers). A killed client takes its child with it.

Fresh interpreters stay where they are the point: the subprocess smoke test
of each tool (``run_tool(..., fresh=True)``), the kill-and-resume suite and
the two-process runs' workers (torchrun starts real interpreters).

Invariants, each enforced:

* **fork safety**: before every fork the server checks that it runs one
  thread (``/proc/self/task``, native threads included) and holds no CUDA
  context; otherwise it refuses the run with one line (:func:`fork_safety_problem`);
* **no orphan**: the server exits within a second of its parent (the pytest
  process) dying, however that process ended, and removes its folder;
* **a fallback says so**: where the zygote cannot start, ``python_command``
  warns and returns ``sys.executable``;
* **interpreter flags**: the client runs ``SCRIPT ARGS`` or ``-m MODULE
  ARGS``; any other flag (``-u``, ``-c``, ``-W`` ...) is refused with a
  message naming it (exit 2), never silently dropped;
* **signals**: each run is forked under a small supervisor that waits for it;
  a run killed by a signal is reported on the client's stderr and the client
  dies by the same signal, so the caller sees ``returncode == -SIG``.
"""
import atexit
import os
import os.path as osp
import shutil
import socket
import subprocess
import sys
import tempfile
import warnings

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))

CLIENT = '''#!{python} -S
import json, os, signal, socket, struct, sys
argv = sys.argv[1:]
if argv[:1] and argv[0].startswith('-') and argv[0] != '-m':
    sys.stderr.write(f'tool_zygote: the warm interpreter runs SCRIPT ARGS or -m MODULE ARGS; '
                     f'interpreter flag {{argv[0]}} is not supported (use a fresh interpreter: '
                     f'run_tool(..., fresh=True))\\n')
    sys.exit(2)
conn = socket.socket(socket.AF_UNIX)
conn.connect({sock!r})
req = json.dumps(dict(argv=sys.argv[1:], env=dict(os.environ), cwd=os.getcwd())).encode()
socket.send_fds(conn, [struct.pack('!I', len(req)) + req], [0, 1, 2])
reply = conn.recv(4096).decode()
if reply.startswith('refused'):
    sys.stderr.write(f'tool_zygote: {{reply}}\\n')
    sys.exit(1)
code = int(reply) if reply else 1
if code < 0:  # the run was killed by signal -code: die the same way
    sys.stderr.write(f'tool_zygote: the run was killed by signal {{signal.Signals(-code).name}}\\n')
    sys.stderr.flush()
    if -code not in (signal.SIGKILL, signal.SIGSTOP):  # those two have no handler
        signal.signal(-code, signal.SIG_DFL)
    os.kill(os.getpid(), -code)
sys.exit(code)
'''


def fork_safety_problem():
    """None when this process may fork a warm run, else why not (one line):
    more than one thread (native ones included), or a CUDA context."""
    tasks = '/proc/self/task'
    count = len(os.listdir(tasks)) if osp.isdir(tasks) else 1
    if count != 1:
        return f'{count} threads in the zygote before fork (a forked run would inherit locks)'
    torch = sys.modules.get('torch')
    if torch is not None and torch.cuda.is_initialized():
        return 'a CUDA context in the zygote before fork (a forked run cannot use it)'
    return None


SERVER = r'''
import json, os, runpy, shutil, signal, socket, struct, sys, threading, traceback
sys.path.insert(0, {root!r})
import projects.register  # noqa: F401  (torch, mmengine.runner, mmdet, mmseg: once)
import mmseg.models, mmseg.datasets, mmseg.evaluation  # noqa: F401,E401
from tests.tool_zygote import fork_safety_problem
PARENT = int({parent})


def watch(conn):
    try:
        conn.recv(1)  # returns at EOF: the client is gone
    finally:
        os._exit(1)


def run(argv):
    if argv[:1] == ['-m']:
        sys.argv = argv[1:]
        runpy.run_module(argv[1], run_name='__main__', alter_sys=True)
    else:
        sys.argv = argv
        sys.path[0] = os.path.dirname(os.path.abspath(argv[0]))
        runpy.run_path(argv[0], run_name='__main__')


def serve(conn):
    msg, fds, _, _ = socket.recv_fds(conn, 1 << 20, 3)
    size, body = struct.unpack('!I', msg[:4])[0], msg[4:]
    while len(body) < size:
        body += conn.recv(1 << 20)
    req = json.loads(body)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    os.environ.clear()
    os.environ.update(req['env'])
    os.chdir(req['cwd'])
    if os.environ.get('OMP_NUM_THREADS', '1') != '1':
        import torch
        torch.set_num_threads(int(os.environ['OMP_NUM_THREADS']))
    threading.Thread(target=watch, args=(conn,), daemon=True).start()
    code = 0
    try:
        run(req['argv'])
    except SystemExit as e:
        if isinstance(e.code, int) or e.code is None:
            code = e.code or 0
        else:
            print(e.code, file=sys.stderr)
            code = 1
    except BaseException:
        traceback.print_exc()
        code = 1
    import atexit
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # closed by the tool
            pass
    os._exit(code)  # the supervisor reports it


def supervise(conn):
    """Fork the run, wait for it, send the client its exit code (-SIG if killed)."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # this process waits for its child
    pid = os.fork()
    if pid == 0:
        serve(conn)
    _, status = os.waitpid(pid, 0)
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else -os.WTERMSIG(status)
    try:
        conn.send(str(code).encode())
    except OSError:  # the client is gone
        pass
    os._exit(0)


signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # supervisors reap themselves
server = socket.socket(socket.AF_UNIX)
server.bind({sock!r})
server.listen(64)
server.settimeout(0.5)
print('ready', flush=True)
while True:
    if os.getppid() != PARENT:  # pytest is gone, however it ended: so is the zygote
        shutil.rmtree(os.path.dirname({sock!r}), ignore_errors=True)
        os._exit(0)
    try:
        conn, _ = server.accept()
    except socket.timeout:
        continue
    conn.settimeout(None)
    problem = fork_safety_problem()
    if problem:
        conn.send(('refused: ' + problem).encode())
        conn.close()
        continue
    if os.fork() == 0:
        server.close()
        supervise(conn)
    conn.close()
'''

_CLIENT_PATH = None


def python_command() -> str:
    """The client executable (the zygote starts on first use, per process);
    ``sys.executable`` where the zygote cannot start."""
    global _CLIENT_PATH
    if _CLIENT_PATH is None:
        _CLIENT_PATH = _start()
        if _CLIENT_PATH is None:
            warnings.warn('tool_zygote could not start (no fork or socket.send_fds here, or '
                          'its imports failed): tools run in fresh interpreters, 6-8 s slower '
                          'each', RuntimeWarning, stacklevel=2)
            _CLIENT_PATH = sys.executable
    return _CLIENT_PATH


def _start():
    if not hasattr(socket, 'send_fds') or not hasattr(os, 'fork'):
        return None
    folder = tempfile.mkdtemp(prefix='tool-zygote-')
    sock = osp.join(folder, 'zygote.sock')
    env = dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS='1')
    proc = subprocess.Popen([sys.executable, '-c', SERVER.format(root=ROOT, sock=sock,
                                                                 parent=os.getpid())],
                            cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, text=True)
    if proc.stdout.readline().strip() != 'ready':
        proc.kill()
        return None

    def stop():
        proc.kill()
        shutil.rmtree(folder, ignore_errors=True)
    atexit.register(stop)
    client = osp.join(folder, 'python')
    with open(client, 'w') as f:
        f.write(CLIENT.format(python=sys.executable, sock=sock))
    os.chmod(client, 0o755)
    return client
