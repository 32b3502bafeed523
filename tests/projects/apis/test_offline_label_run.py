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
