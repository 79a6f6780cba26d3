"""15 CFR 791.301 over a whole graph: the two least fixpoints of the reference semantics
(`law/s791_301/persons.py`), computed set-wise, one round at a time, through an `Engine`.

- The linked set starts from the parties linked on their own facts and grows, each round, by
  the parties whose linked holders hold a majority or a dominant minority (the minimum of each
  stake) or over which a linked party has controlling control.
- The possibly-linked set starts from the linked set and the parties of unknown status, and
  grows by the parties whose possibly-linked holders may hold the review share (the maximum of
  each stake, stakes stated as indirect included) or over which such a party has controlling or
  review control. Stakes stated as indirect count here only (see `nexus.sql`).

Linked = the first set; indeterminate = the second less the first; everyone else is not
linked. Each round only looks at the parties a newcomer of the last round holds or controls
(semi-naive evaluation), so the work follows the edges once per round they matter in. Both
sets are monotone in the rounds, so cycles need no special case and the rounds end.
"""

from __future__ import annotations

import time
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field

from cvrule.nexus import sql
from cvrule.nexus.engine import Engine
from cvrule.nexus.policy import NexusPolicy

__all__ = ["LOOKTHROUGH_ROUNDS", "NexusRun", "run_nexus"]

LOOKTHROUGH_ROUNDS = 32
"""Look-through stops after this many levels (cycles would otherwise go round for ever)."""


@dataclass
class NexusRun:
    """What one run found, and how long each phase took. The engine then holds the views `st`
    (status per node) and `ev` (evidence per node and edge)."""

    policy: NexusPolicy
    engine: str
    parties: int = 0
    linked: int = 0
    indeterminate: int = 0
    rounds_linked: int = 0
    rounds_possible: int = 0
    rounds_lookthrough: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def not_linked(self) -> int:
        return self.parties - self.linked - self.indeterminate


def run_nexus(engine: Engine, policy: NexusPolicy, lookthrough_rounds: int = LOOKTHROUGH_ROUNDS) -> NexusRun:
    """Compute the status of every node of `g_parties` on `policy.day`; the engine must hold
    `g_parties`, `g_stakes` and `g_controls`.

    Work that does not wait for the fixpoints runs beside them (`_Beside`), on an engine that
    can open a second connection: the parties' own facts and the controls beside the stakes of
    the day, the look-through beside the fixpoints, the evidence of the linked set beside the
    upper fixpoint. Rounds are short queries that leave the other core idle."""
    run = NexusRun(policy, engine.name)
    clock = _Clock(run.seconds)
    beside = _Beside(engine, clock)
    try:
        with clock("facts on the day"):
            parties = beside.run("parties on their own facts", _table, "base", sql.base(policy))
            controls = beside.run("controls on the day", _table, "d_ctl", sql.controls_on_day(policy))
            has_direct = _has_column(engine, "g_stakes", "direct")
            engine.table("d_rows", sql.rows_on_day(policy, has_direct=has_direct))
            sources = engine.rows("SELECT count(*) FROM (SELECT DISTINCT src FROM d_rows) s")[0][0]
            engine.table("d_stk", sql.stakes_on_day(single_source=sources <= 1))
            engine.table("d_ind", sql.indirect_on_day())
            run.parties = parties.result()
            controls.result()
        lookthrough = beside.run("look-through", _lookthrough, lookthrough_rounds)
        with clock("fixpoints"):
            run.linked = _grow(engine, "lw", sql.lower_start(), lambda delta, k: sql.lower_entrants(policy, delta, k))
            linked_evidence = beside.run("evidence of the linked set", _table, "ev_linked", sql.evidence_linked())
            possible = _grow(engine, "up", sql.upper_start(), lambda delta, k: sql.upper_entrants(policy, delta, k),
                             carried=sql.UPPER_CARRIED)
            run.indeterminate = possible - run.linked
            rounds = dict(engine.rows("SELECT 'linked', max(rnd) FROM lw UNION ALL SELECT 'possible', max(rnd) FROM up"))
            run.rounds_linked, run.rounds_possible = int(rounds["linked"] or 0), int(rounds["possible"] or 0)
        with clock("waiting for the work beside"):
            run.rounds_lookthrough = lookthrough.result()
            linked_evidence.result()
    finally:
        beside.close()
    engine.view("st", sql.status())
    engine.view("ev", sql.evidence())
    for name in ("nx_a", "nx_b", "lt_a", "lt_b", "lt_acc", "lt_w", "lt_roots"):
        engine.drop(name)
    return run


class _Beside:
    """A second stream of queries. On an engine that can `fork`, a thread with its own
    connection runs the work handed to it, in the order handed; on any other engine (Spark) the
    work runs at once, on the engine itself. The SQL is the same either way."""

    def __init__(self, engine: Engine, clock: _Clock):
        fork = getattr(engine, "fork", None)
        self.engine, self.clock = engine, clock
        self.side = fork() if fork is not None else None
        self.pool = ThreadPoolExecutor(max_workers=1) if self.side is not None else None

    def run(self, phase: str, work, *args) -> Future:
        if self.pool is None:
            done: Future = Future()
            with self.clock(phase):
                done.set_result(work(self.engine, *args))
            return done
        return self.pool.submit(_timed, self.clock, f"{phase} (in a second thread)", work, self.side, *args)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True)
            self.side.close()


def _table(engine: Engine, name: str, query: str) -> int:
    return engine.table(name, query)


def _grow(engine: Engine, name: str, start: str, entrants, carried: str = "") -> int:
    """Grow the set `name` from `start` until a round adds nobody; return its size. Each round
    looks only at what the last round's newcomers hold or control (semi-naive evaluation).
    `carried`: the further columns of `name`, as the select list newcomers fill them with."""
    extra = f", {carried}" if carried else ""
    size = added = engine.table(name, start)
    delta, spare, rounds = f"(SELECT node FROM {name})", "nx_a", 0
    while added:
        rounds += 1
        added = engine.table(spare, entrants(delta, rounds))
        if added:
            engine.append(name, f"SELECT node, rnd, basis{extra} FROM {spare}")
            size += added
            delta = spare
            spare = "nx_b" if spare == "nx_a" else "nx_a"
    return size


def _lookthrough(engine: Engine, limit: int) -> int:
    engine.table("lt_roots", sql.lookthrough_roots())
    engine.table("lt_w", sql.lookthrough_weights())
    engine.table("lt_acc", "SELECT node, vlo, vhi FROM lt_roots WHERE 1 = 0")
    frontier, spare = "lt_a", "lt_b"
    engine.table(frontier, "SELECT node, vlo, vhi FROM lt_roots")
    rounds = 0
    while rounds < limit:
        if not engine.table(spare, sql.lookthrough_step(frontier)):
            break
        rounds += 1
        engine.append("lt_acc", f"SELECT node, vlo, vhi FROM {spare}")
        frontier, spare = spare, frontier
    engine.table("lt", sql.lookthrough_total())
    return rounds


def _timed(clock: _Clock, phase: str, work, *args):
    with clock(phase):
        return work(*args)


def _has_column(engine: Engine, table: str, column: str) -> bool:
    """Whether `table` has `column` (a graph written before the column existed has not)."""
    try:
        engine.rows(f"SELECT {column} FROM {table} WHERE 1 = 0")
    except Exception:  # each engine raises its own error for an unknown column
        return False
    return True


class _Clock:
    """Adds the wall time of each `with clock(phase):` block to `into[phase]`."""

    def __init__(self, into: dict[str, float]):
        self.into = into

    @contextmanager
    def __call__(self, phase: str):
        start = time.perf_counter()
        try:
            yield
        finally:
            self.into[phase] = self.into.get(phase, 0.0) + time.perf_counter() - start
