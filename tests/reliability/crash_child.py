"""A cvrule command to be killed: imports everything first, prints "ready", waits for a line on
stdin, then runs `cvrule <args>` through the real CLI app (see crashing.py)."""

import sys

import cvrule.engine.pipeline  # noqa: F401  (the imports the commands make lazily, done up front)
import cvrule.ingest.load  # noqa: F401
import cvrule.resolve  # noqa: F401
from cvrule.cli import app
from cvrule.ingest.detect import all_formats

all_formats()
print("ready", flush=True)
sys.stdin.readline()
app(sys.argv[1:], prog_name="cvrule")
