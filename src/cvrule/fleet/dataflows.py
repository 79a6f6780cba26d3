"""The risk findings of a fleet assessment: its data-flow and remote-access register
(`dataflows.yaml`, `.yml` or `.xlsx` at the top of the assessed folder, docs/dataflows.md) and
the `services` the fleet's CycloneDX BOMs declare, matched against the parties the assessment
decided (cvrule.filings.risk).

The register is an input of the run (in its id and its record pack, so `cvrule replay` finds the
same findings), but not of the law: findings sit beside the legal outcome and change no decision.
"""

from __future__ import annotations

import mmap
from datetime import date
from pathlib import Path

from cvrule.fleet.manifest import FleetManifest
from cvrule.fleet.result import Assessment, RiskFinding

__all__ = ["REGISTER_NAMES", "fleet_findings", "fleet_register", "register_files"]

REGISTER_NAMES = ("dataflows.yaml", "dataflows.yml", "dataflows.xlsx")


def register_files(folder: Path) -> list[Path]:
    """The register files at the top of an assessed folder."""
    return [folder / name for name in REGISTER_NAMES if (folder / name).is_file()]


def fleet_register(folder: Path, manifest: FleetManifest, registers: list[Path]):
    """The registers of the folder merged with the services of the manifest's CycloneDX BOMs;
    None when there is neither."""
    from cvrule.filings.dataflows import load_register

    found = [load_register(path) for path in registers]
    for name in manifest.bom_files():
        from_services = _services_register(folder / name, name)
        if from_services is not None:
            found.append(from_services)
    if not found:
        return None
    if len(found) == 1:
        return found[0]
    from cvrule.filings.dataflows_cyclonedx import merge_registers

    return merge_registers(*found)


def _services_register(path: Path, name: str):
    """A register from one BOM's CycloneDX `services`, items named by the manifest's path; None
    when the file declares no services (a byte search first, so large BOMs are not parsed again)."""
    if not _mentions_services(path):
        return None
    try:
        from cvrule.filings.dataflows_cyclonedx import register_from_cyclonedx
    except ImportError:  # pragma: no cover - a build without the CycloneDX services reader
        return None
    register = register_from_cyclonedx(path)
    if register is None:
        return None
    items = tuple(item.model_copy(update={"bom": name}) for item in register.items)
    return register.model_copy(update={"items": items})


def _mentions_services(path: Path) -> bool:
    """Whether a file is a CycloneDX BOM that may declare services (a byte search, no parse)."""
    try:
        with path.open("rb") as stream:
            if path.stat().st_size == 0:
                return False
            with mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ) as view:
                if view[:64].lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):  # JSON: one pass for "services"
                    return view.find(b'"bomFormat"') >= 0 and view.find(b'"services"') >= 0
                return view.find(b"cyclonedx.org/schema/bom") >= 0 and view.find(b"services>") >= 0
    except (OSError, ValueError):
        return False


def fleet_findings(register, assessment: Assessment, law, day: date, store=None) -> list[RiskFinding]:
    """The register's findings against the assessment, in register order, with the covered
    jurisdictions in force on `day`."""
    from cvrule.filings.risk import covered_jurisdictions, register_findings

    covered = covered_jurisdictions(law, max(day, law.in_force_from()))
    return register_findings(register, assessment, covered, store)
