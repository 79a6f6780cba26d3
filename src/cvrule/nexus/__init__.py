"""Who is "owned by, controlled by, or subject to the jurisdiction or direction of" the PRC or
Russia (15 CFR 791.301), decided for every party of a large graph at once, as of a date, with
the evidence that proves it. The logic is SQL run through an engine (`cvrule.engine`)."""

from cvrule.nexus.engine import Engine
from cvrule.nexus.fixpoint import NexusRun, run_nexus
from cvrule.nexus.graph import Graph, graph_from_scenario
from cvrule.nexus.policy import NexusPolicy

__all__ = ["Engine", "Graph", "NexusPolicy", "NexusRun", "graph_from_scenario", "run_nexus"]
