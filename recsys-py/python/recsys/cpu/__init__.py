"""implicit's module layout (``implicit.cpu``): ``recsys.cpu.als`` is ``recsys.als``."""

from . import als

__all__ = ["als"]
