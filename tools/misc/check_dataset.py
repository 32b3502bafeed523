#!/usr/bin/env python
"""Check a config's data before training: annotation files and every image.

    python tools/misc/check_dataset.py CONFIG [--split train|val|test] [--full-decode] \\
        [--workers N] [--cache FILE] [--cfg-options k=v ...]
    python tools/train.py CONFIG --check-data ...      # runs the train and val checks first

Annotation files get the checks ``tools/train.py`` runs (keys, category ids,
class overlap). Images get a header check by default: a known image format,
not empty, and for JPEG and PNG the end marker (a truncated copy has none). With
``--full-decode`` each image is decoded as the training loader decodes it.
Verdicts are cached by path, size and modification time, so a second run over
an unchanged set only reads the cache. Prints a table per dataset and the first
bad files; exits 1 when any image is bad, 2 (one line) on bad input.
"""
import argparse
import json
import os
import os.path as osp
import sys
import time
from multiprocessing import Pool
from typing import Dict, Iterator, List, Optional, Tuple

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

CACHE = osp.join(os.environ.get('XDG_CACHE_HOME', osp.expanduser('~/.cache')),
                 'rethink-pretrain', 'check_dataset.json')
IMAGE_SUFFIXES = ('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff', '.webp', '.gif')
MAGIC = ((b'\xff\xd8\xff', 'jpeg'), (b'\x89PNG\r\n\x1a\n', 'png'), (b'BM', 'bmp'),
         (b'II*\x00', 'tiff'), (b'MM\x00*', 'tiff'), (b'GIF8', 'gif'), (b'RIFF', 'webp'))
SHOW_BAD = 10
WORKERS = min(8, os.cpu_count() or 1)


def header_verdict(path: str) -> str:
    """'ok' or why the file is not a whole image (format and end marker)."""
    try:
        size = osp.getsize(path)
        if size == 0:
            return 'empty file (0 bytes)'
        with open(path, 'rb') as f:
            head = f.read(16)
            f.seek(max(0, size - 32))
            tail = f.read()
    except OSError as e:
        return f'unreadable: {e.strerror or e}'
    kind = next((k for magic, k in MAGIC if head.startswith(magic)), None)
    if kind is None:
        return f'not an image ({size} bytes, unknown format)'
    if kind == 'jpeg' and b'\xff\xd9' not in tail:
        return f'truncated JPEG ({size} bytes, no end marker)'
    if kind == 'png' and b'IEND' not in tail:
        return f'truncated PNG ({size} bytes, no IEND chunk)'
    return 'ok'


def decode_verdict(path: str) -> Tuple[str, Optional[List[int]]]:
    """('ok' or why the training loader could not decode the file, [width,
    height] as decoded). Decoding is the loaders' (mmcv, cv2, ``flag='color'``),
    which honours the EXIF orientation, as mmdet's and detectron2's do."""
    verdict = header_verdict(path)
    if verdict != 'ok' and not verdict.startswith('truncated'):
        return verdict, None
    import mmcv
    try:
        with open(path, 'rb') as f:
            img = mmcv.imfrombytes(f.read(), flag='color')
    except Exception as e:  # noqa: BLE001  (any decoder failure is the verdict)
        return f'cannot decode: {str(e).splitlines()[0][:80]}', None
    if img is None:
        return 'cannot decode (the decoder returned nothing)', None
    return verdict, [int(img.shape[1]), int(img.shape[0])]


def exif_orientation(path: str) -> int:
    """The EXIF orientation tag of an image file (1, upright, when absent)."""
    from PIL import Image
    try:
        with Image.open(path) as img:
            return int(img.getexif().get(0x0112, 1))
    except Exception:  # noqa: BLE001  (no EXIF block, not a JPEG ...)
        return 1


def size_verdict(path: str, decoded: List[int], recorded: List[int]) -> str:
    """'ok', or the decoded size against the annotation's, and why if EXIF says."""
    if list(decoded) == list(recorded):
        return 'ok'
    why = ''
    orientation = exif_orientation(path)
    if orientation in (5, 6, 7, 8) and list(decoded) == list(recorded)[::-1]:
        why = (f'; EXIF orientation {orientation} turns it, and the loaders honour EXIF: '
               'the annotation is in the raw frame, its boxes would land turned')
    return (f'decoded {decoded[0]}x{decoded[1]}, the annotation says '
            f'{recorded[0]}x{recorded[1]}{why}')


def _check(job: Tuple[str, bool]) -> Tuple[str, str, Optional[List[int]]]:
    path, full = job
    if full:
        return (path, *decode_verdict(path))
    return path, header_verdict(path), None


# ----------------------------------------------------------------------------- the config's images
def _prefix(dataset: dict) -> str:
    prefix = dataset.get('data_prefix') or {}
    sub = prefix.get('img', prefix.get('img_path', '')) if isinstance(prefix, dict) else prefix
    root = dataset.get('data_root') or ''
    return sub if osp.isabs(sub) else osp.join(root, sub)


def image_sets(cfg, loader: str) -> Iterator[Tuple[str, List[str], Dict[str, List[int]]]]:
    """(name, image paths, {path: [width, height] the annotation records}) of
    each dataset of ``loader``: COCO files list their images (with sizes),
    segmentation sets their split file; folder datasets (unlabelled images)
    list the folder."""
    from projects.utils.coco_json import load_coco_json
    from tools.lib.data_check import _ann_path, is_coco, leaf_datasets, walk_datasets
    from projects.utils.errors import UserInputError
    dataset = (cfg.get(loader) or {}).get('dataset')
    for ds in leaf_datasets(dataset):
        ann = _ann_path(ds)
        images = load_coco_json(ann)['images']
        paths = [osp.join(_prefix(ds), im['file_name']) for im in images]
        yield ann, paths, {p: [im['width'], im['height']] for p, im in zip(paths, images)}
    for ds in (d for d, leaf in walk_datasets(dataset) if leaf and not is_coco(d)):
        folder, ann = _prefix(ds), _ann_path(ds)
        if ann and ann.endswith('.txt') and osp.isfile(ann):  # mmseg: one image id a line
            suffix = ds.get('img_suffix', '.jpg')
            ids = [line.strip() for line in open(ann) if line.strip()]
            yield ann, [osp.join(folder, i + suffix) for i in ids], {}
            continue
        if not osp.isdir(folder):
            raise UserInputError(f'image folder not found: {folder} ({loader})')
        yield folder, sorted(osp.join(d, n) for d, _, names in os.walk(folder) for n in names
                             if n.lower().endswith(IMAGE_SUFFIXES)), {}


# ----------------------------------------------------------------------------- cache
def _key(path: str) -> Optional[str]:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return f'{st.st_size}:{st.st_mtime_ns}'


def load_cache(path: str) -> Dict[str, dict]:
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def check_images(paths: List[str], full: bool, workers: int, cache: Dict[str, dict],
                 progress: bool = True,
                 sizes: Optional[Dict[str, List[int]]] = None) -> Tuple[Dict[str, str], int]:
    """Verdict per path; ``cache`` is read and updated. With ``full``, a decoded
    size that differs from ``sizes[path]`` (the annotation's) is a bad verdict
    naming both. Returns (verdicts, cached)."""
    mode = 'decode' if full else 'header'
    verdicts, todo, decoded = {}, [], {}
    for p in paths:
        ap = osp.abspath(p)
        hit = cache.get(ap)
        key = _key(ap)
        if key is None:
            verdicts[p] = 'missing file'
        elif hit and hit['key'] == key and (hit['mode'] == mode or
                                            (hit['mode'] == 'decode' and mode == 'header')) \
                and (mode == 'header' or 'size' in hit):  # decode hits know the size
            verdicts[p] = hit['verdict']
            decoded[p] = hit.get('size')
        else:
            todo.append(p)
    cached = len(paths) - len(todo) - sum(v == 'missing file' for v in verdicts.values())
    if todo:
        from tqdm import tqdm
        jobs = [(p, full) for p in todo]
        with Pool(workers) if workers > 1 else _Serial() as pool:
            results = pool.imap(_check, jobs, chunksize=16)
            for p, verdict, size in tqdm(results, total=len(jobs), disable=not progress,
                                         desc=f'{mode} check', unit='img', file=sys.stderr):
                verdicts[p], decoded[p] = verdict, size
                cache[osp.abspath(p)] = dict(key=_key(p), mode=mode, verdict=verdict, size=size)
    for p, recorded in (sizes or {}).items() if full else ():
        if verdicts.get(p) == 'ok' and decoded.get(p):
            verdicts[p] = size_verdict(p, decoded[p], recorded)
    return verdicts, cached


class _Serial:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    @staticmethod
    def imap(fn, jobs, chunksize=1):
        return map(fn, jobs)


# ----------------------------------------------------------------------------- main
def run_checks(cfg, splits, full: bool, workers: int, cache_path: str,
               progress: bool = True) -> List[Tuple[str, str]]:
    """Check the annotation files and images of ``splits``; print the table;
    return every (path, reason) of a bad image."""
    from tools.lib.data_check import check_coco_datasets
    from projects.utils.io import atomic_write_json
    cache, bad, rows = load_cache(cache_path), [], []
    start = time.time()
    seen = set()
    for split in splits:
        loader = f'{split}_dataloader'
        check_coco_datasets(cfg, (loader,))
        for name, paths, sizes in image_sets(cfg, loader):
            paths = [p for p in paths if p not in seen]
            seen.update(paths)
            t0 = time.time()
            verdicts, cached = check_images(paths, full, workers, cache, progress, sizes)
            wrong = [(p, v) for p, v in verdicts.items() if v != 'ok']
            bad += wrong
            rate = (len(paths) - cached) / max(time.time() - t0, 1e-9)
            rows.append((split, name, len(paths), len(paths) - len(wrong), len(wrong), cached,
                         rate))
    atomic_write_json(cache, cache_path)
    mode = 'full decode' if full else 'header + end marker'
    print(f'| split | dataset | images | ok | bad | from cache | images/s ({mode}) |\n'
          '|---|---|---|---|---|---|---|')
    for split, name, n, ok, nbad, cached, rate in rows:
        speed = f'{rate:.0f}' if n > cached else '-'
        print(f'| {split} | {name} | {n} | {ok} | {nbad} | {cached} | {speed} |')
    for p, v in bad[:SHOW_BAD]:
        print(f'bad image: {p}: {v}')
    if len(bad) > SHOW_BAD:
        print(f'... and {len(bad) - SHOW_BAD} more')
    print(f'{sum(r[2] for r in rows)} images checked in {time.time() - start:.1f} s, '
          f'{len(bad)} bad; verdicts cached in {cache_path}')
    return bad


def main(argv=None) -> int:
    from tools.lib.cli import CfgOptionsAction
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('--split', choices=['train', 'val', 'test'], action='append',
                        help='split(s) to check (default: train and val)')
    parser.add_argument('--full-decode', action='store_true',
                        help='decode every image as the loader does (slower)')
    parser.add_argument('--workers', type=int, default=WORKERS)
    parser.add_argument('--cache', default=CACHE, help='verdict cache (json)')
    parser.add_argument('--cfg-options', nargs='+', action=CfgOptionsAction)
    args = parser.parse_args(argv)
    from projects.utils import load_config
    cfg = load_config(args.config, args.cfg_options)
    bad = run_checks(cfg, args.split or ['train', 'val'], args.full_decode, args.workers,
                     args.cache)
    return 1 if bad else 0


if __name__ == '__main__':
    from tools.lib.cli import run_main
    run_main(lambda: sys.exit(main()))
