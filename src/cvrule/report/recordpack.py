"""Record packs (15 CFR 791.312): everything needed to show, years later, what an assessment
decided and on what, in one zip.

791.312(a) requires the records of each transaction that needs a Declaration of Conformity or
an authorization to be available for at least 10 years after it. A record pack keeps cvrule's
part of those records:

    assessment.json       the assessment (`Assessment.to_json()`)
    edition.json          the rule and the edition of the legal parameters it was decided under
    parameters/*.yaml     the legal parameter files in force for the run
    inputs/<sha256>       every input file, content-addressed, from the workspace's evidence store
    judgements.json       the analysts' judgements the run applied (who, when, why; hash-chained),
                          when there were any: `cvrule replay` restores them before resolving
    MANIFEST.json         every other member with its SHA-256 and size, and the run id

The zip is deterministic: members in a fixed order, every timestamp the evaluation date (or
1980-01-01, the earliest a zip can hold), permissions rw-r--r--, so that two packs of the same
assessment are byte-identical.

Inputs are stored as they are (zip method 0), not deflated: they are already kept whole and
content-addressed in the evidence store, each is checked against its SHA-256 on the way in and
out, and deflating a fleet's gigabytes of JSON was most of an assessment's time (25 MB/s at
zlib's default level, 48 MB/s at level 1 on the 2-core benchmark machine: about 90 s for the
2.3 GB of inputs of a 5 M-component fleet). The members cvrule writes (the assessment, edition,
parameters, manifest) are deflated at level 1 (`OWN_LEVEL`). A reader takes either method.

`read_record_pack` trusts nothing in a pack: it refuses, naming the pack and the member, a file
that is not a zip, a member path that could escape the target folder (absolute, `..`, a
drive, a backslash) or is a symlink, encrypted members, a member missing from or not listed in
the manifest, a member whose bytes do not match the manifest's SHA-256 or size, an input whose
content does not match its name, and archives beyond the limits below (zip bombs). It extracts
into a staging folder and moves it into place only when everything checked, so a refused pack
leaves nothing behind.

Limits (`PackLimits`): at most 1,000,000 members; each member at most the ingest limit
`max_file_bytes` (`CVRULE_INGEST_MAX_FILE_BYTES`, 4 GiB by default: no input larger was ever
read); at most 64 GiB uncompressed in all (a constant here: a pack holds a whole fleet's
inputs); and no member over 1 MiB may expand more than the ingest limit
`max_compression_ratio` (`CVRULE_INGEST_MAX_COMPRESSION_RATIO`, 200) times its compressed size.
Sizes are counted on the bytes actually inflated, not on what the zip headers claim.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any

import orjson

from cvrule.errors import InputError, ParameterError
from cvrule.fleet.result import Assessment
from cvrule.ingest.limits import Limits
from cvrule.law.parameters import Law
from cvrule.report.evidence import EvidenceStore

__all__ = ["PACK_FORMAT", "PackLimits", "RecordPack", "parameters_digest", "read_record_pack", "write_record_pack"]

PACK_FORMAT = 1
MANIFEST = "MANIFEST.json"
ASSESSMENT = "assessment.json"
EDITION = "edition.json"
JUDGEMENTS = "judgements.json"
RULE = {
    "title": "Securing the Information and Communications Technology and Services Supply Chain: Connected Vehicles",
    "cfr": "15 CFR part 791, subpart D",
    "federal_register": "90 FR 5360-5424 (2025-01-16), FR Doc. 2025-00592, RIN 0694-AJ56",
}
"""Which rule the parameters implement (the identification of the rule, not a legal value)."""

_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
_FILE_MODE = (stat.S_IFREG | 0o644) << 16
_UNIX = 3
_CHUNK = 1 << 20
OWN_LEVEL = 1
"""zlib level of the members cvrule writes (inputs are stored, see the module docstring)."""
_MAX_MANIFEST_BYTES = 256 * 1024**2


@dataclass(frozen=True)
class PackLimits:
    """What `read_record_pack` accepts (see the module docstring)."""

    max_members: int = 1_000_000
    max_member_bytes: int = field(default_factory=lambda: Limits.from_env().max_file_bytes)
    """No input larger than the ingest limit was ever read, so no member may be larger."""
    max_total_bytes: int = 64 * 1024**3
    """All members together; a pack holds every input of a fleet, so this is far above any one file."""
    max_ratio: int = field(default_factory=lambda: Limits.from_env().max_compression_ratio)
    ratio_floor_bytes: int = 1024**2
    """Members smaller than this are not held to max_ratio (small JSON compresses well)."""


@dataclass
class RecordPack:
    """A record pack read back and verified, extracted into `directory`."""

    path: Path
    directory: Path
    run_id: str
    manifest: dict[str, Any]
    assessment: Assessment
    edition: dict[str, Any]
    judgements: list[dict[str, Any]] = field(default_factory=list)
    """The analysts' judgement log the run applied (empty when it had none)."""

    @property
    def assessment_path(self) -> Path:
        return self.directory / ASSESSMENT

    @property
    def parameters_dir(self) -> Path:
        return self.directory / "parameters"

    def input_path(self, sha256: str) -> Path:
        return self.directory / "inputs" / sha256


def parameters_digest(files: list[tuple[str, bytes]]) -> str:
    """The digest of a parameter directory as `Law.load` computes it: file names in order, each
    name and content followed by a NUL."""
    hasher = hashlib.sha256()
    for name, content in sorted(files):
        hasher.update(name.encode() + b"\0" + content + b"\0")
    return hasher.hexdigest()


# -- writing ---------------------------------------------------------------------------------------


def write_record_pack(
    assessment: Assessment,
    evidence_dir: Path | str | EvidenceStore,
    parameters_dir: Path | str | None,
    out_path: Path | str,
    assessment_json: bytes | None = None,
    judgements: list[dict[str, Any]] | None = None,
) -> Path:
    """Write the record pack of `assessment` to `out_path` (a zip) and return its path.

    `evidence_dir` is the workspace's evidence store (`<workspace>/evidence`, or the
    `EvidenceStore` the Declarations copy from too); `parameters_dir` the legal parameter files
    the assessment was run with (None: the ones in force, as `Law.load` finds them:
    `CVRULE_PARAMETERS`, else the bundled ones). Refuses parameters
    whose digest is not the assessment's `parameters_sha256`, and inputs missing from the
    evidence store or no longer matching their hash. Written whole or not at all.

    `assessment_json`: `assessment.to_json()`, when the caller has it already (it is large).
    `judgements`: the workspace's judgement log (`ResolutionStore.judgements()` as dicts) when the
    run applied any; the run id covers its head, and a replay needs it to resolve names alike.
    """
    law = Law.load(parameters_dir)
    if law.digest != assessment.parameters_sha256:
        raise ParameterError(
            f"{law.directory}: these parameter files (sha256 {law.digest}) are not the ones assessment run "
            f"{assessment.run_id} was decided under (sha256 {assessment.parameters_sha256}); pass the parameter "
            "directory of that run"
        )
    parameter_files = [(p.name, p.read_bytes()) for p in sorted(law.directory.glob("*.yaml"))]
    evidence = evidence_dir if isinstance(evidence_dir, EvidenceStore) else EvidenceStore(evidence_dir)
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    stamp = _stamp(assessment.as_of)
    members: list[dict[str, Any]] = []

    handle, temporary = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.incoming-")
    os.close(handle)
    try:
        with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=OWN_LEVEL) as pack:
            def add(name: str, data: bytes) -> None:
                pack.writestr(_info(name, stamp), data, compresslevel=OWN_LEVEL)
                members.append({"path": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)})

            add(ASSESSMENT, assessment_json if assessment_json is not None else assessment.to_json())
            add(EDITION, _dumps(_edition(assessment, law, parameter_files)))
            for name, content in parameter_files:
                add(f"parameters/{name}", content)
            if judgements:
                add(JUDGEMENTS, _dumps({"cvrule_judgements": 1, "judgements": judgements}))
            for sha in sorted({i.sha256 for i in assessment.inputs}):
                members.append(_add_input(pack, evidence, sha, stamp))
            manifest = {
                "cvrule_record_pack": PACK_FORMAT,
                "run_id": assessment.run_id,
                "fleet": assessment.fleet,
                "as_of": assessment.as_of.isoformat() if assessment.as_of else None,
                "members": members,
            }
            pack.writestr(_info(MANIFEST, stamp), _dumps(manifest), compresslevel=OWN_LEVEL)
        os.replace(temporary, out)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return out


def _stamp(as_of: date | None) -> tuple[int, int, int, int, int, int]:
    if as_of is None or as_of.year < 1980 or as_of.year > 2107:
        return _ZIP_EPOCH
    return (as_of.year, as_of.month, as_of.day, 0, 0, 0)


def _info(name: str, stamp: tuple[int, int, int, int, int, int], stored: bool = False) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=stamp)
    info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    info.create_system = _UNIX
    info.external_attr = _FILE_MODE
    return info


def _add_input(pack: zipfile.ZipFile, evidence: EvidenceStore, sha: str, stamp) -> dict[str, Any]:
    name = f"inputs/{sha}"
    source = evidence.path(sha, f"input sha256 {sha} of the assessment is not in the evidence store {evidence.folder}")
    big = source.stat().st_size > zipfile.ZIP64_LIMIT
    with pack.open(_info(name, stamp, stored=True), "w", force_zip64=big) as writer:
        size = evidence.stream(sha, writer.write,
                               missing=f"input sha256 {sha} of the assessment is not in the evidence store {evidence.folder}",
                               altered="does not hash to its name: the evidence store was altered")
    return {"path": name, "sha256": sha, "size": size}


def _edition(assessment: Assessment, law: Law, parameter_files: list[tuple[str, bytes]]) -> dict[str, Any]:
    days = sorted({view.decision.evaluated_on for view in assessment.decisions})
    kept = [view.decision.records_until for view in assessment.decisions if view.decision.records_until]
    return {
        "rule": RULE,
        "rule_effective_date": law.history("rule_effective_date")[0].as_json(),
        "parameters_sha256": law.digest,
        "parameter_files": [name for name, _ in parameter_files],
        "evaluated_on": [d.isoformat() for d in days],
        "interpretations": sorted({p.name for p in assessment.interpretations}),
        "cvrule_version": assessment.cvrule_version,
        "engine": assessment.engine,
        "keep_until": max(kept).isoformat() if kept else None,
        "record_retention": _in_force(law, "record_retention_years", days[-1] if days else None),
    }


def _in_force(law: Law, name: str, day: date | None) -> dict[str, Any]:
    if day is not None:
        try:
            return law.edition(day).param(name).as_json()
        except ParameterError:
            pass
    return law.history(name)[-1].as_json()


def _dumps(data: Any) -> bytes:
    return orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"


# -- reading ---------------------------------------------------------------------------------------


def read_record_pack(path: Path | str, into_dir: Path | str, limits: PackLimits | None = None) -> RecordPack:
    """Verify the record pack at `path` against its manifest and extract it into `into_dir`
    (which must not exist or be empty). Raises InputError naming the pack and the member."""
    limits = limits or PackLimits()
    pack_path = Path(path)
    into = Path(into_dir)
    file = str(pack_path)
    if not pack_path.is_file():
        raise InputError(file, None, "does not exist or is not a file")
    if into.exists() and (not into.is_dir() or any(into.iterdir())):
        raise InputError(str(into), None, "exists and is not an empty folder: a record pack is extracted into a new folder")
    try:
        archive = zipfile.ZipFile(pack_path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise InputError(file, None, "is not a zip file: a record pack is a zip written by cvrule") from None
    except OSError as error:
        raise InputError(file, None, f"cannot be read: {error.strerror}") from None
    with archive:
        infos = _check_entries(file, archive.infolist(), limits)
        manifest = _manifest(file, archive, infos)
        listed = {m["path"]: m for m in manifest["members"]}
        for name in sorted(listed):
            if name not in infos:
                raise InputError(file, name, "member listed in MANIFEST.json is missing from the pack")
        for name in sorted(infos):
            if name != MANIFEST and name not in listed:
                raise InputError(file, name, "member is not listed in MANIFEST.json")
        into.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=into.parent, prefix=f".{into.name}.incoming-"))
        try:
            total = 0
            for name in sorted(listed):
                total = _extract(file, archive, infos[name], listed[name], staging, limits, total)
            (staging / MANIFEST).write_bytes(archive.read(MANIFEST))
            pack = _verify_contents(file, staging, manifest)
            if into.exists():
                into.rmdir()
            os.replace(staging, into)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    pack.path = pack_path
    pack.directory = into
    return pack


def _check_entries(file: str, infos: list[zipfile.ZipInfo], limits: PackLimits) -> dict[str, zipfile.ZipInfo]:
    if len(infos) > limits.max_members:
        raise InputError(file, None, f"has {len(infos):,} members, over the limit of {limits.max_members:,}")
    found: dict[str, zipfile.ZipInfo] = {}
    declared = 0
    for info in infos:
        name = info.filename
        problem = _unsafe_name(name)
        if problem:
            raise InputError(file, name, f"member path refused: {problem}")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise InputError(file, name, "member is a symbolic link: refused")
        if info.is_dir():
            raise InputError(file, name, "member is a folder entry, not listed in MANIFEST.json")
        if info.flag_bits & 0x1:
            raise InputError(file, name, "member is encrypted: refused")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise InputError(file, name, f"member uses compression method {info.compress_type}; a record pack stores or deflates")
        if name in found:
            raise InputError(file, name, "member appears twice")
        if info.file_size > limits.max_member_bytes:
            raise InputError(file, name, f"member is {info.file_size:,} bytes uncompressed, over the limit of {limits.max_member_bytes:,}")
        _check_ratio(file, name, info.file_size, info.compress_size, limits)
        declared += info.file_size
        if declared > limits.max_total_bytes:
            raise InputError(file, name, f"the members add up to more than {limits.max_total_bytes:,} bytes uncompressed (zip bomb?)")
        found[name] = info
    return found


def _unsafe_name(name: str) -> str | None:
    if not name:
        return "empty"
    if "\\" in name:
        return "contains a backslash"
    if "\0" in name:
        return "contains a NUL character"
    if name.startswith("/") or PurePosixPath(name).is_absolute():
        return "absolute path"
    if len(name) > 1 and name[1] == ":":
        return "names a drive"
    parts = name.rstrip("/").split("/")
    if any(part in ("", ".", "..") for part in parts):
        return "contains '..', '.' or an empty part (path traversal)"
    return None


def _check_ratio(file: str, name: str, size: int, compressed: int, limits: PackLimits) -> None:
    if size > limits.ratio_floor_bytes and size > limits.max_ratio * max(compressed, 1):
        raise InputError(file, name, f"member expands {size / max(compressed, 1):,.0f} times ({size:,} bytes), "
                                     f"over the limit of {limits.max_ratio} (zip bomb?)")


def _manifest(file: str, archive: zipfile.ZipFile, infos: dict[str, zipfile.ZipInfo]) -> dict[str, Any]:
    info = infos.get(MANIFEST)
    if info is None:
        raise InputError(file, MANIFEST, "is missing: not a cvrule record pack")
    if info.file_size > _MAX_MANIFEST_BYTES:
        raise InputError(file, MANIFEST, f"is {info.file_size:,} bytes, over {_MAX_MANIFEST_BYTES:,}")
    try:
        manifest = orjson.loads(_read_bounded(file, archive, info, _MAX_MANIFEST_BYTES))
    except orjson.JSONDecodeError as error:
        raise InputError(file, MANIFEST, f"is not valid JSON: {error}") from None
    if not isinstance(manifest, dict) or manifest.get("cvrule_record_pack") != PACK_FORMAT:
        raise InputError(file, MANIFEST, f"expected an object with \"cvrule_record_pack\": {PACK_FORMAT}")
    if not isinstance(manifest.get("run_id"), str) or not isinstance(manifest.get("members"), list):
        raise InputError(file, MANIFEST, "expected \"run_id\" (a text) and \"members\" (a list)")
    seen = set()
    for index, member in enumerate(manifest["members"]):
        ok = (isinstance(member, dict) and isinstance(member.get("path"), str) and isinstance(member.get("sha256"), str)
              and isinstance(member.get("size"), int) and not isinstance(member.get("size"), bool))
        if not ok:
            raise InputError(file, f"{MANIFEST}: members/{index}", "expected {\"path\", \"sha256\", \"size\"}")
        if member["path"] in seen or member["path"] == MANIFEST:
            raise InputError(file, member["path"], "listed twice in MANIFEST.json")
        seen.add(member["path"])
    return manifest


def _read_bounded(file: str, archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    chunks = []
    size = 0
    try:
        with archive.open(info) as reader:
            while chunk := reader.read(_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise InputError(file, info.filename, f"inflates to more than {limit:,} bytes")
                chunks.append(chunk)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as error:
        raise InputError(file, info.filename, f"member cannot be read: {error}") from None
    return b"".join(chunks)


def _extract(file: str, archive: zipfile.ZipFile, info: zipfile.ZipInfo, listed: dict[str, Any], staging: Path,
             limits: PackLimits, total: int) -> int:
    name = info.filename
    if listed["size"] != info.file_size:
        raise InputError(file, name, f"member is {info.file_size:,} bytes; MANIFEST.json says {listed['size']:,}")
    if name.startswith("inputs/") and name.removeprefix("inputs/") != listed["sha256"]:
        raise InputError(file, name, "input is not stored under its SHA-256")
    target = staging / name
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    try:
        with archive.open(info) as reader, open(target, "xb") as writer:
            while chunk := reader.read(_CHUNK):
                size += len(chunk)
                total += len(chunk)
                if size > info.file_size or size > limits.max_member_bytes:
                    raise InputError(file, name, "member inflates to more bytes than its header says (zip bomb?)")
                if total > limits.max_total_bytes:
                    raise InputError(file, name, f"the members inflate to more than {limits.max_total_bytes:,} bytes (zip bomb?)")
                digest.update(chunk)
                writer.write(chunk)
    except (zipfile.BadZipFile, EOFError, ValueError, zipfile.LargeZipFile) as error:
        raise InputError(file, name, f"member cannot be read: {error}") from None
    if digest.hexdigest() != listed["sha256"]:
        raise InputError(file, name, f"member's SHA-256 is {digest.hexdigest()}; MANIFEST.json says {listed['sha256']} (altered)")
    return total


def _verify_contents(file: str, staging: Path, manifest: dict[str, Any]) -> RecordPack:
    """What the members must say of each other: one assessment of the manifest's run, its inputs
    all present, its parameters the ones it was decided under."""
    assessment_file = staging / ASSESSMENT
    if not assessment_file.is_file():
        raise InputError(file, ASSESSMENT, "is missing")
    try:
        assessment = Assessment.from_json(assessment_file.read_bytes())
    except (orjson.JSONDecodeError, ValueError) as error:
        raise InputError(file, ASSESSMENT, f"is not a cvrule assessment: {str(error).splitlines()[0]}") from None
    if assessment.run_id != manifest["run_id"]:
        raise InputError(file, ASSESSMENT, f"is run {assessment.run_id}, but MANIFEST.json is for run {manifest['run_id']}")
    for entry in assessment.inputs:
        if not (staging / "inputs" / entry.sha256).is_file():
            raise InputError(file, f"inputs/{entry.sha256}", f"input {entry.path} of the assessment is missing from the pack")
    parameters = staging / "parameters"
    files = [(p.name, p.read_bytes()) for p in sorted(parameters.glob("*.yaml"))] if parameters.is_dir() else []
    if parameters_digest(files) != assessment.parameters_sha256:
        raise InputError(file, "parameters/", "the parameter files are not the ones the assessment was decided under")
    edition: dict[str, Any] = {}
    if (staging / EDITION).is_file():
        try:
            edition = orjson.loads((staging / EDITION).read_bytes())
        except orjson.JSONDecodeError as error:
            raise InputError(file, EDITION, f"is not valid JSON: {error}") from None
    judgements: list[dict[str, Any]] = []
    if (staging / JUDGEMENTS).is_file():
        try:
            judgements = orjson.loads((staging / JUDGEMENTS).read_bytes())["judgements"]
        except (orjson.JSONDecodeError, KeyError, TypeError) as error:
            raise InputError(file, JUDGEMENTS, f"is not cvrule's judgement log: {error}") from None
        if not isinstance(judgements, list) or not all(isinstance(row, dict) for row in judgements):
            raise InputError(file, JUDGEMENTS, "is not cvrule's judgement log: expected a list of judgements")
    return RecordPack(Path(file), staging, manifest["run_id"], manifest, assessment, edition, judgements)
