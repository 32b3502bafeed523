"""A device-placement guard that runs on the CPU (issue #36 item 2, the AST way).

On a GPU, one ``torch.zeros(3)`` without ``device=`` in a loss path fails at
iteration 1, and so does one ``.numpy()`` on a CUDA tensor; a CPU-only test
sees neither. This scans the model, loss and hook code (``projects/models``,
``projects/engine``) for tensor factories that take no ``device=`` and for
``.numpy()`` not called right on ``.cpu()``; each place that is right on a
GPU anyway is allowed below, with its reason. The data pipeline, the metrics
and the file-writing tools run on the CPU and are not scanned.
"""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ('projects/models', 'projects/engine')
FACTORIES = {'tensor', 'zeros', 'ones', 'full', 'arange', 'empty', 'as_tensor', 'eye',
             'linspace', 'rand', 'randn', 'randint', 'randperm'}
# (file, function): why it is right on a GPU
ALLOWED = {
    ('projects/models/loss_normalizer.py', '__init__'):
        'registered buffers: module.to(device) moves them',
    ('projects/engine/hooks/learning_curve_hook.py', 'after_train_iter'):
        'as_tensor of a logged loss keeps its device; float() copies it to the host',
    ('projects/engine/hooks/unreadable_image_hook.py', '_stop_if'):
        "a flag for mmengine.dist.all_reduce, which casts it to the backend's device",
    ('projects/models/detectors/teacher_student_detector.py', 'project_pseudo_instances'):
        'a NumPy homography, moved with .to(boxes.device) before use',
}


def device_mistakes(source: str, path: str):
    """``(path:line, function, what)`` of every factory without ``device=`` and
    every ``.numpy()`` not called on ``.cpu()``, outside :data:`ALLOWED`."""
    found = []

    def visit(node, function):
        for child in ast.iter_child_nodes(node):
            name = child.name if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) \
                else function
            if isinstance(child, ast.Call) and isinstance(child.func, ast.Attribute):
                f = child.func
                what = None
                if isinstance(f.value, ast.Name) and f.value.id == 'torch' and \
                        f.attr in FACTORIES and 'device' not in {k.arg for k in child.keywords}:
                    what = f'torch.{f.attr}(...) without device='
                elif f.attr == 'numpy' and not (isinstance(f.value, ast.Call) and
                                                isinstance(f.value.func, ast.Attribute) and
                                                f.value.func.attr == 'cpu'):
                    what = '.numpy() not on .cpu()'
                if what and (path, name) not in ALLOWED:
                    found.append((f'{path}:{child.lineno}', name, what))
            visit(child, name)
    visit(ast.parse(source), None)
    return found


def test_model_loss_and_hook_code_takes_its_devices_from_its_inputs():
    mistakes = [m for folder in SCANNED for p in sorted((ROOT / folder).rglob('*.py'))
                for m in device_mistakes(p.read_text(encoding='utf-8'),
                                         str(p.relative_to(ROOT)))]
    assert not mistakes, mistakes


def test_every_allowed_place_still_exists():
    for path, function in ALLOWED:
        tree = ast.parse((ROOT / path).read_text(encoding='utf-8'))
        assert function in {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}, \
            (path, function)


def test_a_planted_mistake_is_caught():
    """A copy of the loss normalizer with a device mistake in its forward path."""
    path = 'projects/models/loss_normalizer.py'
    source = (ROOT / path).read_text(encoding='utf-8')
    assert device_mistakes(source, path) == []
    planted = source.replace('    @torch.no_grad()\n    def update(',
                             '    @torch.no_grad()\n    def update(', 1).replace(
        '        """', '        self._planted = torch.zeros(3)\n        """', 1)
    assert [m[2] for m in device_mistakes(planted, path)] == ['torch.zeros(...) without device=']
    numpy = source + '\n\ndef f(t):\n    return t.detach().numpy()\n'
    assert device_mistakes(numpy, path)[0][1:] == ('f', '.numpy() not on .cpu()')
    assert device_mistakes(source + '\n\ndef g(t):\n    return t.cpu().numpy()\n', path) == []
