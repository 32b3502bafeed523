from .noisy_student_segmentor import NoisyStudentSegmentor

__all__ = ['NoisyStudentSegmentor']
