"""The ignore rule and the multi-scale / flip averaging of pseudo masks."""
import numpy as np
import pytest
import torch

from projects.apis.pseudo_mask import IGNORE, average_probs, pixel_shares, pseudo_mask


def test_ignore_rule_on_a_constructed_probability_map():
    probs = torch.tensor([[[0.2, 0.5, 0.1], [0.34, 0.0, 0.49]],    # class 0
                          [[0.7, 0.3, 0.1], [0.33, 1.0, 0.02]],    # class 1
                          [[0.1, 0.2, 0.8], [0.33, 0.0, 0.49]]])   # class 2
    out = pseudo_mask(probs, conf_thr=0.5)
    # max 0.7 -> 1; 0.5 (>= thr) -> 0; 0.8 -> 2; 0.34 < thr -> 255; 1.0 -> 1; 0.49 -> 255
    assert out.dtype == np.uint8
    assert out.tolist() == [[1, 0, 2], [IGNORE, 1, IGNORE]]
    assert (pseudo_mask(probs, 0.0) != IGNORE).all()
    assert (pseudo_mask(probs, 1.01) == IGNORE).all()


def test_scales_average_known_outputs():
    img = np.zeros((40, 64, 3), np.uint8)

    def logits_fn(view):  # two classes; the class-1 logit is the view width / 100
        h, w = view.shape[:2]
        return torch.stack([torch.zeros(h, w), torch.full((h, w), w / 100)])

    probs = average_probs(logits_fn, img, scales=(0.5, 1.0, 1.5), flip=True)
    expected = np.mean([1 / (1 + np.exp(-w / 100)) for w in (32, 32, 64, 64, 96, 96)])
    assert probs.shape == (2, 40, 64)
    torch.testing.assert_close(probs[1], torch.full((40, 64), float(expected)))
    torch.testing.assert_close(probs.sum(0), torch.ones(40, 64))


def test_flipped_views_are_flipped_back():
    img = np.zeros((8, 16, 3), np.uint8)
    img[..., 0] = np.arange(16) * 10  # brighter to the right

    def logits_fn(view):  # class 1 wins where the pixel is bright: not symmetric
        x = torch.from_numpy(view[..., 0].astype(np.float32)) / 40 - 2
        return torch.stack([torch.zeros_like(x), x])

    plain = average_probs(logits_fn, img)
    both = average_probs(logits_fn, img, flip=True)
    torch.testing.assert_close(both, plain)
    # sigmoid(-2) = 0.119 on the left, sigmoid(1.75) = 0.852 on the right
    assert plain[1, 0, 0] < 0.12 and plain[1, 0, 15] > 0.85


def test_pixel_shares():
    masks = [np.array([[0, 1], [255, 1]], np.uint8), np.array([[2, 2]], np.uint8)]
    shares = pixel_shares(masks, num_classes=3)
    assert shares['pixels'] == 6
    assert shares['class_share'] == pytest.approx([1 / 6, 2 / 6, 2 / 6])
    assert shares['ignored_share'] == pytest.approx(1 / 6)
