#!/usr/bin/env python3
"""Loopback load benchmark: recsys-server-example against the stack it replaces.

Starts, on 127.0.0.1 ports of its own and temporary data folders:

- recsys-server (axum + sqlx, SQLite by default; ``--database-url`` / ``DATABASE_URL`` is
  handed to the server for PostgreSQL), which imports MovieLens-100K and trains on first start;
- the reference, ``benches/django_reference``: Django + Django REST framework + implicit ALS
  under gunicorn with 2 sync workers, on the same MovieLens-100K import and SQLite in the same
  mode (WAL, synchronous=NORMAL).

Then, for each, ``--users`` accounts (default 1,000) sign up through ``POST /api/auth/signup``
(argon2 on both sides, same cost) and get a real MovieLens-100K history (account k gets user
``k mod 943``'s ratings) through ``POST /api/me/ratings/import``, the path the app uses for a
visitor's browser ratings. None of that is timed. The timed part is wrk (Debian's ``wrk``,
``scripts/load_bench/load.lua``) at ``--connections`` (32) for ``--seconds`` per phase:

1. ``GET /api/recommendations?n=12``, each request as the next of the signed-in users (their
   history is read from the database and folded in per request);
2. ``POST /api/rate`` with a random movie and rating, committed before the answer;
3. recsys only: phase 1 again while ``POST /api/admin/retrain`` (staff account) retrains on one
   thread and swaps the model in, as often as fits in the phase.

It prints req/s, p50/p99/p99.9 latency and every error wrk counts (socket errors and non-2xx
answers), the ratios recsys / reference, and writes everything to
``target/load-bench/results.json``. Everything stops by itself; servers are stopped at the end.

Usage::

    python3 scripts/load_bench.py                 # full run (~12 min on 2 cores after building)
    python3 scripts/load_bench.py --smoke         # 40 users, 3 s phases, 90 s retrain phase: checks that it runs
    python3 scripts/load_bench.py --only recsys   # skip the reference

Needs: cargo, ``wrk`` (installed with apt-get when missing and run as root), Python ≥ 3.9. The
reference's packages (Django, DRF, implicit, gunicorn, argon2-cffi) go into a venv of its own,
``target/load-bench/venv``, created on first use.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LUA = ROOT / "scripts" / "load_bench" / "load.lua"
REFERENCE = ROOT / "benches" / "django_reference"
OUT = ROOT / "target" / "load-bench"
REFERENCE_PACKAGES = ["django>=5.2,<6", "djangorestframework>=3.15", "implicit>=0.7", "gunicorn>=22", "argon2-cffi>=23"]
ML_USERS = 943
IMPORT_CHUNK = 500
PASSWORD = "load-bench-password"


def log(message: str) -> None:
    print(f"[load_bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(base: str, method: str, path: str, body=None, auth: str | None = None, timeout: float = 120):
    """One JSON request; returns (status, parsed body)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if auth:
        request.add_header("Authorization", auth)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, json.loads(answer.read() or b"null")
    except urllib.error.HTTPError as err:
        text = err.read()
        try:
            return err.code, json.loads(text)
        except ValueError:
            return err.code, text.decode(errors="replace")


def wait_healthy(base: str, process: subprocess.Popen, seconds: float, path: str = "/api/health") -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server at {base} exited with {process.returncode} while starting")
        try:
            if call(base, "GET", path, timeout=2)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"the server at {base} did not answer {path} within {seconds:.0f} s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM if process.args[0].endswith("gunicorn") else signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def movielens_histories(data_dir: Path) -> list[list[dict]]:
    """Each MovieLens-100K user's ratings (latest per movie), users in id order."""
    latest: dict[tuple[int, str], tuple[float, int]] = {}
    with open(data_dir / "ml-100k.inter", encoding="utf-8") as f:
        next(f)
        for line in f:
            user, item, rating, at = line.split("\t")
            key = (int(user), item)
            if key not in latest or int(float(at)) >= latest[key][1]:
                latest[key] = (float(rating), int(float(at)))
    by_user: dict[int, list[dict]] = {}
    for (user, item), (rating, at) in sorted(latest.items()):
        by_user.setdefault(user, []).append({"movie_id": item, "rating": rating, "at": at})
    return [by_user[u] for u in sorted(by_user)]


def create_users(base: str, scheme: str, histories: list[list[dict]], n: int, workers: int = 4) -> list[str]:
    """Signs up `n` accounts (`workers` at a time: argon2 is the cost) and imports a MovieLens
    history into each (one import at a time: each is one write transaction); returns their
    Authorization header values (`scheme token`)."""

    def signup(k: int) -> str:
        status, answer = call(base, "POST", "/api/auth/signup", {"username": f"load{k:05d}", "password": PASSWORD})
        if status != 201:
            raise SystemExit(f"signup of load{k:05d} at {base}: {status} {answer}")
        return f"{scheme} {answer['token']}"

    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        auths = list(pool.map(signup, range(n)))
    for k, auth in enumerate(auths):
        history = histories[k % len(histories)]
        for start in range(0, len(history), IMPORT_CHUNK):
            status, answer = call(
                base, "POST", "/api/me/ratings/import", {"ratings": history[start : start + IMPORT_CHUNK]}, auth
            )
            if status != 200:
                raise SystemExit(f"ratings import for load{k:05d} at {base}: {status} {answer}")
    return auths


def wrk(base: str, tokens: Path, mode: str, seconds: float, connections: int, threads: int, tag: str) -> dict:
    result = OUT / f"wrk-{tag}.json"
    result.unlink(missing_ok=True)
    env = dict(os.environ, LOAD_TOKENS=str(tokens), LOAD_MODE=mode, LOAD_RESULT=str(result))
    command = [
        "wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "10s",
        "-s", str(LUA), base + ("/api/rate" if mode == "rate" else "/api/recommendations"),
    ]
    log(f"{tag}: {' '.join(command[:6])} … {mode}")
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, timeout=seconds + 60)
    summary = json.loads(result.read_text())
    summary["seconds"] = summary["duration_us"] / 1e6
    summary["rps"] = summary["requests"] / summary["seconds"]
    summary["failed"] = sum(summary["errors"].values())
    summary["ms"] = {k: v / 1000 for k, v in summary["latency_us"].items()}
    # Other work on the machine skews any figure: the 1-minute load average at the end.
    summary["load_average"] = round(os.getloadavg()[0], 2)
    return summary


def check_answers(base: str, auths: list[str]) -> None:
    """A few users' recommendations are non-empty lists of movies they have not rated."""
    for auth in auths[:3]:
        status, answer = call(base, "GET", "/api/recommendations?n=12", auth=auth)
        if status != 200 or not answer.get("items"):
            raise SystemExit(f"recommendations at {base}: {status} {str(answer)[:200]}")


def ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        log("installing wrk (apt-get)")
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
        return
    raise SystemExit("wrk not found: install it (Debian/Ubuntu: apt-get install wrk)")


def reference_python(database_url: str | None) -> Path:
    venv = OUT / "venv"
    python = venv / "bin" / "python"
    packages = REFERENCE_PACKAGES + (["psycopg[binary]>=3.1"] if database_url else [])
    marker = venv / ".installed"
    if not marker.exists() or marker.read_text() != "\n".join(packages):
        log(f"installing the reference's packages into {venv}")
        if not python.exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *packages], check=True)
        marker.write_text("\n".join(packages))
    return python


class Recsys:
    name = "recsys"
    scheme = "Bearer"

    def __init__(self, args, data_dir: Path):
        self.args, self.data_dir = args, data_dir
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"

    def start(self) -> subprocess.Popen:
        binary = ROOT / "target" / "release" / "recsys-server"
        env = dict(
            os.environ,
            RECSYS_ADDR=f"127.0.0.1:{self.port}",
            RECSYS_DATA_DIR=str(self.data_dir),
            RECSYS_MOVIELENS_DIR=str(self.args.movielens),
            RECSYS_DEMO_ACCOUNT="1",
            # Retrains only when this script asks (phase 3), not on a timer mid-phase.
            RECSYS_RETRAIN_EVENTS="0",
            RECSYS_RETRAIN_SECONDS="0",
            RUST_LOG="warn",
        )
        if self.args.database_url:
            env["DATABASE_URL"] = self.args.database_url
        self.log = open(OUT / "recsys-server.log", "w")
        self.process = subprocess.Popen([str(binary)], env=env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)
        wait_healthy(self.base, self.process, 300)
        return self.process


class Reference:
    name = "reference"
    scheme = "Token"

    def __init__(self, args, data_dir: Path, python: Path):
        self.args, self.data_dir, self.python = args, data_dir, python
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = dict(
            os.environ,
            REFERENCE_DATA_DIR=str(data_dir),
            DJANGO_SETTINGS_MODULE="reference.settings",
            # implicit's advice: one BLAS thread per process (gunicorn runs 2 processes).
            OPENBLAS_NUM_THREADS="1",
            MKL_NUM_THREADS="1",
        )
        if args.reference_database_url:
            self.env["REFERENCE_DATABASE_URL"] = args.reference_database_url

    def start(self) -> subprocess.Popen:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        manage = [str(self.python), "manage.py"]
        for command in (["migrate", "-v0"], ["load_movielens", "--dir", str(self.args.movielens)], ["train_als"]):
            subprocess.run(manage + command, cwd=REFERENCE, env=self.env, check=True, stdout=subprocess.DEVNULL)
        gunicorn = str(self.python.parent / "gunicorn")
        self.process = subprocess.Popen(
            [gunicorn, "-w", "2", "-b", f"127.0.0.1:{self.port}", "--log-level", "warning", "reference.wsgi"],
            cwd=REFERENCE,
            env=self.env,
        )
        wait_healthy(self.base, self.process, 120)
        return self.process


def retrain_loop(app: Recsys, staff: str, stop_at: float, report: dict) -> None:
    """Retrains while a retrain can still finish inside the phase: `POST /api/admin/retrain`
    waits for the fit and the swap; when the server's request timeout (30 s) answers 408
    first, the training goes on and `GET /api/admin/model` is polled until it is done.
    Records durations and fingerprints."""
    status_of = lambda: call(app.base, "GET", "/api/admin/model", auth=staff)[1]  # noqa: E731
    report.update(retrains=[], fingerprints=[status_of()["fingerprint"]])
    time.sleep(1.0)
    while True:
        started = time.monotonic()
        expected = report["retrains"][-1] if report["retrains"] else 0.0
        if started + expected > stop_at:
            return
        status, answer = call(app.base, "POST", "/api/admin/retrain", auth=staff, timeout=600)
        if status == 408:
            while status_of()["training"]:
                time.sleep(0.5)
            fingerprint = status_of()["fingerprint"]
        elif status == 200:
            fingerprint = answer["model"]["fingerprint"]
        else:
            report["error"] = f"{status} {answer}"
            return
        report["retrains"].append(round(time.monotonic() - started, 2))
        report["fingerprints"].append(fingerprint)
        report.setdefault("finished_at", []).append(time.monotonic())


def run_stack(app, histories, args, results: dict) -> None:
    log(f"{app.name}: starting on {app.base}")
    started = time.monotonic()
    process = app.start()
    try:
        log(f"{app.name}: up after {time.monotonic() - started:.0f} s; signing up {args.users} users")
        started = time.monotonic()
        auths = create_users(app.base, app.scheme, histories, args.users)
        log(f"{app.name}: {len(auths)} users with histories in {time.monotonic() - started:.0f} s")
        check_answers(app.base, auths)
        tokens = OUT / f"tokens-{app.name}.txt"
        tokens.write_text("\n".join(auths) + "\n")
        tokens.chmod(0o600)
        wrk_args = dict(connections=args.connections, threads=args.threads)
        stack = results.setdefault(app.name, {})
        stack["recommend"] = wrk(app.base, tokens, "recommend", args.seconds, tag=f"{app.name}-recommend", **wrk_args)
        stack["rate"] = wrk(app.base, tokens, "rate", args.seconds, tag=f"{app.name}-rate", **wrk_args)
        if isinstance(app, Recsys) and not args.no_retrain:
            staff = "Bearer " + call(app.base, "POST", "/api/auth/login", {"username": "demo", "password": "demo-password"})[1]["token"]
            seconds = args.retrain_seconds
            report: dict = {}
            retrainer = threading.Thread(
                target=retrain_loop, args=(app, staff, time.monotonic() + seconds - 1, report), daemon=True
            )
            retrainer.start()
            stack["recommend_during_retrain"] = wrk(
                app.base, tokens, "recommend", seconds, tag=f"{app.name}-retrain", **wrk_args
            )
            window_end = time.monotonic()
            retrainer.join(timeout=600)
            swapped = [t for t in report.pop("finished_at", []) if t <= window_end]
            report["swaps_inside_window"] = len(swapped)
            if not swapped and "error" not in report:
                report["error"] = "no retrain finished inside the phase: give a longer --retrain-seconds"
            stack["recommend_during_retrain"]["retrain"] = report
            check_answers(app.base, auths)
    finally:
        stop(process)


def row(name: str, s: dict) -> str:
    ms = s["ms"]
    return (
        f"{name:<34} {s['rps']:>9.0f} {ms['p50']:>8.2f} {ms['p99']:>8.2f} {ms['p999']:>8.2f}"
        f" {s['requests']:>8} {s['failed']:>7} {s['load_average']:>6.1f}"
    )


def report(results: dict, args) -> None:
    print()
    print(f"{'phase (' + str(args.connections) + ' connections)':<34} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'p99.9 ms':>8} {'requests':>8} {'failed':>7} {'load':>6}")
    for stack, phases in results.items():
        if not isinstance(phases, dict) or stack == "settings":
            continue
        for phase, s in phases.items():
            print(row(f"{stack} {phase}", s))
            if s["failed"]:
                print(f"{'':<34} errors: {s['errors']}")
    retrain = results.get("recsys", {}).get("recommend_during_retrain", {}).get("retrain")
    if retrain:
        fps = retrain.get("fingerprints", [])
        print(f"retrains during that phase: {len(retrain.get('retrains', []))} ({', '.join(f'{t:.1f} s' for t in retrain.get('retrains', []))}); "
              f"{retrain.get('swaps_inside_window', 0)} swapped in inside the phase; "
              f"model {fps[0][:12] if fps else '?'} -> {fps[-1][:12] if fps else '?'}" + (f"; ERROR {retrain['error']}" if "error" in retrain else ""))
    if "recsys" in results and "reference" in results:
        ratios = {}
        for phase in ("recommend", "rate"):
            ratios[phase] = results["recsys"][phase]["rps"] / max(results["reference"][phase]["rps"], 1e-9)
        results["ratios"] = ratios
        print(f"recsys / reference req/s: recommendations {ratios['recommend']:.1f}x, rating writes {ratios['rate']:.1f}x")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=30, help="length of each timed phase")
    parser.add_argument("--retrain-seconds", type=float, default=120,
                        help="length of the retrain phase (long enough for a retrain and its swap)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--only", choices=["recsys", "reference"])
    parser.add_argument("--no-retrain", action="store_true")
    parser.add_argument("--smoke", action="store_true", help="40 users, 3 s phases, 90 s retrain phase (a check that it runs)")
    parser.add_argument("--movielens", type=Path, default=ROOT / "data" / "ml-100k")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"),
                        help="recsys-server's database (default: SQLite in a temporary folder)")
    parser.add_argument("--reference-database-url", default=os.environ.get("REFERENCE_DATABASE_URL"),
                        help="the reference's database (postgres://…; default: SQLite)")
    parser.add_argument("--no-build", action="store_true", help="use target/release/recsys-server as it is")
    args = parser.parse_args()
    if args.smoke:
        args.users, args.seconds, args.retrain_seconds = 40, 3, 90
    if args.database_url and not args.reference_database_url and args.only != "recsys":
        log("note: recsys on --database-url, the reference on SQLite (give --reference-database-url for the same kind)")
    ensure_wrk()
    OUT.mkdir(parents=True, exist_ok=True)
    if not (args.movielens / "ml-100k.inter").is_file():
        subprocess.run(["bash", str(ROOT / "scripts" / "fetch-movielens.sh")], check=True, cwd=ROOT)
    if args.only != "reference" and not args.no_build:
        log("building recsys-server (release)")
        subprocess.run(["cargo", "build", "--release", "--locked", "-p", "recsys-server-example", "--bin", "recsys-server"], check=True, cwd=ROOT)
    python = reference_python(args.reference_database_url) if args.only != "recsys" else None
    histories = movielens_histories(args.movielens)
    results: dict = {
        "settings": {
            "users": args.users, "connections": args.connections, "wrk_threads": args.threads,
            "seconds": args.seconds, "cores": os.cpu_count(),
            "database": "postgresql" if args.database_url else "sqlite",
            "reference_database": "postgresql" if args.reference_database_url else "sqlite",
        }
    }
    with tempfile.TemporaryDirectory(prefix="load-bench-") as tmp:
        if args.only != "reference":
            run_stack(Recsys(args, Path(tmp) / "recsys"), histories, args, results)
        if args.only != "recsys":
            run_stack(Reference(args, Path(tmp) / "reference", python), histories, args, results)
    report(results, args)
    (OUT / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    log(f"results in {OUT / 'results.json'}")
    failed = sum(s["failed"] for k, p in results.items() if k in ("recsys", "reference") for s in p.values())
    retrain = results.get("recsys", {}).get("recommend_during_retrain", {}).get("retrain", {})
    if failed or "error" in retrain:
        log(f"FAILED: {failed} failed requests" + (f", retrain error {retrain['error']}" if "error" in retrain else ""))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
