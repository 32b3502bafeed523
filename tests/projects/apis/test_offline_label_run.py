from projects.apis.offline_label_run import OfflineLabelRun


def test_progress_in_a_log_file_is_a_line_every_tenth_not_one_long_line(tmp_path, capsys):
    run = OfflineLabelRun(str(tmp_path / 'labels.json'))
    images = [dict(id=i, file_name=f'{i}.jpg') for i in range(25)]
    todo = run.share(images)
    run.label(({'image': im, 'boxes': []} for im in todo), total=len(todo))
    lines = capsys.readouterr().out.splitlines()  # captured: not a terminal
    assert '\r' not in ''.join(lines)
    assert [int(line.split()[1].split('/')[0]) for line in lines] == [3, 6, 9, 12, 15, 18, 21,
                                                                       24, 25]
    assert lines[-1].startswith('labelled 25/25 images, ') and 'ETA 0 s' in lines[-1]
    assert run.labelled == 25 and len(run.store.records()) == 25


def _killed_run(tmp_path, fingerprint, images):
    """The parts a run leaves when it is killed after 3 images."""
    run = OfflineLabelRun(str(tmp_path / 'labels.json'))
    run.claim(fingerprint)
    todo = run.share(images)
    run.label(({'image': im, 'anns': []} for im in todo[:3]), total=3)
    return run


def test_a_resume_takes_only_the_parts_of_the_same_run(tmp_path):
    import pytest

    from projects.utils.errors import UserInputError
    images = [dict(id=i, file_name=f'{i}.jpg') for i in range(6)]
    fp = dict(images='6 images, sha1 a', checkpoint=['t.pth', 10, 1], score_thr=[0.5])
    _killed_run(tmp_path, fp, images)
    same = OfflineLabelRun(str(tmp_path / 'labels.json'))
    same.claim(fp)
    assert len(same.share(images)) == 3  # resumes: 3 left
    for changed in ('images', 'checkpoint', 'score_thr'):
        other = dict(fp, **{changed: 'something else'})
        with pytest.raises(UserInputError) as e:
            OfflineLabelRun(str(tmp_path / 'labels.json')).claim(other)
        assert f'holds the work of another run (changed: {changed})' in str(e.value)
        assert '--restart' in str(e.value)
    fresh = OfflineLabelRun(str(tmp_path / 'labels.json'), restart=True)
    fresh.claim(dict(fp, images='7 images, sha1 b'))
    assert len(fresh.share(images)) == 6  # nothing of the old run is taken


def test_parts_without_a_fingerprint_are_refused(tmp_path):
    import pytest

    from projects.utils.errors import UserInputError
    run = OfflineLabelRun(str(tmp_path / 'labels.json'))
    run.label(({'image': dict(id=1, file_name='1.jpg'), 'anns': []} for _ in [0]), total=1)
    with pytest.raises(UserInputError, match='recorded no fingerprint'):
        OfflineLabelRun(str(tmp_path / 'labels.json')).claim(dict(images='x'))
