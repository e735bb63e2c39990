"""Type stubs of the extension module ``recsys._recsys`` (the Rust core's bindings)."""

from os import PathLike
from typing import Any, Callable, Dict, List, Optional, Tuple, Union, final

import numpy as np
import numpy.typing as npt

__all__ = [
    "__version__",
    "ARTIFACT_FORMAT_VERSION",
    "AlsModel",
    "EaseModel",
    "RecommenderModel",
    "History",
    "Results",
    "als_check_settings",
    "als_to_bytes",
    "als_save",
    "als_from_bytes",
    "als_load",
    "hub_download",
    "artifact_info",
    "ranking_metrics_at_k",
    "split_entries",
    "leave_k_out_positions",
]

__version__: str
ARTIFACT_FORMAT_VERSION: int

_Ids = npt.NDArray[np.int32]
_Scores = npt.NDArray[np.float32]
_IndexArray = Union[npt.NDArray[np.int32], npt.NDArray[np.int64]]
_Csr = Any  # scipy.sparse.csr_matrix (read through .indptr/.indices/.data/.shape)

@final
class EaseModel:
    """A fitted EASE model of the Rust core."""

    @staticmethod
    def fit(
        user_items: Any,
        regularization: float,
        binary: bool,
        max_items: int,
        most_popular: bool,
        neighbors: Optional[int],
        num_threads: int,
    ) -> EaseModel: ...
    @staticmethod
    def from_bytes(data: bytes) -> EaseModel: ...
    def to_bytes(self) -> bytes: ...
    def save(self, path: Union[str, PathLike[str]]) -> None: ...
    @staticmethod
    def load(path: Union[str, PathLike[str]]) -> EaseModel: ...
    def __reduce__(self) -> Tuple[Any, ...]: ...
    @property
    def n_items(self) -> int: ...
    @property
    def regularization(self) -> float: ...
    @property
    def binary(self) -> bool: ...
    @property
    def nnz(self) -> int: ...
    def weight(self, source: int, target: int) -> Optional[float]: ...
    def recommend(
        self,
        user_items: Any,
        n: int,
        exclude_seen: bool,
        exclude: Optional[npt.NDArray[Any]] = None,
        candidates: Optional[npt.NDArray[Any]] = None,
    ) -> Tuple[npt.NDArray[np.int32], npt.NDArray[np.float32]]: ...
    def recommend_many(
        self,
        user_items: Any,
        n: int,
        exclude_seen: bool,
        exclude: Optional[npt.NDArray[Any]] = None,
        candidates: Optional[npt.NDArray[Any]] = None,
        num_threads: int = 0,
    ) -> Tuple[npt.NDArray[np.int32], npt.NDArray[np.float32]]: ...
    def similar_items(
        self, item: int, n: int
    ) -> Tuple[npt.NDArray[np.int32], npt.NDArray[np.float32]]: ...

@final
class AlsModel:
    """A trained implicit-feedback ALS model of the Rust core."""

    @staticmethod
    def fit(
        user_items: _Csr,
        factors: int,
        regularization: float,
        alpha: float,
        iterations: int,
        cg_steps: int,
        seed: int,
        num_threads: int,
        progress: Optional[Callable[[int, int, float, Optional[float]], Any]] = None,
        track_loss: bool = False,
    ) -> AlsModel: ...
    @staticmethod
    def from_factors(
        user_factors: npt.NDArray[np.float32],
        item_factors: npt.NDArray[np.float32],
        regularization: float,
        alpha: float,
    ) -> AlsModel: ...
    @staticmethod
    def from_bytes(data: bytes) -> AlsModel: ...
    def to_bytes(self) -> bytes: ...
    def save(self, path: Union[str, PathLike[str]]) -> None: ...
    @staticmethod
    def load(path: Union[str, PathLike[str]]) -> AlsModel: ...
    def __reduce__(self) -> Tuple[Any, ...]: ...
    @property
    def factors(self) -> int: ...
    @property
    def n_users(self) -> int: ...
    @property
    def n_items(self) -> int: ...
    @property
    def regularization(self) -> float: ...
    @property
    def alpha(self) -> float: ...
    @property
    def user_factors(self) -> npt.NDArray[np.float32]: ...
    @property
    def item_factors(self) -> npt.NDArray[np.float32]: ...
    def recommend(
        self,
        user: Optional[int],
        user_items: _Csr,
        n: int,
        exclude_seen: bool,
        exclude: Optional[_IndexArray] = None,
        candidates: Optional[_IndexArray] = None,
    ) -> Tuple[_Ids, _Scores]: ...
    def recommend_many(
        self,
        users: _IndexArray,
        user_items: _Csr,
        n: int,
        exclude_seen: bool,
        exclude: Optional[_IndexArray] = None,
        candidates: Optional[_IndexArray] = None,
        recalculate: bool = False,
        num_threads: int = 0,
    ) -> Tuple[npt.NDArray[np.int32], npt.NDArray[np.float32]]: ...
    def loss(self, user_items: _Csr, num_threads: int = 0) -> float: ...
    def recalculate_users(self, user_items: _Csr) -> npt.NDArray[np.float32]: ...
    def recalculate_items(self, item_users: _Csr) -> npt.NDArray[np.float32]: ...
    def partial_fit_users(self, users: _IndexArray, user_items: _Csr) -> None: ...
    def partial_fit_items(self, items: _IndexArray, item_users: _Csr) -> None: ...
    def similar(
        self,
        side: str,
        index: Optional[int],
        vector: Optional[npt.NDArray[np.float32]],
        n: int,
        exclude: Optional[_IndexArray] = None,
        candidates: Optional[_IndexArray] = None,
    ) -> Tuple[_Ids, _Scores]: ...
    def similar_many(
        self,
        side: str,
        indices: Optional[_IndexArray],
        vectors: Optional[npt.NDArray[np.float32]],
        n: int,
        exclude: Optional[_IndexArray] = None,
        candidates: Optional[_IndexArray] = None,
    ) -> Tuple[npt.NDArray[np.int32], npt.NDArray[np.float32]]: ...
    def explain(
        self,
        user_items: _Csr,
        item: int,
        n: int,
        weights: Optional[npt.NDArray[np.float64]] = None,
    ) -> Tuple[float, List[Tuple[int, float]], npt.NDArray[np.float64]]: ...

_Feedback = Union[float, str]
_Reason = Dict[str, Any]
_Credit = Tuple[str, Optional[str], str]
_CatalogRow = Tuple[str, Optional[str], Optional[int], List[str], List[str], List[_Credit]]
_AlsArgs = Tuple[int, float, float, int, int]
@final
class History:
    """A request history ready for the core (from ``RecommenderModel.history``)."""

@final
class Results:
    """The answer to one request; reasons and sentences are converted when read."""

    def __len__(self) -> int: ...
    @property
    def item_ids(self) -> List[str]: ...
    @property
    def scores(self) -> List[float]: ...
    @property
    def titles(self) -> List[Optional[str]]: ...
    @property
    def unknown_ids(self) -> List[str]: ...
    @property
    def unknown_genres(self) -> List[str]: ...
    @property
    def unknown_tags(self) -> List[str]: ...
    @property
    def unknown_people(self) -> List[str]: ...
    def recommendations(self, cls: type, item_cls: type) -> Any: ...
    def reasons(self, index: int) -> List[_Reason]: ...
    def explanation(self, index: int) -> str: ...

_Progress = Optional[Callable[[int, int, float, Optional[float]], Any]]
_Stages = Optional[Callable[[str, int, int], Any]]

@final
class RecommenderModel:
    """A trained hybrid recommender of the Rust core."""

    @staticmethod
    def fit(
        events: List[Tuple[str, str, _Feedback, int]],
        catalog: List[_CatalogRow],
        als: _AlsArgs,
        policy: Optional[Dict[str, Any]],
        blend: Optional[Dict[str, Any]],
        ratings: Optional[Dict[str, Any]],
        num_threads: int,
        progress: _Progress = None,
        embeddings: Optional[Tuple[List[str], npt.NDArray[np.float32], float]] = None,
        stages: _Stages = None,
        als_item_factors: Optional[Tuple[List[str], npt.NDArray[np.float32]]] = None,
    ) -> RecommenderModel: ...
    @staticmethod
    def fit_recbole(
        directory: Union[str, PathLike[str]],
        name: str,
        als: _AlsArgs,
        policy: Optional[Dict[str, Any]],
        blend: Optional[Dict[str, Any]],
        ratings: Optional[Dict[str, Any]],
        num_threads: int,
        progress: _Progress = None,
        embeddings: Optional[Tuple[List[str], npt.NDArray[np.float32], float]] = None,
        stages: _Stages = None,
        als_item_factors: Optional[Tuple[List[str], npt.NDArray[np.float32]]] = None,
    ) -> RecommenderModel: ...
    @staticmethod
    def history(
        rows: Any, favorite_genres: List[Tuple[str, float]], favorite_people: List[Tuple[str, float]]
    ) -> Optional[History]: ...
    def recommend(self, history: History, query: Dict[str, Any]) -> Results: ...
    def discover(self, history: History, query: str, n: int) -> Tuple[Results, Dict[str, Any]]: ...
    def _bench_core(self, history: History, query: Dict[str, Any], repeats: int) -> List[float]: ...
    def predict_ratings(
        self, history: List[Tuple[str, _Feedback, int]], items: List[str]
    ) -> npt.NDArray[np.float32]: ...
    @property
    def has_ratings(self) -> bool: ...
    @property
    def rating_range(self) -> Optional[Tuple[float, float]]: ...
    def evaluate(
        self,
        train: List[Tuple[str, str, _Feedback, int]],
        test: List[Tuple[str, str, _Feedback, int]],
        k: int,
        relevant_threshold: float,
        num_threads: int,
    ) -> Dict[str, Any]: ...
    @property
    def n_items(self) -> int: ...
    def contains(self, item_id: str) -> bool: ...
    @property
    def item_ids(self) -> List[str]: ...
    @property
    def genres(self) -> List[str]: ...
    @property
    def tags(self) -> List[str]: ...
    @property
    def person_ids(self) -> List[str]: ...
    @staticmethod
    def from_bytes(data: bytes) -> RecommenderModel: ...
    def to_bytes(self) -> bytes: ...
    def save(self, path: Union[str, PathLike[str]]) -> None: ...
    @staticmethod
    def load(path: Union[str, PathLike[str]]) -> RecommenderModel: ...
    @staticmethod
    def from_hub(
        repo_id: str, revision: str, filename: str, token: Optional[str] = None, local_files_only: bool = False
    ) -> RecommenderModel: ...
    def __reduce__(self) -> Tuple[Any, ...]: ...

def hub_download(
    repo_id: str, revision: str, filename: str, token: Optional[str] = None, local_files_only: bool = False
) -> Tuple[Union[str, PathLike[str]], str, bool]: ...
def artifact_info(data: bytes) -> Tuple[int, str, int, str]: ...
def als_check_settings(factors: int, regularization: float, alpha: float, cg_steps: int) -> None: ...
def als_to_bytes(settings: str, model: Optional[AlsModel] = None) -> bytes: ...
def als_save(path: Union[str, PathLike[str]], settings: str, model: Optional[AlsModel] = None) -> None: ...
def als_from_bytes(data: bytes) -> Tuple[Optional[str], Optional[AlsModel]]: ...
def als_load(path: Union[str, PathLike[str]]) -> Tuple[Optional[str], Optional[AlsModel]]: ...
def ranking_metrics_at_k(
    users: _IndexArray,
    ids: _IndexArray,
    test: _Csr,
    k: int,
) -> Dict[str, float]: ...
def split_entries(
    n: int, test_fraction: float, seed: int
) -> Tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]: ...
def leave_k_out_positions(
    indptr: _IndexArray, k: int, train_only_size: float, seed: int
) -> npt.NDArray[np.int64]: ...
