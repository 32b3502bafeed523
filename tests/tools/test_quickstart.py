"""tools/quickstart.py's last line: the difference read against the seeds' spread."""
from tools.quickstart import verdict


def test_the_last_line_reads_one_run_against_the_spread_over_seeds():
    spread = dict(runs=[dict(teacher=0.217, student=0.234), dict(teacher=0.240, student=0.227),
                        dict(teacher=0.220, student=0.225)])  # differences +0.017, -0.013, +0.005
    line = verdict(0.240, 0.227, spread)
    assert line == ('teacher bbox mAP 0.240, student bbox mAP 0.227 (-0.013); over 3 seeds '
                    '(docs/quickstart_seeds.json) the difference was +0.003 ± 0.015: this one is '
                    'within twice that std, so it shows neither a gain nor a loss')
    assert 'this one is beyond twice that std' in verdict(0.20, 0.30, spread)
    assert verdict(0.2, 0.3, None).endswith('no spread over seeds recorded: one run is not a '
                                            'finding')
