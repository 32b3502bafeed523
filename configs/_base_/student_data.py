# The student-data block shared by every Noisy-Student student (detection and
# segmentation) and by joint training. A student inherits it beside its
# supervised config and names its parts:
#   _base_ = ['./sup_....py', '../_base_/student_data.py']
#   train_dataloader = dict(
#       batch_size=4,
#       sampler=dict(_base_.student_sampler, batch_size=4),
#       dataset=dict(_base_.student_dataset, human=...,
#                    pseudo=dict(..., filter_cfg=_base_.pseudo_filter_cfg)))
# (mmengine refuses one key in two bases, so the block comes as named parts,
# not as a second train_dataloader.)
# HumanPseudoDataset tags every sample with its part ('human', 'pseudo',
# 'classify'); the student's SourceSplitDataPreprocessor splits each batch by
# that tag and pads each part apart: the one split of every student.
student_sampler = dict(_delete_=True, type='MultiSourceSampler',
                       source_ratio=[1, 1])  # exactly half human, half pseudo
student_dataset = dict(_delete_=True, type='HumanPseudoDataset')
pseudo_filter_cfg = dict(filter_empty_gt=False)  # images the teacher left empty stay: negatives
