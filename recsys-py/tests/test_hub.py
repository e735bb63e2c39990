"""Models on the Hugging Face Hub, against a small fake Hub on 127.0.0.1 (no internet).

The fake answers what the clients ask: downloads (``GET``/``HEAD
/{repo}/resolve/{revision}/{file}``, ranges, ``ETag``, ``X-Repo-Commit``), and the upload API
that ``huggingface_hub`` uses to publish (``/api/repos/create``,
``/api/models/{repo}/preupload/{revision}``, ``/api/models/{repo}/commit/{revision}``, files
sent inline as base64; ``/api/validate-yaml`` for the model card). Large-file (LFS / Xet) uploads are not faked: artifacts here are small.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict, Iterator, List, Optional, Tuple

import numpy as np
import pytest

from recsys import Recommender
from recsys.als import AlternatingLeastSquares
from recsys.evaluation import evaluate_recommender
from recsys.exceptions import CorruptModelError, StorageError

REPO = "acme/tiny-movies"


class FakeHub:
    """Repositories as dicts: refs (repo, branch) → commit, files (repo, commit, path) → bytes."""

    def __init__(self) -> None:
        self.refs: Dict[Tuple[str, str], str] = {}
        self.files: Dict[Tuple[str, str, str], bytes] = {}
        self.private: Dict[str, str] = {}
        self.requests: List[Tuple[str, str, Optional[str]]] = []
        self.created: List[dict] = []
        self.validated: List[str] = []
        self.lock = threading.Lock()
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_HEAD(self) -> None:
                hub._download(self, head=True)

            def do_GET(self) -> None:
                hub._download(self, head=False)

            def do_POST(self) -> None:
                hub._api(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def commit(self, repo: str, files: Dict[str, bytes], branch: str = "main") -> str:
        """Commits ``files`` on top of the branch's current files; returns the commit."""
        with self.lock:
            parent = self.refs.get((repo, branch))
            current = {path: data for (r, c, path), data in self.files.items() if r == repo and c == parent}
            current.update(files)
            digest = hashlib.sha1(repr((parent, sorted(current.items()))).encode()).hexdigest()
            for path, data in current.items():
                self.files[(repo, digest, path)] = data
            self.refs[(repo, branch)] = digest
            return digest

    def body_requests(self) -> int:
        return sum(1 for method, _, rng in self.requests if method == "GET" and rng != "bytes=0-0")

    def _send(self, handler: BaseHTTPRequestHandler, status: int, headers: Dict[str, str], body: bytes, head: bool = False) -> None:
        handler.send_response(status)
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", headers.get("Content-Length", str(len(body))))
        handler.end_headers()
        if not head:
            handler.wfile.write(body)

    def _download(self, handler: BaseHTTPRequestHandler, head: bool) -> None:
        path = urllib.parse.unquote(handler.path.split("?")[0]).lstrip("/")
        rng = handler.headers.get("Range")
        self.requests.append((handler.command, path, rng))
        repo, _, rest = path.partition("/resolve/")
        revision, _, name = rest.partition("/")
        token = self.private.get(repo)
        if token and handler.headers.get("Authorization") != f"Bearer {token}":
            return self._send(handler, 401, {"X-Error-Code": "RepoNotFound"}, b"")
        commit = self.refs.get((repo, revision), revision)
        data = self.files.get((repo, commit, name))
        if data is None:
            return self._send(handler, 404, {"X-Error-Code": "EntryNotFound"}, b"", head)
        etag = hashlib.sha256(data).hexdigest()
        headers = {"ETag": f'"{etag}"', "X-Repo-Commit": commit, "Accept-Ranges": "bytes"}
        if rng and rng.startswith("bytes="):
            start_text, _, end_text = rng[len("bytes=") :].partition("-")
            start = int(start_text)
            end = min(int(end_text), len(data) - 1) if end_text else len(data) - 1
            headers["Content-Range"] = f"bytes {start}-{end}/{len(data)}"
            return self._send(handler, 206, headers, data[start : end + 1], head)
        if head:
            headers["Content-Length"] = str(len(data))
        return self._send(handler, 200, headers, data, head)

    def _api(self, handler: BaseHTTPRequestHandler) -> None:
        path = urllib.parse.unquote(handler.path.split("?")[0])
        body = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
        self.requests.append(("POST", path, None))
        reply = lambda status, value: self._send(handler, status, {"Content-Type": "application/json"}, json.dumps(value).encode())  # noqa: E731
        if not (handler.headers.get("Authorization") or "").startswith("Bearer "):
            return reply(401, {"error": "Invalid credentials in Authorization header"})
        if path == "/api/repos/create":
            payload = json.loads(body)
            self.created.append(payload)
            repo = f"{payload['organization']}/{payload['name']}" if payload.get("organization") else payload["name"]
            return reply(200, {"url": f"{self.url}/{repo}", "name": repo})
        if path == "/api/validate-yaml":
            # The model card's metadata must be a YAML mapping, as the Hub requires.
            import yaml

            content = json.loads(body)["content"]
            front = content.split("---")[1] if content.startswith("---") else ""
            if not isinstance(yaml.safe_load(front), dict):
                return reply(400, {"errors": [{"message": "no YAML metadata"}]})
            self.validated.append(content)
            return reply(200, {"warnings": []})
        prefix = "/api/models/"
        if path.startswith(prefix) and "/preupload/" in path:
            files = json.loads(body)["files"]
            return reply(200, {"files": [{"path": f["path"], "uploadMode": "regular", "shouldIgnore": False} for f in files]})
        if path.startswith(prefix) and "/commit/" in path:
            repo, _, revision = path[len(prefix) :].partition("/commit/")
            added: Dict[str, bytes] = {}
            for line in body.decode().splitlines():
                item = json.loads(line)
                if item["key"] == "file":
                    added[item["value"]["path"]] = base64.b64decode(item["value"]["content"])
            commit = self.commit(repo, added, branch=revision)
            return reply(200, {"commitUrl": f"{self.url}/{repo}/commit/{commit}", "commitOid": commit, "pullRequestUrl": None})
        return reply(404, {"error": f"no route {path}"})


@pytest.fixture
def fake_hub(tmp_path, monkeypatch) -> Iterator[FakeHub]:
    """The fake Hub, with the HF_* variables pointing the Rust core at it and at an empty cache."""
    hub = FakeHub()
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub-cache"))
    for name in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_TOKEN_PATH", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        monkeypatch.delenv(name, raising=False)
    yield hub
    hub.server.shutdown()


EVENTS = [(f"u{u}", f"m{(u + k) % 6}", 5.0 if k < 2 else 1.0, k) for u in range(8) for k in range(3)]
CATALOG = [{"item_id": f"m{i}", "title": f"Movie {i}", "year": 1990 + i, "genres": ["Drama" if i % 2 else "Comedy"]} for i in range(6)]


@pytest.fixture(scope="module")
def tiny() -> Recommender:
    return Recommender.fit(EVENTS, CATALOG, factors=4, iterations=3, seed=1)


def same_answers(a: Recommender, b: Recommender) -> bool:
    history = [("m1", 5.0, 1)]
    return a.recommend(history, n=4).item_ids == b.recommend(history, n=4).item_ids


def test_from_hub_downloads_once_then_uses_the_cache(fake_hub, tiny, monkeypatch):
    first = fake_hub.commit(REPO, {"model.recsys": tiny.to_bytes()})
    loaded = Recommender.from_hub(REPO)
    assert same_answers(loaded, tiny) and loaded.to_bytes() == tiny.to_bytes()
    assert fake_hub.body_requests() == 1
    # Again: one small request to resolve `main`, no second download.
    before = len(fake_hub.requests)
    Recommender.from_hub(REPO, revision="main")
    assert fake_hub.body_requests() == 1 and len(fake_hub.requests) == before + 1
    # A cached commit, or offline mode, asks nothing.
    Recommender.from_hub(REPO, revision=first)
    Recommender.from_hub(REPO, local_files_only=True)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    Recommender.from_hub(REPO)
    assert len(fake_hub.requests) == before + 1
    with pytest.raises(StorageError, match="HF_HUB_OFFLINE"):
        Recommender.from_hub(REPO, filename="other.recsys")


def test_a_new_commit_is_picked_up(fake_hub, tiny):
    fake_hub.commit(REPO, {"model.recsys": tiny.to_bytes()})
    Recommender.from_hub(REPO)
    other = Recommender.fit(EVENTS[::2], CATALOG, factors=4, iterations=3, seed=2)
    assert other.to_bytes() != tiny.to_bytes()
    fake_hub.commit(REPO, {"model.recsys": other.to_bytes()})
    assert Recommender.from_hub(REPO).to_bytes() == other.to_bytes()


def test_errors_name_the_cause(fake_hub, tiny):
    fake_hub.commit(REPO, {"model.recsys": tiny.to_bytes()})
    with pytest.raises(StorageError, match="404") as missing:
        Recommender.from_hub(REPO, filename="nope.recsys")
    assert REPO in str(missing.value) and "nope.recsys" in str(missing.value)
    fake_hub.private["acme/private"] = "hf_secret"
    fake_hub.commit("acme/private", {"model.recsys": tiny.to_bytes()})
    with pytest.raises(StorageError, match="HF_TOKEN"):
        Recommender.from_hub("acme/private")
    assert same_answers(Recommender.from_hub("acme/private", token="hf_secret"), tiny)
    damaged = bytearray(tiny.to_bytes())
    damaged[-1] ^= 0x10
    fake_hub.commit("acme/damaged", {"model.recsys": bytes(damaged)})
    with pytest.raises(CorruptModelError, match="acme/damaged"):
        Recommender.from_hub("acme/damaged")
    with pytest.raises(ValueError, match="filename"):
        Recommender.from_hub(REPO, filename="../../etc/passwd")


def test_als_from_hub(fake_hub, fitted):
    fake_hub.commit(REPO, {"als/model.recsys": fitted.to_bytes()})
    loaded = AlternatingLeastSquares.from_hub(REPO, filename="als/model.recsys")
    np.testing.assert_array_equal(loaded.item_factors, fitted.item_factors)
    assert loaded.factors == fitted.factors


def test_the_cache_is_shared_with_huggingface_hub(fake_hub, tiny, tmp_path):
    hf = pytest.importorskip("huggingface_hub")
    commit = fake_hub.commit(REPO, {"model.recsys": tiny.to_bytes()})
    cache = os.environ["HF_HUB_CACHE"]
    # Downloaded by huggingface_hub, read by the Rust core without the network.
    path = hf.hf_hub_download(REPO, "model.recsys", cache_dir=cache, endpoint=fake_hub.url)
    assert commit in path
    assert same_answers(Recommender.from_hub(REPO, local_files_only=True), tiny)
    assert same_answers(Recommender.from_hub(REPO, revision=commit, local_files_only=True), tiny)
    # Downloaded by the Rust core, found by huggingface_hub offline.
    fake_hub.commit("acme/second", {"model.recsys": tiny.to_bytes()})
    Recommender.from_hub("acme/second")
    found = hf.hf_hub_download("acme/second", "model.recsys", cache_dir=cache, local_files_only=True)
    with open(found, "rb") as handle:
        assert handle.read() == tiny.to_bytes()


def test_push_to_hub_commits_the_artifact_and_a_model_card(fake_hub):
    pytest.importorskip("huggingface_hub")
    # Metrics on held-out events, never on the training data.
    train, test = EVENTS[:16], EVENTS[16:]
    tiny = Recommender.fit(train, CATALOG, factors=4, iterations=3, seed=1)
    metrics = evaluate_recommender(tiny, train, test, k=3)
    info = tiny.push_to_hub(
        "acme/pushed", token="hf_test", endpoint=fake_hub.url, metrics=metrics, dataset="tiny-generated", private=True
    )
    assert fake_hub.created and fake_hub.created[0]["name"] == "pushed"
    assert len(fake_hub.validated) == 1
    commit = fake_hub.refs[("acme/pushed", "main")]
    assert info.oid == commit
    assert fake_hub.files[("acme/pushed", commit, "model.recsys")] == tiny.to_bytes()
    card = fake_hub.files[("acme/pushed", commit, "README.md")].decode()
    assert "library_name: recsys" in card and "- tiny-generated" in card
    assert "| format version | 4 |" in card and f"| items | {tiny.n_items} |" in card
    assert f"| ndcg | {metrics['ndcg']:.4f} |" in card
    # What was published downloads back through the Rust core.
    assert Recommender.from_hub("acme/pushed").to_bytes() == tiny.to_bytes()


def test_model_card_without_metrics_says_so(tiny):
    card = tiny.model_card("acme/x")
    assert "No metrics were given" in card and "recommender" in card
