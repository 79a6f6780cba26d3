"""Load test of the web app on loopback: 50 concurrent clients for 60 s against `cvrule serve` on the
demo fleet, reporting requests per second, latency percentiles and errors into RESULTS.md.

    .venv/bin/python benchmarks/web/run.py                       # assesses the demo fleet first (minutes)
    .venv/bin/python benchmarks/web/run.py --workspace WS        # a workspace with a run already
    .venv/bin/python benchmarks/web/run.py --clients 50 --seconds 60

The server runs in its own process (`cvrule serve`, one uvicorn worker) on 127.0.0.1 and a free
port; the clients are asyncio tasks of this process (httpx, keep-alive), each looping over a mix
of pages (signed in with a session cookie) and API calls (with an API token). Every request is
bounded: the run stops after --seconds and each request times out after 30 s. Nothing leaves the
machine. An error is any answer other than 200, or a request that failed or timed out.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote

import httpx

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
DEMO = REPO / "examples" / "demo-fleet"
PASSWORD = "benchmark password " + secrets.token_hex(4)


def prepare(workspace: Path | None) -> Path:
    """A workspace with the demo fleet assessed (made in a temporary folder when not given)."""
    from cvrule.web.runs import RunIndex, run_assessment
    from cvrule.workspace import Workspace

    if workspace is not None:
        space = Workspace(workspace)
        if RunIndex(space).get("latest") is None:
            sys.exit(f"{workspace}: no assessment run in this workspace")
        return space.root
    root = Path(tempfile.mkdtemp(prefix="cvrule-web-bench-")) / "ws"
    space = Workspace(root).create()
    shutil.copytree(DEMO, root / "inputs", ignore=shutil.ignore_patterns("tools", "*.md"))
    print("assessing the demo fleet (once)...", flush=True)
    started = time.perf_counter()
    run_assessment(space)
    print(f"  assessed in {time.perf_counter() - started:.0f} s", flush=True)
    return root


def add_user(root: Path) -> str:
    from cvrule.accounts import add_user as add, create_token
    from cvrule.store import Store
    from cvrule.store.users import UserTables

    name = "bench-" + secrets.token_hex(3)
    with Store(root / "cvrule.duckdb") as store:
        add(store, name, "viewer", PASSWORD, actor="benchmark")
        token = create_token(store, name, "benchmark", actor="benchmark")[1]
        assert UserTables(store).user(name)
    return name, token


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def targets(root: Path) -> list[tuple[str, str, str]]:
    """(label, kind, path) of the requests the clients make: kind page (cookie) or api (token)."""
    from cvrule.web.runs import RunIndex
    from cvrule.workspace import Workspace

    index = RunIndex(Workspace(root))
    run = index.get("latest")
    assessment = index.assessment(run)
    prohibited = next(v for v in assessment.decisions if v.decision.outcome.value == "prohibited")
    linked = next(p for p in assessment.parties if p.linkage == "linked" and p.why)
    line = next(v for v in assessment.decisions if v.line)
    return [
        ("page: verdict matrix", "page", "/"),
        ("page: line and model year", "page", f"/runs/latest/lines/{quote(line.line)}/{line.model_year}"),
        ("page: decision", "page", f"/runs/latest/decisions/{quote(prohibited.decision.transaction)}"),
        ("page: party with graph", "page", f"/runs/latest/parties/{quote(linked.ref)}"),
        ("page: deadlines", "page", "/runs/latest/deadlines"),
        ("api: run", "api", "/api/runs/latest"),
        ("api: prohibited decisions", "api", "/api/runs/latest/decisions?outcome=prohibited"),
        ("api: one decision", "api", f"/api/runs/latest/decisions/{quote(prohibited.decision.transaction)}"),
        ("api: explanation", "api", f"/api/runs/latest/explanations/{quote(prohibited.decision.transaction)}"),
    ]


async def sign_in(base: str, name: str) -> httpx.Cookies:
    async with httpx.AsyncClient(base_url=base) as client:
        page = await client.get("/login")
        token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text).group(1)
        answer = await client.post("/login", data={"name": name, "password": PASSWORD, "csrf_token": token, "next": "/"})
        if answer.status_code != 303:
            raise SystemExit(f"sign-in failed: {answer.status_code}")
        return client.cookies


async def load(base: str, cookies: httpx.Cookies, token: str, plan: list[tuple[str, str, str]], clients: int,
               seconds: float) -> tuple[dict[str, list[float]], dict[str, int], float]:
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    stop = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def worker(number: int) -> None:
        async with httpx.AsyncClient(base_url=base, timeout=30.0, limits=limits, cookies=cookies) as client:
            step = number
            while time.monotonic() < stop:
                label, kind, path = plan[step % len(plan)]
                step += 1
                headers = {"Authorization": f"Bearer {token}"} if kind == "api" else {}
                started = time.perf_counter()
                try:
                    answer = await client.get(path, headers=headers)
                    await answer.aread()
                    ok = answer.status_code == 200
                except httpx.HTTPError:
                    ok = False
                elapsed = time.perf_counter() - started
                latencies[label].append(elapsed)
                if not ok:
                    errors[label] += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker(i) for i in range(clients)))
    return latencies, errors, time.perf_counter() - started


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def machine() -> str:
    cpu = "unknown CPU"
    try:
        found = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
        cpu = found.group(1).strip() if found else cpu
    except OSError:
        pass
    memory = ""
    try:
        kib = int(re.search(r"MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text()).group(1))
        memory = f", {kib / 1024 / 1024:.0f} GiB"
    except (OSError, AttributeError):
        pass
    import fastapi
    import uvicorn

    return (f"{os.cpu_count()} cores ({cpu}){memory}; {platform.system()} {platform.release()}; Python "
            f"{platform.python_version()}, FastAPI {fastapi.__version__}, uvicorn {uvicorn.__version__} (one worker); "
            "load generator and server on the same machine")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", type=Path, help="A workspace with an assessment run (default: assess the demo fleet)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--out", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args()
    if not 1 <= args.clients <= 500 or not 1 <= args.seconds <= 600:
        sys.exit("--clients 1..500 and --seconds 1..600")

    root = prepare(args.workspace)
    name, token = add_user(root)
    port = free_port()
    env = {**os.environ, "CVRULE_SECRET": secrets.token_urlsafe(48)}
    server = subprocess.Popen([sys.executable, "-c", "from cvrule.cli import app; app()", "serve", "--workspace", str(root),
                               "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(base + "/healthz", timeout=1)
                break
            except httpx.TransportError:
                if server.poll() is not None or time.monotonic() > deadline:
                    sys.exit("cvrule serve did not start: " + (server.stderr.read().decode() if server.stderr else ""))
                time.sleep(0.2)
        plan = targets(root)
        cookies = asyncio.run(sign_in(base, name))
        # a short warm-up, so that the first parse of the assessment is not counted
        asyncio.run(load(base, cookies, token, plan, 2, 2))
        print(f"{args.clients} clients for {args.seconds:.0f} s on {base} ...", flush=True)
        latencies, errors, wall = asyncio.run(load(base, cookies, token, plan, args.clients, args.seconds))
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()

    every = [x for values in latencies.values() for x in values]
    total_errors = sum(errors.values())
    lines = [
        "# Web app load test",
        "",
        f"`benchmarks/web/run.py`: {args.clients} concurrent clients for {args.seconds:.0f} s on loopback against "
        "`cvrule serve` (one uvicorn worker) on the demo fleet's assessment (Cascadia Motors, `examples/demo-fleet`). "
        "Each client loops over the pages (signed in) and API calls below, one request at a time, keep-alive.",
        "",
        f"- run: {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M')} UTC",
        f"- machine: {machine()}",
        f"- requests: {len(every):,} in {wall:.1f} s: **{len(every) / wall:,.0f} requests/s**",
        f"- latency: **p50 {percentile(every, .5) * 1000:.0f} ms, p95 {percentile(every, .95) * 1000:.0f} ms, "
        f"p99 {percentile(every, .99) * 1000:.0f} ms** (mean {statistics.fmean(every) * 1000:.0f} ms, "
        f"max {max(every) * 1000:.0f} ms)",
        f"- errors: **{total_errors}** (any answer but 200, a failed or timed-out request)",
        "",
        "| request | count | p50 ms | p95 ms | p99 ms | errors |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for label, _, path in plan:
        values = latencies.get(label, [])
        lines.append(f"| {label} (`{path.split('?')[0][:60]}`) | {len(values):,} | {percentile(values, .5) * 1000:.0f} | "
                     f"{percentile(values, .95) * 1000:.0f} | {percentile(values, .99) * 1000:.0f} | {errors.get(label, 0)} |")
    lines += ["", "Regenerate: `.venv/bin/python benchmarks/web/run.py` (add `--workspace WS` to reuse an assessed "
                  "workspace).", ""]
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    if total_errors:
        sys.exit(1)


if __name__ == "__main__":
    main()
