"""The persons analysis of 791.301 for a fleet, read from the nexus engine's results instead of
computed from a case's parties: the same `status` / `linkage` / `employment_note` the law asks
of `cvrule.law.s791_301.persons.Persons`, for every party of a workspace on one date.

A name in a BOM that resolution could not link to any party (`mention:<hash>`) is of unknown
status, and so is a party the nexus has not seen: unknown is not "no". The reasons carry the
path `cvrule why` prints, down to the parties linked on their own facts.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from cvrule.law.findings import fact, missing, param_ref, reason
from cvrule.law.parameters import Edition
from cvrule.law.s791_301.persons import Linkage, PartyStatus
from cvrule.model import MissingFact, Reason
from cvrule.nexus.explain import explain_party
from cvrule.store import Store, nexus_tables

__all__ = ["NexusPersons", "RunCache", "StoreWhyReader", "UNRESOLVED"]

CITE = "791.301"
UNRESOLVED = "mention:"
"""Node prefix of a name that no party matched."""

_QUESTIONS = {
    "country_unknown": "Where is {name} organized (or, for a person, of which country a citizen)?",
    "residence_unknown": "Where does {name} reside?",
    "headquarters_unknown": "Where is {name} headquartered?",
    "ppob_unknown": "Where is {name}'s principal place of business?",
    "ownership_unknown": "Who owns {name} (its holders of voting interest, directly and through others)?",
    "review_share": "Do the holders of {name} that are or may be linked control it (voting agreements, board, "
                    "vetoes), or is their stake below the review share?",
    "review_control": "Does the control a linked party holds over {name} amount to control of {name}?",
}


class StoreWhyReader:
    """`cvrule.nexus.explain.WhyReader` over a workspace's store, for one nexus run; each node
    is read once (the paths of many parties run through the same holders)."""

    def __init__(self, store: Store, day: date):
        self._store, self._day = store, day
        self._status: dict[str, dict | None] = {}
        self._evidence: dict[str, list[dict]] = {}
        self._records: dict[str, list[dict]] = {}

    def status(self, node: str) -> dict | None:
        if node not in self._status:
            self._status[node] = nexus_tables.status_of(self._store, self._day, node)
        return self._status[node]

    def evidence(self, node: str) -> list[dict]:
        if node not in self._evidence:
            self._evidence[node] = nexus_tables.evidence_of(self._store, self._day, node)
        return self._evidence[node]

    def records(self, node: str) -> list[dict]:
        if node not in self._records:
            self._records[node] = nexus_tables.party_records(self._store, node)
        return self._records[node]

    def prefetch(self, nodes: Iterable[str]) -> None:
        """Read `nodes` and every node their paths run through at once (a fleet's explanations
        would otherwise read the store three times per node)."""
        todo = [n for n in nodes if n not in self._status]
        if not todo:
            return
        statuses, evidence, records = nexus_tables.explanation_rows(self._store, self._day, todo)
        for node, row in statuses.items():
            self._status.setdefault(node, row)
            self._evidence.setdefault(node, evidence[node])
            self._records.setdefault(node, records[node])


class RunCache:
    """What the decisions of every day a nexus run stands for share: its reader and the
    statuses already explained."""

    def __init__(self, store: Store, as_of: date):
        self.reader = StoreWhyReader(store, as_of)
        self.statuses: dict[str, PartyStatus] = {}
        self.lines: dict[str, list[str]] = {}


class NexusPersons:
    """Party statuses of one nexus run (`as_of`), used to decide transactions on `day`."""

    def __init__(self, store: Store, as_of: date, day: date, edition: Edition, names: dict[str, str],
                 written: dict[str, str], run: RunCache | None = None):
        self._store, self._as_of, self.day, self.edition = store, as_of, day, edition
        self._names = names
        self._written = written
        self._run = run or RunCache(store, as_of)
        self._cache = self._run.statuses
        rows = store._con.execute(
            "SELECT node, linkage, basis FROM party_status WHERE as_of = ? AND node IN (SELECT unnest(?::VARCHAR[]))",
            [as_of, sorted(names)]).fetchall()
        self._rows = {node: (linkage, basis) for node, linkage, basis in rows}
        self._run.reader.prefetch(self._rows)

    def ownership_changes(self, parties: set[str], since: date, until: date) -> list[tuple[date, str, list]]:
        """For a general authorization relied on from `since` (791.306): each change of an interest
        in, or control over, the parties or anyone above them in the ownership data, after `since`
        and up to `until`, as (day, what, facts)."""
        from cvrule.fleet.changes import ownership_changes

        found = []
        for change in ownership_changes(self._store, parties, since, until):
            above = self._names.get(change.above, change.above_name)
            below = self._names.get(change.below, change.below_name)
            what = (f"{above} acquired an interest in {below}" if change.relation == "ownership" and change.began
                    else f"the interest of {above} in {below} ended" if change.relation == "ownership"
                    else f"{above} gained {change.relation} control over {below}" if change.began
                    else f"the {change.relation} control of {above} over {below} ended")
            found.append((change.day, f"a change in circumstance ({what})", [fact(change.table, change.where)]))
        return found

    def linkage(self, party_id: str) -> Linkage:
        if party_id.startswith(UNRESOLVED) or party_id not in self._rows:
            return Linkage.indeterminate
        return Linkage(self._rows[party_id][0])

    def basis(self, party_id: str) -> str | None:
        """The nexus basis of a linked or indeterminate party (see cvrule.nexus.explain.BASES)."""
        row = self._rows.get(party_id)
        return row[1] if row else None

    def status(self, party_id: str) -> PartyStatus:
        if party_id not in self._cache:
            self._cache[party_id] = self._status(party_id)
        return self._cache[party_id]

    def employment_note(self, party_id: str) -> Reason | None:
        return None  # the nexus engine never links through employees (791.302(b), 791.303(c))

    def explanation(self, party_id: str) -> list[str]:
        """The lines of `cvrule why` for the party (empty for an unresolved name)."""
        if party_id.startswith(UNRESOLVED) or party_id not in self._rows:
            return []
        if party_id not in self._run.lines:
            # no date in the headline: the same explanation serves every day this run stands for
            self._run.lines[party_id] = explain_party(party_id, None, self._run.reader, self.edition)
        return self._run.lines[party_id]

    def _status(self, party_id: str) -> PartyStatus:
        name = self._names.get(party_id, party_id)
        linkage = self.linkage(party_id)
        if party_id.startswith(UNRESOLVED) or party_id not in self._rows:
            written = self._written.get(party_id, name)
            question = missing(f"parties.{party_id}",
                               f"Who is {written!r} (legal name, identifiers such as an LEI), where is it organized, "
                               "and who owns it?")
            why = reason(f"{written!r} matches no party of the ownership data: who it is, and so whether it is "
                         "owned by, controlled by or subject to the jurisdiction or direction of the PRC or Russia, "
                         "is not known", None, CITE, [fact("parties", party_id)])
            return PartyStatus(party_id, Linkage.indeterminate, why, [question])
        basis = self._rows[party_id][1]
        lines = self.explanation(party_id)
        holds = {Linkage.linked: True, Linkage.indeterminate: None, Linkage.not_linked: False}[linkage]
        why = _tree(lines, holds, self.edition) if lines else reason(f"{name}: {linkage.value}", holds, CITE)
        gaps: list[MissingFact] = []
        if linkage is Linkage.indeterminate:
            gaps = self._gaps(party_id, name)
        return PartyStatus(party_id, linkage, why, gaps)

    def _gaps(self, party_id: str, name: str) -> list[MissingFact]:
        """What would settle an indeterminate party: its own open facts, or those of the parties
        that may link it (the evidence of the possible fixpoint, followed down)."""
        gaps: list[MissingFact] = []
        seen: set[str] = set()
        todo = [party_id]
        while todo and len(gaps) < 10:
            node = todo.pop(0)
            if node in seen:
                continue
            seen.add(node)
            row = self._run.reader.status(node)
            if row is None or row["linkage"] != "indeterminate":
                continue
            who = row["name"] or node
            question = _QUESTIONS.get(row["basis"] or "")
            if question:
                gaps.append(missing(f"parties.{node}.{row['basis']}", question.format(name=who)))
            for step in self._run.reader.evidence(node):
                if step["fixpoint"] == "possible":
                    todo.append(step["via"])
        return gaps or [missing(f"parties.{party_id}", f"Is {name} owned by, controlled by or subject to the "
                                                       "jurisdiction or direction of the PRC or Russia?")]


def _tree(lines: list[str], holds: bool | None, edition: Edition) -> Reason:
    """The explanation lines as a reasons tree: each line a step, indentation its depth; a
    `[parameter = ...]` line becomes the parameter its step rests on."""
    root = reason(lines[0].strip(), holds, CITE)
    stack: list[tuple[int, Reason]] = [(0, root)]
    for line in lines[1:]:
        depth = (len(line) - len(line.lstrip(" "))) // 2
        text = line.strip().removeprefix("- ")
        while len(stack) > 1 and stack[-1][0] >= depth:
            stack.pop()
        parent = stack[-1][1]
        if text.startswith("[") and " = " in text:
            name = text[1:].split(" = ", 1)[0]
            try:
                parent.parameters.append(param_ref(edition.param(name)))
                continue
            except Exception:  # not a parameter of this edition: keep the words
                pass
        step = reason(text, _holds_of(text, holds), CITE if "15 CFR" in text else None)
        parent.because.append(step)
        stack.append((depth, step))
    return root


def _holds_of(text: str, default: bool | None) -> bool | None:
    if "NOT LINKED" in text:
        return False
    if "INDETERMINATE" in text:
        return None
    if "LINKED" in text:
        return True
    return default
