from .noisy_student_detector import NoisyStudentDetector

__all__ = ['NoisyStudentDetector']
