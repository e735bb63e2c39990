"""Models on the Hugging Face Hub: download through the Rust core, publish through ``huggingface_hub``.

Downloads (:meth:`recsys.Recommender.from_hub`,
:meth:`recsys.als.AlternatingLeastSquares.from_hub`, :func:`download`) run in the Rust core
(``recsys_core::artifact::hub``, on the ``hf-hub`` crate), so Python, Rust and the example
server share one implementation and one cache: the standard Hub cache that
``huggingface_hub`` uses (``HF_HUB_CACHE``, else ``HF_HOME/hub``, else
``~/.cache/huggingface/hub``). They honour ``HF_ENDPOINT``, ``HF_TOKEN`` (else the token file
``huggingface-cli login`` writes) and ``HF_HUB_OFFLINE=1``; a cached commit loads without a
request, a branch costs one small request to learn its current commit.

Publishing (:meth:`recsys.Recommender.push_to_hub`, :func:`push_to_hub`) needs the optional
dependency ``huggingface_hub`` (``pip install "recsys[hub]"``): it creates the repository when
missing and commits the artifact and a model card (``README.md``, from :func:`model_card`) in
one commit.
"""

from __future__ import annotations

import os
from typing import Any, List, Mapping, Optional, Sequence, Tuple

from . import _recsys

__all__ = ["download", "model_card", "push_to_hub", "DEFAULT_FILENAME"]

#: The file name models are published under unless told otherwise.
DEFAULT_FILENAME = "model.recsys"


def download(
    repo_id: str,
    revision: str = "main",
    filename: str = DEFAULT_FILENAME,
    *,
    token: Optional[str] = None,
    local_files_only: bool = False,
) -> str:
    """The local path of ``filename`` of the model repository ``repo_id`` at ``revision`` (a
    branch, tag or commit), downloaded into the Hub cache unless it is there already.

    ``token`` overrides ``HF_TOKEN``; ``local_files_only=True`` never uses the network (as
    ``HF_HUB_OFFLINE=1``). Raises :class:`~recsys.exceptions.StorageError` naming the
    repository, revision and file and the reason (not found, access denied, unreachable and
    not cached, an endpoint that does not answer like the Hub, an incomplete download).
    """
    path, _commit, _downloaded = _recsys.hub_download(repo_id, revision, filename, token, local_files_only)
    return os.fspath(path)


def _summary_rows(data: bytes) -> List[Tuple[str, str]]:
    version, kind, payload_len, fingerprint = _recsys.artifact_info(data)
    return [
        ("kind", f"`{kind}`"),
        ("format version", str(version)),
        ("size", f"{len(data):,} bytes (payload {payload_len:,})"),
        ("fingerprint", f"`{fingerprint}`"),
    ]


def _table(rows: Sequence[Tuple[str, str]], header: Tuple[str, str] = ("", "")) -> str:
    escape = lambda text: str(text).replace("|", "\\|").replace("\n", " ")  # noqa: E731
    lines = [f"| {header[0]} | {header[1]} |", "| --- | --- |"]
    lines += [f"| {escape(k)} | {escape(v)} |" for k, v in rows]
    return "\n".join(lines)


def _listing(values: Sequence[str], limit: int = 20) -> str:
    shown = ", ".join(values[:limit])
    more = f" and {len(values) - limit} more" if len(values) > limit else ""
    return f"{len(values):,}" + (f" ({shown}{more})" if values else "")


def model_card(
    recommender: Any,
    repo_id: str,
    *,
    filename: str = DEFAULT_FILENAME,
    metrics: Optional[Mapping[str, Any]] = None,
    dataset: Optional[str] = None,
    description: Optional[str] = None,
) -> str:
    """A model card (Markdown with the Hub's YAML metadata) for a :class:`~recsys.Recommender`.

    What the artifact says is read from it: kind, format version, size, fingerprint, the
    catalogue (items, genres, tags, people) and whether it predicts ratings. ``metrics`` are
    the caller's measurements on held-out data (e.g. the dict of
    :func:`recsys.evaluation.evaluate_recommender` on a test split; an artifact holds no
    metrics, and none are made up); ``dataset`` names the training data (a Hub dataset id
    such as ``"ml-100k"`` or free text).
    """
    data = recommender.to_bytes()
    low_high = recommender.rating_range
    catalogue = [
        ("items", f"{recommender.n_items:,}"),
        ("genres", _listing(recommender.genres)),
        ("tags", f"{len(recommender.tags):,}"),
        ("people", f"{len(recommender.people):,}"),
        ("rating model", f"yes ({low_high[0]:g}–{low_high[1]:g} stars)" if low_high else "no"),
    ]
    front = ["---", "library_name: recsys", "tags:", "- recsys", "- recommender-system", "- collaborative-filtering"]
    if dataset:
        front += ["datasets:", f"- {dataset}"]
    front.append("---")
    sections = [
        "\n".join(front),
        f"# {repo_id}",
        description
        or "A [recsys](https://example.invalid/recsys) hybrid recommender (implicit ALS, EASE, "
        "content and popularity, blended by history length) with reasons for every item. The "
        "artifact holds only the item side: no training user's data.",
        "## Artifact\n\n" + _table([("file", f"`{filename}`"), *_summary_rows(data)]),
        "## Training data\n\n"
        + (f"Dataset: {dataset}.\n\n" if dataset else "")
        + _table(catalogue),
    ]
    if metrics:
        rows = [(str(k), f"{v:.4f}" if isinstance(v, float) else str(v)) for k, v in metrics.items()]
        sections.append(
            "## Metrics\n\nMeasured by the publisher on held-out data (not on the training data):\n\n"
            + _table(rows, ("metric", "value"))
        )
    else:
        sections.append("## Metrics\n\nNo metrics were given when this model was published.")
    sections.append(
        "## Usage\n\n"
        "```python\n"
        "from recsys import Recommender\n\n"
        f'rec = Recommender.from_hub("{repo_id}", filename="{filename}")\n'
        'rec.recommend([("item-id", 5.0, 0)], n=10)\n'
        "```\n\n"
        "```rust\n"
        "use recsys_core::{artifact::hub, recommender::Recommender};\n"
        f'let rec: Recommender = hub::from_hub("{repo_id}", "main", "{filename}")?;\n'
        "```\n\n"
        f"The example server: `HF_MODEL_REPO={repo_id} HF_MODEL_FILENAME={filename} recsys-server`. "
        f"Browsers: `fetch(\"https://huggingface.co/{repo_id}/resolve/main/{filename}\")`."
    )
    return "\n\n".join(sections) + "\n"


def push_to_hub(
    recommender: Any,
    repo_id: str,
    *,
    filename: str = DEFAULT_FILENAME,
    revision: Optional[str] = None,
    token: Optional[str] = None,
    endpoint: Optional[str] = None,
    private: Optional[bool] = None,
    commit_message: Optional[str] = None,
    metrics: Optional[Mapping[str, Any]] = None,
    dataset: Optional[str] = None,
    description: Optional[str] = None,
    model_card_file: Optional[str] = "README.md",
) -> Any:
    """Publishes ``recommender`` as ``filename`` of the model repository ``repo_id`` with a
    model card (:func:`model_card`, as ``model_card_file``; ``None`` leaves the card out), in
    one commit on ``revision`` (default: the main branch), creating the repository when it does
    not exist (``private`` as asked). Returns ``huggingface_hub``'s ``CommitInfo``.

    Needs ``huggingface_hub`` (``pip install "recsys[hub]"``); endpoint and token as it reads
    them (``HF_ENDPOINT`` when it was imported, ``HF_TOKEN`` or ``huggingface-cli login``),
    or ``endpoint`` and ``token``.
    """
    try:
        from huggingface_hub import CommitOperationAdd, HfApi
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError('push_to_hub needs huggingface_hub: pip install "recsys[hub]"') from err
    api = HfApi(endpoint=endpoint, token=token)
    api.create_repo(repo_id, private=private, exist_ok=True, repo_type="model")
    operations = [CommitOperationAdd(path_in_repo=filename, path_or_fileobj=recommender.to_bytes())]
    if model_card_file:
        card = model_card(
            recommender, repo_id, filename=filename, metrics=metrics, dataset=dataset, description=description
        )
        operations.append(CommitOperationAdd(path_in_repo=model_card_file, path_or_fileobj=card.encode()))
    return api.create_commit(
        repo_id,
        operations,
        commit_message=commit_message or f"Upload {filename} (recsys)",
        revision=revision,
        repo_type="model",
    )

