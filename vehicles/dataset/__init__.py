"""Synthetic dealer networks for benchmarks and demos: `python manage.py generate_dataset` (see run.generate)."""

from .codes import DatasetError
from .context import Options
from .run import generate

__all__ = ["DatasetError", "Options", "generate"]
