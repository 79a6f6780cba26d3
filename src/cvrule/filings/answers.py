"""The answers file (`--answers FILE`, docs/filings.md): what the team supplies for the items of
a filing that no data gives (a TARA, security standards, mitigations, the submitter...).

    cvrule_answers: 1
    answers:
      security_standards: "ISO/SAE 21434:2021 CSMS, UN R155 type approval E4-..."
      tara: {title: "MT-200 TARA rev C", file: docs/mt200-tara.pdf}
      ...

Keys are the `missing` keys a draft lists; a value is text, a list or a mapping, kept as given.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cvrule.errors import InputError
from cvrule.filings.filing import Answer
from cvrule.yamlio import parse_yaml

__all__ = ["Answers", "load_answers"]


class Answers:
    def __init__(self, values: dict[str, Answer] | None = None):
        self.values = values or {}

    def get(self, key: str) -> Answer | None:
        return self.values.get(key)

    def unused(self, known: set[str]) -> list[str]:
        return sorted(set(self.values) - known)


def load_answers(path: Path, known: set[str] | None = None) -> Answers:
    """Read an answers file; errors name the file, the key and the line."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise InputError(str(path), None, f"cannot be read: {error.strerror or error}") from None
    document = parse_yaml(raw, path)
    data = document.data
    if not isinstance(data, dict) or data.get("cvrule_answers") != 1:
        raise InputError(str(path), "cvrule_answers (line 1)", "expected an answers file starting `cvrule_answers: 1`")
    extra = sorted(set(data) - {"cvrule_answers", "answers"})
    if extra:
        raise InputError(str(path), f"{extra[0]} (line {document.line_of((extra[0],))})",
                         "unknown key: expected only cvrule_answers and answers")
    answers = data.get("answers") or {}
    if not isinstance(answers, dict):
        raise InputError(str(path), f"answers (line {document.line_of(('answers',))})", "expected a mapping of keys to answers")
    values: dict[str, Answer] = {}
    for key, value in answers.items():
        line = document.line_of(("answers", key))
        if not isinstance(key, str):
            raise InputError(str(path), f"answers (line {line})", f"key {key!r}: expected text")
        if known is not None and key not in known:
            raise InputError(str(path), f"answers.{key} (line {line})",
                             f"not a filing key; expected one of {', '.join(sorted(known))}")
        if value is None or value == "" or value == [] or value == {}:
            raise InputError(str(path), f"answers.{key} (line {line})", "empty answer: leave the key out instead")
        values[key] = Answer(value=_plain(value), source=f"{path.name}, line {line}")
    return Answers(values)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
