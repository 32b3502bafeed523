"""tools/analysis_tools/contrast_reference_diff.py: the reference's contrast by the numbers."""
import numpy as np

from tests.conftest import call_tool
from tools.analysis_tools import contrast_reference_diff as tool


def test_reference_blends_towards_pixel_count_over_256():
    img = np.full((16, 32, 3), 100, np.uint8)  # 512 px: "mean" 2, not 100
    assert (tool.reference_contrast(img, 0.0) == 2).all()
    big = np.full((300, 300, 3), 100, np.uint8)  # 90000 / 256 clipped to 255: white
    assert (tool.reference_contrast(big, 0.0) == 255).all()
    diffs = tool.differences([big], [0, 5])
    assert diffs[5] == (0.0, 0)  # factor 1: both return the image
    assert diffs[0] == (139.0, 139)  # ours 100; the reference 255 + 0.1 * (100 - 255) = 239


def test_an_empty_folder_is_one_line(tmp_path):
    proc = call_tool(['tools/analysis_tools/contrast_reference_diff.py', str(tmp_path)],
                     check=False)
    assert proc.returncode == 2
    assert proc.stderr.strip() == f'error: no .jpg/.png image in {tmp_path}'
