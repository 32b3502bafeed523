# He et al.'s random-init arm of the 10k-image regime at its own length: 220k
# iterations (the paper's 25.9 AP against the ImageNet arm's 26.0 AP at 60k).
# Our rule gives the drops: 1x shortened to 30k for 10k images, drops at the last
# 60k / 20k scaled by 30k / 90k = the last 20k / 6.67k: 200000 and 213333.
# The 60k scratch config stays as the matched-schedule ablation.
_base_ = './sup_mask-rcnn_r50-scratch_fpn_gn-all_8xb2-60k_coco-10k.py'
train_cfg = dict(max_iters=220000)
