"""The model a process serves: loaded without ever failing, swapped when a newer artifact appears.

A :class:`ModelHolder` owns one artifact path. :meth:`ModelHolder.get` returns the current
:class:`~recsys.Recommender` (or ``None`` while no good model exists) and, at most once every
``check_interval`` seconds, looks at the file: when its ``(inode, size, mtime)`` changed it reads
the bytes, compares their fingerprint (BLAKE2b of the artifact) with the loaded one and, if they
differ, decodes them and swaps the reference in one assignment. Requests that already hold the
old model keep using it; the next ``get`` sees the new one.

Every worker process has its own holder, so a model written by another process (``manage.py
recsys_train`` from cron, a Celery worker, another gunicorn worker) reaches all of them within
``check_interval`` seconds. The core writes artifacts atomically (temporary file + rename), so a
reader sees the old file or the new one, never half of one.

A missing, damaged, foreign or older-format file never raises: it is logged once per change of
the file, and the holder keeps the model it had (or none, so callers serve a fallback). Nothing
here imports Django.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Optional, Tuple, Union

from ..exceptions import RecsysError
from ..recommender import Recommender

__all__ = ["ModelHolder", "ModelStatus", "fingerprint_of"]

logger = logging.getLogger("recsys.django")

_Stamp = Tuple[int, int, int]


def fingerprint_of(data: bytes) -> str:
    """A short content fingerprint of artifact bytes (hex BLAKE2b, 16 bytes)."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@dataclass(frozen=True)
class ModelStatus:
    """What a holder serves, for status pages and logs."""

    #: The artifact path watched.
    path: str
    #: Whether a model is loaded (False: callers serve the popularity fallback).
    loaded: bool
    #: The loaded artifact's fingerprint, or None.
    fingerprint: Optional[str]
    #: Unix time the loaded model was installed, or None.
    loaded_at: Optional[float]
    #: Items of the loaded model (0 without one).
    n_items: int
    #: Why the file on disk is not being served (missing, damaged, older format...), or None.
    problem: Optional[str]

    def as_dict(self) -> Dict[str, Any]:
        return {
            "path": self.path,
            "loaded": self.loaded,
            "fingerprint": self.fingerprint,
            "loaded_at": self.loaded_at,
            "n_items": self.n_items,
            "problem": self.problem,
        }


class ModelHolder:
    """The current model of one artifact path (thread-safe; see the module docs).

    ``clock`` is injectable for tests (default :func:`time.monotonic`).
    """

    def __init__(
        self,
        path: Union[str, "os.PathLike[str]"],
        check_interval: float = 5.0,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if check_interval < 0:
            raise ValueError(f"check_interval must be >= 0 seconds, got {check_interval!r}")
        self.path = Path(path)
        self.check_interval = float(check_interval)
        self._clock = clock
        self._lock = threading.Lock()
        self._model: Optional[Recommender] = None
        self._fingerprint: Optional[str] = None
        self._loaded_at: Optional[float] = None
        self._stamp: Optional[_Stamp] = None
        self._problem: Optional[str] = None
        self._next_check = float("-inf")

    def get(self) -> Optional[Recommender]:
        """The model to serve now (None: no good model yet). Checks the file at most once per
        ``check_interval`` seconds; never raises for a bad file."""
        if self._clock() >= self._next_check:
            self.refresh()
        return self._model

    def refresh(self, force: bool = False) -> bool:
        """Looks at the file now; returns True when a new model was installed. ``force`` reloads
        even when the file's stamp did not change."""
        with self._lock:
            self._next_check = self._clock() + self.check_interval
            try:
                stamp = self._stat()
            except FileNotFoundError:
                self._note_problem(None, f"no model file at {self.path} yet", logging.INFO)
                return False
            except OSError as error:
                self._note_problem(None, f"cannot read {self.path}: {error}", logging.ERROR)
                return False
            if stamp == self._stamp and not force:
                return False
            try:
                data = self.path.read_bytes()
            except OSError as error:  # replaced or removed between stat and read: next time
                self._note_problem(stamp, f"cannot read {self.path}: {error}", logging.WARNING)
                return False
            fingerprint = fingerprint_of(data)
            if fingerprint == self._fingerprint and self._model is not None:
                self._stamp, self._problem = stamp, None  # touched, same content
                return False
            try:
                model = Recommender.from_bytes(data)
            except RecsysError as error:
                kept = " (keeping the model loaded before)" if self._model is not None else ""
                self._note_problem(
                    stamp,
                    f"the model file {self.path} cannot be used: {error}{kept}; "
                    "serving fallbacks until `manage.py recsys_train` writes a good one",
                    logging.ERROR,
                )
                return False
            self._model, self._fingerprint, self._loaded_at = model, fingerprint, time.time()
            self._stamp, self._problem = stamp, None
            logger.info("recsys: loaded %s (%d items, fingerprint %s)", self.path, model.n_items, fingerprint)
            return True

    def install(self, model: Recommender, data: Optional[bytes] = None) -> None:
        """Serves ``model`` now (e.g. right after this process saved it to :attr:`path`)."""
        with self._lock:
            self._model = model
            self._fingerprint = fingerprint_of(data if data is not None else model.to_bytes())
            self._loaded_at = time.time()
            self._problem = None
            try:
                self._stamp = self._stat()
            except OSError:
                self._stamp = None

    def status(self) -> ModelStatus:
        model = self._model
        return ModelStatus(
            path=str(self.path),
            loaded=model is not None,
            fingerprint=self._fingerprint,
            loaded_at=self._loaded_at,
            n_items=model.n_items if model is not None else 0,
            problem=self._problem,
        )

    @property
    def fingerprint(self) -> Optional[str]:
        """The fingerprint of the model being served, or None."""
        return self._fingerprint

    def _stat(self) -> _Stamp:
        st = os.stat(self.path)
        return (st.st_ino, st.st_size, st.st_mtime_ns)

    def _note_problem(self, stamp: Optional[_Stamp], problem: str, level: int) -> None:
        """Records why the file is not served; logs it once per change of the file."""
        if problem != self._problem or stamp != self._stamp:
            logger.log(level, "recsys: %s", problem)
        self._stamp, self._problem = stamp, problem

    def __repr__(self) -> str:
        state = f"fingerprint={self._fingerprint}" if self._model is not None else "no model"
        return f"ModelHolder({str(self.path)!r}, {state})"
