"""The fuzzing harness shared by the property tests (tests/reliability/test_fuzz_parsers.py, a
few hundred examples) and the long run (benchmarks/reliability/fuzz.py, 100,000 and more).

Seeds are real files: every sample under tests/data and the case suites, and, when present, the
small files of ../shared/corpus. A mutation is drawn from a `random.Random` (Hypothesis hands in
one it controls, so failures shrink; the long run uses a seeded one, so runs reproduce). It works
at three levels: bytes (flips, cuts, repeats, splices, encodings), tokens (a word, number or
value of the text swapped for a hostile one: huge, empty, negative, not a number, control and
bidi characters, entity and CDATA syntax...), and structure (a JSON or YAML value swapped for one
of another type, nesting, or removed; a cell of an XLSX sheet changed inside its zip).

The oracle: a parser either reads the file, with facts the store can write (Arrow types checked
as the store's own batches are), or raises `InputError` naming the file. Anything else is a
crasher. The case-file loader must likewise raise only `CaseFileError`/`InputError`, and a case
it accepts must be decided without any exception but a `CvruleError`.
"""

from __future__ import annotations

import io
import random
import re
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import yaml

from cvrule.errors import CvruleError, InputError
from cvrule.ingest.detect import detect
from cvrule.ingest.limits import Limits
from cvrule.store.schema import FACT_TABLES

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data"
CASES = REPO / "tests" / "cases"
CORPUS = REPO.parent / "shared" / "corpus"

MAX_SEED_BYTES = 96 * 1024
"""Larger seeds make each execution slow without reaching more code."""


@dataclass(frozen=True)
class Seed:
    path: Path
    format: str
    """The format the unmutated file is detected as ("cvrule-case" for case files)."""
    data: bytes

    @property
    def name(self) -> str:
        for root in (DATA, CASES, CORPUS):
            if self.path.is_relative_to(root):
                return f"{root.name}/{self.path.relative_to(root)}"
        return self.path.name


def _detected(path: Path) -> str | None:
    try:
        return detect(path).name
    except InputError:
        return None


def load_seeds(corpus: bool = True, cases: int = 12) -> list[Seed]:
    """Every readable sample of tests/data (and the corpus's small files), plus `cases` case files."""
    paths = sorted(p for p in DATA.rglob("*") if p.is_file() and p.name != "README.md")
    if corpus and CORPUS.is_dir():
        paths += sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.suffix not in (".md", ".tsv")
                        and p.stat().st_size <= MAX_SEED_BYTES)
    seeds = []
    for path in paths:
        if path.stat().st_size > MAX_SEED_BYTES:
            continue
        name = _detected(path)
        if name:
            seeds.append(Seed(path, name, path.read_bytes()))
    seeds.append(_parquet_seed())
    case_files = sorted(CASES.rglob("*.yaml"))
    step = max(1, len(case_files) // max(cases, 1))
    seeds += [Seed(p, "cvrule-case", p.read_bytes()) for p in case_files[::step][:cases]]
    return seeds


def _parquet_seed() -> Seed:
    """A GLEIF Level 1 Parquet table, made from the golden-copy CSV sample (tests/data has no
    Parquet file; the corpus's are megabytes)."""
    import pyarrow.csv as pa_csv
    import pyarrow.parquet as parquet

    source = DATA / "gleif/csv/lei-golden-copy-sample.csv"
    names = source.read_text(encoding="utf-8").splitlines()[0].replace('"', "").split(",")
    table = pa_csv.read_csv(source, convert_options=pa_csv.ConvertOptions(column_types={n: pa.string() for n in names}))
    buffer = io.BytesIO()
    parquet.write_table(table, buffer)
    return Seed(Path("lei-golden-copy-sample.parquet"), "gleif-lei-parquet", buffer.getvalue())


# -- mutation --------------------------------------------------------------------------------------

HOSTILE_TOKENS: list[str] = [
    "", "0", "-1", "-0", "1e309", "-1e309", "NaN", "Infinity", "1.5", "100.0001", "2147483648",
    "99999999999999999999999999999999", "0x1F", "null", "true", "false", "~", "None",
    "9999-12-31", "2029-02-30", "0000-00-00", "2029-13-01", "1900-01-01T25:61:61Z", "--", "P1Y",
    "CN", "RU", "HK", "MO", "XX", "ZZZ", "中国", "Россия", "\u202e\u2066", "\ufeff", "\x00", "\x1b[2J", "\r",
    "\\", "\\u0000", "\\ud800", "%s%n", "{", "}", "[", "]", "<", ">", "&", "&amp;", "&#0;", "&#x110000;",
    "<![CDATA[", "]]>", "<!--", "-->", "<?x?>", "'", '"', ",", ";", ":", "\t", "- ", "? ", "*a", "&a", "!!python/object",
    "../../../../etc/passwd", "file:///etc/passwd", "http://127.0.0.1:9/x", "SPDXRef-", "pkg:", "urn:uuid:",
    "x" * 70_000, "9" * 5000, "[" * 300, "{\"a\":" * 300, "[" * 30_000, "- " * 3000, "<a>" * 3000,
]

_WORD = re.compile(rb"[A-Za-z0-9_.+\-:/@]+")


def _position(rng: random.Random, size: int) -> int:
    return rng.randrange(size + 1) if size else 0


def _bytes_mutation(data: bytes, rng: random.Random, others: list[bytes]) -> bytes:
    size = len(data)
    kind = rng.randrange(10)
    at = _position(rng, size)
    if kind == 0 and size:  # flip bits of a few bytes
        out = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            i = rng.randrange(size)
            out[i] ^= 1 << rng.randrange(8)
        return bytes(out)
    if kind == 1:  # cut a run
        return data[:at] + data[at + rng.randint(1, 256):]
    if kind == 2:  # repeat a run
        run = data[at:at + rng.randint(1, 512)]
        return data[:at] + run * rng.randint(2, 64) + data[at:]
    if kind == 3:  # truncate
        return data[:at]
    if kind == 4 and others:  # splice in part of another seed
        other = rng.choice(others)
        start = _position(rng, len(other))
        return data[:at] + other[start:start + rng.randint(1, 2048)] + data[at + rng.randint(0, 256):]
    if kind == 5:  # invalid UTF-8 and stray encodings
        junk = rng.choice([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xe2\x82", b"\x00\x00",
                           b"\xfe\xff", b"\xff\xfe", b"\xef\xbb\xbf", b"\r\n\r", b"\x1a"])
        return data[:at] + junk + data[at:]
    if kind == 6:  # the whole file re-encoded, or given a byte-order mark it does not match
        choice = rng.randrange(4)
        if choice == 0:
            try:
                return b"\xff\xfe" + data.decode("utf-8").encode("utf-16-le")
            except UnicodeDecodeError:
                return b"\xff\xfe" + data
        if choice == 1:
            return b"\xfe\xff" + data
        if choice == 2:
            return b"\xff\xfe" + data[:-1] if len(data) % 2 == 0 else b"\xff\xfe" + data  # odd length UTF-16
        return b"\xef\xbb\xbf" + data
    if kind == 7:  # a hostile token inserted
        return data[:at] + rng.choice(HOSTILE_TOKENS).encode("utf-8", "surrogatepass") + data[at:]
    if kind == 8 and size:  # random bytes overwrite
        return data[:at] + bytes(rng.randrange(256) for _ in range(rng.randint(1, 16))) + data[at + 16:]
    return data[:at] + b"\x00" * rng.randint(1, 64) + data[at:]


def _token_mutation(data: bytes, rng: random.Random) -> bytes:
    """Swap one word, number or value of the text for a hostile token."""
    sample = data if len(data) <= 200_000 else data[:200_000]
    matches = list(_WORD.finditer(sample))
    if not matches:
        return data
    chosen = sorted({rng.randrange(len(matches)) for _ in range(rng.randint(1, 3))}, reverse=True)
    for index in chosen:  # from the end, so earlier positions stay valid
        match = matches[index]
        token = rng.choice(HOSTILE_TOKENS).encode("utf-8", "surrogatepass")
        data = data[:match.start()] + token + data[match.end():]
    return data


def _random_value(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randrange(12 if depth < 3 else 8)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice([True, False])
    if kind == 2:
        return rng.choice([0, -1, 1, 2**31, -(2**63), 2**64, 10**30])
    if kind == 3:
        return rng.choice([0.0, -0.5, 1e-300, 1e300, 0.3333333333, 100.5])
    if kind in (4, 5, 6, 7):
        return rng.choice(HOSTILE_TOKENS[:70])
    if kind in (8, 9):
        return [_random_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    if kind == 10:
        return {rng.choice(["name", "id", "type", "x", "", "components", "country"]): _random_value(rng, depth + 1)
                for _ in range(rng.randint(0, 3))}
    value: Any = "deep"
    for _ in range(rng.choice([50, 200, 1100])):
        value = [value] if rng.random() < 0.5 else {"a": value}
    return value


def _nodes(value: Any, path: tuple = ()) -> list[tuple]:
    """Paths to every node of a JSON/YAML value (capped)."""
    found = [path]
    stack = [(value, path)]
    while stack and len(found) < 5000:
        node, where = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, child in items:
            found.append(where + (key,))
            stack.append((child, where + (key,)))
    return found


def _mutate_tree(value: Any, rng: random.Random) -> Any:
    for _ in range(rng.randint(1, 4)):
        path = rng.choice(_nodes(value))
        if not path:
            value = _random_value(rng)
            continue
        parent = value
        for key in path[:-1]:
            parent = parent[key]
        key = path[-1]
        action = rng.randrange(6)
        if action == 0:
            del parent[key]
        elif action == 1 and isinstance(parent, dict):
            parent[rng.choice(HOSTILE_TOKENS[:40]) or "k"] = parent[key]  # the same value under another key
        elif action == 2 and isinstance(parent, list):
            parent.append(parent[key])
        elif action == 3:
            parent[key] = [parent[key]]  # wrapped in a list
        else:
            parent[key] = _random_value(rng)
    return value


def _structure_mutation(seed: Seed, data: bytes, rng: random.Random) -> bytes:
    if data[:2] == b"PK":
        return _zip_mutation(data, rng)
    text_json = seed.format in {"cyclonedx-json", "spdx-3-jsonld", "cx-0158-1", "spdx-2-json", "bods", "gleif-json",
                                "gleif-api-json", "csl-json"}
    try:
        if text_json:
            tree = orjson.loads(data)
            return orjson.dumps(_mutate_tree(tree, rng), option=orjson.OPT_INDENT_2)
        if seed.format in ("cvrule-case", "spdx-2-yaml"):
            tree = yaml.safe_load(data)
            mutated = _mutate_tree(tree, rng)
            return yaml.safe_dump(mutated, allow_unicode=True, sort_keys=False, width=10_000).encode()
        if seed.format == "ftm":
            lines = data.splitlines()
            i = rng.randrange(len(lines))
            lines[i] = orjson.dumps(_mutate_tree(orjson.loads(lines[i]), rng))
            return b"\n".join(lines)
    except (orjson.JSONDecodeError, yaml.YAMLError, ValueError, TypeError, RecursionError, IndexError,
            KeyError, UnicodeDecodeError):
        pass
    return _token_mutation(data, rng)


def _zip_mutation(data: bytes, rng: random.Random) -> bytes:
    """Change one part of an XLSX (zip) archive: a token of its XML, or the part's bytes."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = [(info, archive.read(info)) for info in archive.infolist()]
    except Exception:
        return _bytes_mutation(data, rng, [])
    if not parts:
        return data
    index = rng.randrange(len(parts))
    info, body = parts[index]
    if rng.random() < 0.8:
        body = _token_mutation(body, rng)
    else:
        body = _bytes_mutation(body, rng, [])
    parts[index] = (info, body)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, body in parts:
            archive.writestr(info.filename, body)
    return buffer.getvalue()


def mutate(seed: Seed, rng: random.Random, others: list[bytes] | None = None) -> bytes:
    """One to three mutations of a seed's bytes, at the byte, token or structure level."""
    data = seed.data
    for _ in range(rng.randint(1, 3)):
        level = rng.randrange(10)
        if level < 3:
            data = _bytes_mutation(data, rng, others or [])
        elif level < 6:
            data = _token_mutation(data, rng)
        else:
            data = _structure_mutation(seed, data, rng)
    return data


# -- the oracle ------------------------------------------------------------------------------------

@dataclass
class Outcome:
    kind: str
    """read | refused | crash"""
    facts: int = 0
    error: BaseException | None = None
    located: bool = False
    """For a refusal: the error names a place in the file, not only the file."""


@dataclass
class Tally:
    executions: int = 0
    read: int = 0
    refused: int = 0
    refused_located: int = 0
    crashes: list[tuple[str, BaseException, bytes]] = field(default_factory=list)

    def add(self, outcome: Outcome, seed: Seed, data: bytes) -> None:
        self.executions += 1
        if outcome.kind == "read":
            self.read += 1
        elif outcome.kind == "refused":
            self.refused += 1
            self.refused_located += outcome.located
        else:
            self.crashes.append((seed.name, outcome.error, data))


def _storable(facts) -> int:
    """Build the store's Arrow batches for the facts: a type the store cannot write is a crash."""
    groups: dict[str, list] = {}
    count = 0
    for fact in facts:
        groups.setdefault(type(fact).__name__, []).append(fact)
        count += 1
    for kind, items in groups.items():
        table = FACT_TABLES[kind]
        columns: dict[str, list] = {"source_id": ["x"] * len(items)}
        for name, sql, _ in table.columns:
            values = [getattr(f, name) for f in items]
            if name in ("identifiers", "properties"):
                values = [orjson.dumps(v, option=orjson.OPT_SORT_KEYS).decode() if v else None for v in values]
            columns[sql] = values
        pa.Table.from_pydict(columns, schema=table.arrow_schema)
    return count


def read_file(path: Path, limits: Limits | None = None) -> Outcome:
    """Detect and parse a file the way `cvrule ingest` does, and judge the result."""
    try:
        parsed = detect(path).parse(path, limits or Limits())
        return Outcome("read", _storable(parsed.facts))
    except InputError as error:
        named = Path(error.file)
        if named.parent != path.parent or not str(error).startswith(error.file):
            return Outcome("crash", error=AssertionError(f"refusal does not name the file: {error}"))
        return Outcome("refused", error=error, located=bool(error.location))
    except Exception as error:  # noqa: BLE001 - anything else is what we are looking for
        return Outcome("crash", error=error)


def read_case(path: Path, law) -> Outcome:
    """Load a case file as `cvrule case run` does, and decide it if it loads."""
    from cvrule.cases import load_case, run_case

    try:
        case = load_case(path)
    except InputError as error:
        if not str(error).startswith(str(path)):
            return Outcome("crash", error=AssertionError(f"refusal does not name the file: {error}"))
        return Outcome("refused", error=error, located=bool(error.location))
    except Exception as error:  # noqa: BLE001
        return Outcome("crash", error=error)
    try:
        decisions = run_case(case, law)
    except CvruleError as error:
        return Outcome("refused", error=error, located=False)
    except Exception as error:  # noqa: BLE001
        return Outcome("crash", error=error)
    return Outcome("read", len(decisions))


SET_FORMATS = {"ofac-sdn-csv"}
"""Formats whose main file is read with the files beside it (OFAC's sdn.csv with add.csv, alt.csv...)."""


def execute(seed: Seed, data: bytes, workdir: Path, law=None, limits: Limits | None = None) -> Outcome:
    """Write the mutated bytes under the seed's own file name in a fresh folder (with the seed's
    unmutated siblings, for formats read as a set), and read them."""
    folder = workdir / "run"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir()
    if seed.format in SET_FORMATS:
        for sibling in seed.path.parent.iterdir():
            if sibling.is_file() and sibling.name != seed.path.name:
                shutil.copyfile(sibling, folder / sibling.name)
    path = folder / seed.path.name
    path.write_bytes(data)
    if seed.format == "cvrule-case" and law is not None:
        return read_case(path, law)
    return read_file(path, limits)


def crash_key(error: BaseException) -> str:
    """The exception type and the innermost cvrule frame: one key per distinct crasher."""
    import traceback

    frames = [f for f in traceback.extract_tb(error.__traceback__) if "cvrule" in f.filename]
    where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "?"
    return f"{type(error).__name__} at {where}"

