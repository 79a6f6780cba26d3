"""A party's ownership and control graph, drawn server-side as inline SVG.

The graph is the nexus evidence of the party on one date (`party_status_evidence`): who holds
what share of it or controls it, and, for each holder that is itself linked or may be, who holds
that one, up to the parties linked on their own facts (organized in the PRC, a citizen of
Russia...). Every party is coloured by its status; the party asked about is drawn with a thick
border. When the store has no nexus result for the party, the graph is read from the
explanation lines the assessment kept (`cvrule why` lines).

Layout is layered: the party at the bottom, its direct holders above it, theirs above them.
Everything is ordered, so the same graph gives the same SVG.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from datetime import date
from html import escape

from cvrule.store import Store
from cvrule.store import nexus_tables

__all__ = ["Edge", "Graph", "Node", "graph_from_store", "graph_from_why", "svg"]

MAX_NODES = 40

COLOURS = {
    "linked": ("#c62828", "#fdecea"),
    "indeterminate": ("#b86e00", "#fff4dc"),
    "not_linked": ("#2e8540", "#e6f4ea"),
    "unknown": ("#57606a", "#eff1f3"),
}
WORDS = {"linked": "linked", "indeterminate": "indeterminate", "not_linked": "not linked", "unknown": "status unknown"}
BASIS_WORDS = {
    "government": "a covered government", "organized": "organized in a covered jurisdiction",
    "headquartered": "headquartered in a covered jurisdiction", "principal_place": "principal place in a covered jurisdiction",
    "citizen": "citizen of a covered jurisdiction", "resident": "resides in a covered jurisdiction",
    "country_unknown": "country unknown", "residence_unknown": "residence unknown",
    "headquarters_unknown": "headquarters unknown", "ppob_unknown": "principal place unknown",
    "ownership_unknown": "owners unknown", "majority": "majority held by linked parties",
    "dominant_minority": "dominant minority held by linked parties", "control": "controlled by a linked party",
    "review_share": "review share held by parties that may be linked",
    "review_control": "control that may be held by a linked party",
}


@dataclass
class Node:
    id: str
    name: str
    linkage: str
    basis: str | None = None
    depth: int = 0

    @property
    def own_facts(self) -> bool:
        """Linked (or possibly) on its own facts, not through a holder."""
        return self.basis in ("government", "organized", "headquartered", "principal_place", "citizen", "resident",
                              "country_unknown", "residence_unknown", "headquarters_unknown", "ppob_unknown",
                              "ownership_unknown")


@dataclass
class Edge:
    holder: str
    held: str
    relation: str
    """ownership | control"""
    label: str
    certain: bool = True
    """False for evidence of a possible link only (the 'possible' fixpoint)."""


@dataclass
class Graph:
    root: str
    as_of: date | None
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    truncated: bool = False
    source: str = "nexus"
    """nexus (the store's evidence) | explanation (the assessment's why lines)"""

    def path(self) -> list[list[Node]]:
        """Every chain from the party up to a party linked on its own facts (the linking paths)."""
        up: dict[str, list[str]] = {}
        for edge in self.edges:
            up.setdefault(edge.held, []).append(edge.holder)
        chains: list[list[Node]] = []

        def walk(node: str, chain: list[str]) -> None:
            holders = [h for h in sorted(up.get(node, [])) if h not in chain]
            if not holders:
                if len(chain) > 1 or self.nodes[node].own_facts:
                    chains.append([self.nodes[n] for n in chain])
                return
            for holder in holders:
                walk(holder, chain + [holder])

        walk(self.root, [self.root])
        unique = list({tuple(n.id for n in chain): chain for chain in chains}.values())
        return unique[:20]


def _share(low: float | None, high: float | None, unknown: bool | None, low_open: bool | None = False) -> str:
    if unknown:
        return "share unknown"
    low = low or 0.0
    high = 1.0 if high is None else high
    if abs(low - high) < 1e-9:
        return f"{'>' if low_open else ''}{low * 100:.4g}%"
    return f"{low * 100:.4g}–{high * 100:.4g}%"


def graph_from_store(store: Store, as_of: date, root: str, limit: int = MAX_NODES) -> Graph | None:
    """The evidence graph of `root` on `as_of`, or None when the store has no status for it then."""
    status = nexus_tables.status_of(store, as_of, root)
    if status is None:
        return None
    graph = Graph(root, as_of)
    graph.nodes[root] = Node(root, status.get("name") or root, status["linkage"], status.get("basis"), 0)
    queue = deque([root])
    while queue:
        node = queue.popleft()
        current = graph.nodes[node]
        wanted = "linked" if current.linkage == "linked" else "possible"
        for row in nexus_tables.evidence_of(store, as_of, node):
            if row["fixpoint"] != wanted:
                continue
            holder = row["via"]
            if holder not in graph.nodes:
                if len(graph.nodes) >= limit:
                    graph.truncated = True
                    continue
                found = nexus_tables.status_of(store, as_of, holder) or {}
                graph.nodes[holder] = Node(holder, found.get("name") or holder, found.get("linkage") or "unknown",
                                           found.get("basis"), current.depth + 1)
                queue.append(holder)
            if row["relation"] == "control":
                label = f"{str(row.get('kind') or 'control').replace('_', ' ')} control"
            else:
                label = _share(row.get("share_min"), row.get("share_max"), row.get("share_unknown"), row.get("min_exclusive"))
            graph.edges.append(Edge(holder, node, row["relation"], label, row["fixpoint"] == "linked"))
    graph.edges = _unique(graph.edges)
    return graph


_HEAD = re.compile(r"^(?P<pad> *)(?P<name>.+?) \[(?P<node>[^\]]+)\](?: as of [0-9-]+)?: (?P<verdict>LINKED|INDETERMINATE|NOT LINKED)")
_STEP = re.compile(r"^(?P<pad> *)- (?P<relation>ownership|control): (?P<who>.+?) (?:holds (?P<held>.+?)|has (?P<kind>.+?) control)"
                   r"(?: \(source [^)]*\))?$")
_VERDICTS = {"LINKED": "linked", "INDETERMINATE": "indeterminate", "NOT LINKED": "not_linked"}


def graph_from_why(root: str, name: str, linkage: str, lines: list[str]) -> Graph:
    """The graph as far as the assessment's explanation lines (`cvrule why`) tell it."""
    graph = Graph(root, None, source="explanation")
    graph.nodes[root] = Node(root, name, linkage)
    stack: list[tuple[int, str]] = []  # (indent, node) of the parties explained so far
    pending: tuple[int, str, str] | None = None  # (indent, relation, label) of the step just read
    for line in lines:
        head = _HEAD.match(line)
        if head:
            indent = len(head["pad"])
            node = head["node"]
            graph.nodes.setdefault(node, Node(node, head["name"], _VERDICTS[head["verdict"]], None, indent // 4))
            if pending is not None and stack:
                parent = next((n for i, n in reversed(stack) if i < indent), None)
                if parent is not None and parent != node:
                    graph.edges.append(Edge(node, parent, pending[1], pending[2]))
            while stack and stack[-1][0] >= indent:
                stack.pop()
            stack.append((indent, node))
            pending = None
            continue
        step = _STEP.match(line)
        if step:
            label = step["held"] or f"{step['kind']} control"
            label = label.replace("an unstated share (0-100%)", "share unknown")
            pending = (len(step["pad"]), step["relation"], label)
    graph.edges = _unique(graph.edges)
    return graph


def _unique(edges: list[Edge]) -> list[Edge]:
    """One edge per holder and held party: a stake and control by the same holder are drawn as one
    arrow with both labels ("100%, board majority control")."""
    merged: dict[tuple[str, str], Edge] = {}
    for edge in sorted(edges, key=lambda e: (e.held, e.holder, e.relation != "ownership", e.label)):
        key = (edge.holder, edge.held)
        found = merged.get(key)
        if found is None:
            merged[key] = Edge(edge.holder, edge.held, edge.relation, edge.label, edge.certain)
        elif edge.label not in found.label.split(", "):
            found.label = f"{found.label}, {edge.label}"
            found.relation = found.relation if found.relation == edge.relation else "ownership+control"
            found.certain = found.certain or edge.certain
    return list(merged.values())


# -- drawing ------------------------------------------------------------------------------------

BOX_W, BOX_H, GAP_X, GAP_Y, MARGIN = 300, 50, 26, 74, 16
_CHARS = 40


def _layers(graph: Graph) -> list[list[Node]]:
    """Depth by the longest holding chain below a node (so that every arrow points down)."""
    depth = {graph.root: 0}
    up: dict[str, list[str]] = {}
    for edge in graph.edges:
        up.setdefault(edge.held, []).append(edge.holder)
    for _ in range(len(graph.nodes)):
        moved = False
        for held, holders in up.items():
            if held not in depth:
                continue
            for holder in holders:
                want = depth[held] + 1
                if depth.get(holder, -1) < want <= len(graph.nodes):
                    depth[holder] = want
                    moved = True
        if not moved:
            break
    for node in graph.nodes:
        depth.setdefault(node, 1)
    layers: dict[int, list[Node]] = {}
    for node_id, level in depth.items():
        layers.setdefault(level, []).append(graph.nodes[node_id])
    return [sorted(layers[level], key=lambda n: (n.name.casefold(), n.id)) for level in sorted(layers)]


def _cut(text: str, size: int = _CHARS) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def svg(graph: Graph) -> str:
    """The graph as an SVG element (a string of trusted markup: every text is escaped)."""
    layers = _layers(graph)
    widest = max(len(layer) for layer in layers)
    width = MARGIN * 2 + widest * BOX_W + (widest - 1) * GAP_X
    height = MARGIN * 2 + len(layers) * BOX_H + (len(layers) - 1) * GAP_Y + 10
    place: dict[str, tuple[float, float]] = {}
    for level, layer in enumerate(layers):
        row_width = len(layer) * BOX_W + (len(layer) - 1) * GAP_X
        x0 = (width - row_width) / 2
        y = height - MARGIN - BOX_H - level * (BOX_H + GAP_Y)
        for index, node in enumerate(layer):
            place[node.id] = (x0 + index * (BOX_W + GAP_X), y)
    root = graph.nodes[graph.root]
    title = f"Ownership and control of {root.name}"
    desc = "; ".join(f"{graph.nodes[e.holder].name} holds {e.label} of {graph.nodes[e.held].name}"
                     if e.relation != "control" else f"{graph.nodes[e.holder].name} has {e.label} over {graph.nodes[e.held].name}"
                     for e in graph.edges) or f"{root.name}: no holder is linked or may be linked"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="graph" role="img" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" aria-labelledby="graph-title graph-desc">',
        f'<title id="graph-title">{escape(title)}</title><desc id="graph-desc">{escape(desc)}</desc>',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#57606a"/></marker></defs>',
    ]
    for edge in graph.edges:
        hx, hy = place[edge.holder]
        tx, ty = place[edge.held]
        x1, y1 = hx + BOX_W / 2, hy + BOX_H
        x2, y2 = tx + BOX_W / 2, ty
        dash = "" if edge.certain else ' stroke-dasharray="5 4"'
        stroke = "#c62828" if edge.certain and graph.nodes[edge.holder].linkage == "linked" else "#57606a"
        out.append(f'<g class="edge" data-holder="{escape(edge.holder)}" data-held="{escape(edge.held)}">'
                   f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2 - 2:.1f}" stroke="{stroke}" stroke-width="1.6"'
                   f'{dash} marker-end="url(#arrow)"/>')
        mx, my = (x1 + x2) / 2, (y1 + y2) / 2
        label = escape(_cut(edge.label, 44))
        out.append(f'<rect x="{mx - 4 - 3.3 * len(label):.1f}" y="{my - 9:.1f}" width="{8 + 6.6 * len(label):.1f}" height="16" '
                   f'rx="3" fill="#fff" opacity="0.9"/>'
                   f'<text x="{mx:.1f}" y="{my + 3:.1f}" text-anchor="middle" font-size="11" fill="#1f2328">{label}</text></g>')
    for node in graph.nodes.values():
        x, y = place[node.id]
        stroke, fill = COLOURS.get(node.linkage, COLOURS["unknown"])
        width_px = 3.5 if node.id == graph.root else 1.4
        basis = BASIS_WORDS.get(node.basis or "", "")
        sub = WORDS.get(node.linkage, node.linkage) + (f": {basis}" if basis else "")
        out.append(f'<g class="node {escape(node.linkage)}" data-node="{escape(node.id)}">'
                   f'<title>{escape(node.name)} [{escape(node.id)}]: {escape(sub)}</title>'
                   f'<rect x="{x:.1f}" y="{y:.1f}" width="{BOX_W}" height="{BOX_H}" rx="6" fill="{fill}" stroke="{stroke}" '
                   f'stroke-width="{width_px}"/>'
                   f'<text x="{x + 10:.1f}" y="{y + 20:.1f}" font-size="12.5" font-weight="600" fill="#1f2328">'
                   f'{escape(_cut(node.name))}</text>'
                   f'<text x="{x + 10:.1f}" y="{y + 38:.1f}" font-size="11" fill="{stroke}">{escape(_cut(sub, 48))}</text></g>')
    out.append("</svg>")
    return "".join(out)
