from .joint_training_detector import JointTrainingDetector
from .noisy_student_detector import NoisyStudentDetector
from .teacher_student_detector import TeacherStudentDetector, warp_masks

__all__ = ['JointTrainingDetector', 'NoisyStudentDetector', 'TeacherStudentDetector', 'warp_masks']
