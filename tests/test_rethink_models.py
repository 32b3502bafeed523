"""He et al.'s models built from their configs: no BatchNorm in GN models, VGG-16
without norm that trains, Cascade TTA with box merging. (The per-config checks
are in tests/config_checks.py, run by tests/test_configs.py.)"""
import os.path as osp

from mmengine.config import Config

from tests.conftest import ROOT

def test_built_gn_model_has_no_batchnorm():
    import torch.nn as nn
    from mmengine.registry import init_default_scope
    from mmdet.registry import MODELS
    path = osp.join(ROOT, 'configs', 'rethink_imagenet',
                    'sup_mask-rcnn_r50-scratch_fpn_gn-all_8xb2-1x_coco.py')
    cfg = Config.fromfile(path)
    init_default_scope('mmdet')
    cfg.model.backbone.depth = 18  # same norm wiring, smaller build
    model = MODELS.build(cfg.model)
    assert not any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in model.modules())
    gn_parents = {name.split('.')[0] for name, m in model.named_modules()
                  if isinstance(m, nn.GroupNorm)}
    assert {'backbone', 'neck', 'roi_head'} <= gn_parents
    heads = {name.split('.')[1] for name, m in model.named_modules()
             if isinstance(m, nn.GroupNorm) and name.startswith('roi_head')}
    assert heads == {'bbox_head', 'mask_head'}


def _tiny_instance_batch(model, size=64):
    from tests.test_configs import _tiny_batch
    return model.data_preprocessor(_tiny_batch(model, size), True)


def test_vgg16_model_has_no_norm_layer_and_trains():
    import torch
    import torch.nn as nn
    from mmengine.registry import init_default_scope
    from mmdet.registry import MODELS
    from tests.test_configs import small_batch_settings
    cfg = Config.fromfile(osp.join(ROOT, 'configs', 'rethink_imagenet',
                                   'sup_mask-rcnn_vgg16-scratch_fpn_nonorm_8xb2-6x_coco.py'))
    init_default_scope('mmdet')
    torch.manual_seed(0)
    from mmengine.config import ConfigDict
    model = MODELS.build(ConfigDict(small_batch_settings(cfg.model.to_dict())))
    model.init_weights()
    norms = (nn.modules.batchnorm._BatchNorm, nn.GroupNorm, nn.LayerNorm, nn.InstanceNorm2d)
    assert not [n for n, m in model.named_modules() if isinstance(m, norms)]
    conv = model.backbone.features[0].weight  # MSRA: std sqrt(2 / fan_out) = sqrt(2 / 576)
    assert abs(float(conv.std()) - (2 / (64 * 9)) ** 0.5) < 0.01
    feats = model.backbone(torch.zeros(1, 3, 64, 64))
    assert [tuple(f.shape[1:]) for f in feats] == [(128, 16, 16), (256, 8, 8), (512, 4, 4),
                                                  (512, 2, 2)]
    optim = torch.optim.SGD(model.parameters(), lr=0.002, momentum=0.9)
    data = _tiny_instance_batch(model)
    losses = []
    for _ in range(3):
        loss, _ = model.parse_losses(model(**data, mode='loss'))
        optim.zero_grad()
        loss.backward()
        optim.step()
        losses.append(float(loss))
    assert all(torch.isfinite(torch.tensor(losses))) and losses[-1] < losses[0]


def test_vgg16_loads_torchvision_layout():
    import torch
    from projects.models.backbones import VGG16
    net = VGG16()
    keys = {k for k in net.state_dict()}
    # torchvision vgg16: convs at these indices of `features`
    convs = (0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28)
    assert keys == {f'features.{i}.{p}' for i in convs for p in ('weight', 'bias')}
    assert net.features[28].weight.shape == torch.Size([512, 512, 3, 3])


def test_cascade_tta_config_uses_box_merging_for_masks():
    from tools.lib.tta import apply_det_tta
    cfg = Config.fromfile(osp.join(ROOT, 'configs', 'rethink_imagenet',
                                   'sup_cascade-mask-rcnn_r101-scratch_fpn_gn-all_8xb2-6x-ms-tta_coco.py'))
    assert len(cfg.tta_pipeline[1].transforms[0]) == 3  # three scales
    cfg = apply_det_tta(cfg)
    assert cfg.model.type == 'BoxOnlyDetTTAModel' and cfg.model.module.type == 'CascadeRCNN'
    assert cfg.test_evaluator.metric == 'bbox'
