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
"""
import atexit
import os
import os.path as osp
import shutil
import socket
import subprocess
import sys
import tempfile

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))

CLIENT = '''#!{python} -S
import json, os, socket, struct, sys
conn = socket.socket(socket.AF_UNIX)
conn.connect({sock!r})
req = json.dumps(dict(argv=sys.argv[1:], env=dict(os.environ), cwd=os.getcwd())).encode()
socket.send_fds(conn, [struct.pack('!I', len(req)) + req], [0, 1, 2])
code = conn.recv(16)
sys.exit(int(code) if code else 1)
'''

SERVER = r'''
import json, os, runpy, signal, socket, struct, sys, threading, traceback
sys.path.insert(0, {root!r})
import projects.register  # noqa: F401  (torch, mmengine.runner, mmdet, mmseg: once)
import mmseg.models, mmseg.datasets, mmseg.evaluation  # noqa: F401,E401


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
    conn.send(str(code).encode())
    os._exit(code)


signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children reap themselves
server = socket.socket(socket.AF_UNIX)
server.bind({sock!r})
server.listen(64)
print('ready', flush=True)
while True:
    conn, _ = server.accept()
    if os.fork() == 0:
        server.close()
        serve(conn)
    conn.close()
'''

_CLIENT_PATH = None


def python_command() -> str:
    """The client executable (the zygote starts on first use, per process);
    ``sys.executable`` where the zygote cannot start."""
    global _CLIENT_PATH
    if _CLIENT_PATH is None:
        _CLIENT_PATH = _start() or sys.executable
    return _CLIENT_PATH


def _start():
    if not hasattr(socket, 'send_fds') or not hasattr(os, 'fork'):
        return None
    folder = tempfile.mkdtemp(prefix='tool-zygote-')
    sock = osp.join(folder, 'zygote.sock')
    env = dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS='1')
    proc = subprocess.Popen([sys.executable, '-c', SERVER.format(root=ROOT, sock=sock)],
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
