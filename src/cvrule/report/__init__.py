"""Reports of an assessment: HTML, PDF, XLSX, CSV, JSON and SARIF, each rendered from the one
`cvrule.fleet.result.Assessment` and deterministic (the same assessment gives the same bytes).

`write_reports` renders every format asked for in memory first, then writes each file to a
temporary name in the output folder and moves them all into place: when anything fails, no
report file is left half-written and no new one is left behind.
"""

from __future__ import annotations

import importlib
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from cvrule.errors import CvruleError
from cvrule.fleet.result import Assessment

__all__ = ["FORMATS", "ReportError", "render", "write_reports"]

FORMATS = ("html", "pdf", "xlsx", "csv", "json", "sarif")


class ReportError(CvruleError):
    """A report could not be rendered or written."""


_RENDERERS = {
    "html": ("cvrule.report.html", "render_html", "report.html"),
    "pdf": ("cvrule.report.pdf", "render_pdf", "report.pdf"),
    "xlsx": ("cvrule.report.xlsx", "render_xlsx", "report.xlsx"),
    "csv": ("cvrule.report.csv", "render_csv", None),
    "json": ("cvrule.report.json", "render_json", "assessment.json"),
    "sarif": ("cvrule.report.sarif", "render_sarif", "report.sarif"),
}
"""Format -> (module, function, the file it renders; None: the function gives file name -> bytes).
A format's module is imported only when it is rendered (a JSON-only run loads no templates)."""


def _renderer(name: str) -> Callable[[Assessment], dict[str, bytes]]:
    module, function, file = _RENDERERS[name]
    rendering = getattr(importlib.import_module(module), function)
    return rendering if file is None else (lambda assessment: {file: rendering(assessment)})


def render(assessment: Assessment, formats: Iterable[str] = FORMATS, json: bytes | None = None) -> dict[str, bytes]:
    """File name -> bytes of every report in `formats`, in the order of FORMATS. `json`: the
    assessment's JSON (`Assessment.to_json()`) when the caller has made it already (it is large)."""
    wanted = list(dict.fromkeys(formats))
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown:
        raise ReportError(f"unknown report format {', '.join(unknown)}: expected some of {', '.join(FORMATS)}")
    files: dict[str, bytes] = {}
    for name in FORMATS:
        if name == "json" and name in wanted and json is not None:
            files["assessment.json"] = json
        elif name in wanted:
            files.update(_renderer(name)(assessment))
    return files


def write_reports(assessment: Assessment, out_dir: Path | str, formats: Iterable[str] = FORMATS,
                  json: bytes | None = None) -> list[Path]:
    """Render the reports and write them into `out_dir` (made if missing); return the paths
    written (`json` as for `render`). All or nothing: on any error no partial or temporary file is left, and files
    that were not there before are not there after."""
    files = render(assessment, formats, json)
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ReportError(f"cannot make the report folder {out}: {error.strerror or error}") from None
    targets = [out / name for name in files]
    for target in targets:
        if target.is_dir():
            raise ReportError(f"cannot write {target}: a folder has that name")
    staged: list[tuple[Path, Path]] = []
    placed: list[Path] = []
    try:
        for target, payload in zip(targets, files.values()):
            staged.append((_stage(out, target.name, payload), target))
        for temp, target in staged:
            existed = target.exists()
            os.replace(temp, target)
            if not existed:
                placed.append(target)
    except OSError as error:
        for temp, _ in staged:
            _unlink(temp)
        for target in placed:
            _unlink(target)
        where = getattr(error, "filename", None) or out
        raise ReportError(f"cannot write the reports into {out}: {error.strerror or error} ({where})") from None
    return targets


def _stage(folder: Path, name: str, payload: bytes) -> Path:
    handle, temp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    try:
        os.fchmod(handle, 0o666 & ~_umask())
        with os.fdopen(handle, "wb") as stream:
            stream.write(payload)
            stream.flush()
            os.fsync(stream.fileno())
    except BaseException:
        _unlink(Path(temp))
        raise
    return Path(temp)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
