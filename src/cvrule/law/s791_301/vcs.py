"""15 CFR 791.301: vehicle connectivity system (VCS) and VCS hardware.

A VCS directly enables the transmission, receipt, conversion or processing of radio
frequency communications over 450 MHz; items that only sense (radar, LiDAR, camera, audio,
tire pressure) or give vehicle access (key fobs) are excluded. VCS hardware is a
software-enabled or programmable component that directly enables a VCS function or is part of
an item that does; passive components are not. Thresholds and exclusions are parameters.
"""

from __future__ import annotations

from cvrule.law.findings import Finding, fact, missing, reason
from cvrule.law.parameters import Edition
from cvrule.model import Installation, Item

__all__ = ["has_vcs_function", "is_vcs_hardware"]

CITE = "791.301"


def has_vcs_function(item: Item, edition: Edition) -> Finding:
    """Whether the item itself directly enables radio communications over the threshold."""
    if item.rf is None:
        return Finding.unknown(
            reason(f"the radio functions of {item.name} are not known", None, CITE, [fact("items", item.id, "rf")]),
            missing(f"items.{item.id}.rf", f"Which radio functions does {item.name} enable?"),
        )
    excluded = edition.param("vcs_excluded_functions")
    threshold = edition.param("vcs_rf_threshold_mhz")
    functions = [f.value for f in item.rf if f.value not in excluded.value]
    if not functions:
        what = ", ".join(f.value for f in item.rf) or "no radio function"
        return Finding(
            False,
            reason(
                f"{item.name} enables only {what}: sensing and vehicle-access functions are not "
                "vehicle connectivity",
                False,
                CITE,
                [fact("items", item.id, "rf")],
                [excluded] if item.rf else [],
            ),
        )
    named = ", ".join(functions)
    if item.max_rf_mhz is None:
        return Finding.unknown(
            reason(f"{item.name} enables {named}, at frequencies not stated", None, CITE, [fact("items", item.id, "max_rf_mhz")]),
            missing(f"items.{item.id}.max_rf_mhz", f"What is the highest radio frequency {item.name} handles?"),
        )
    over = item.max_rf_mhz > threshold.value
    words = "over" if over else "not over"
    return Finding(
        over,
        reason(
            f"{item.name} enables {named} up to {item.max_rf_mhz:g} MHz, {words} "
            f"{threshold.value:g} MHz",
            over,
            CITE,
            [fact("items", item.id, "rf"), fact("items", item.id, "max_rf_mhz")],
            [threshold, excluded],
        ),
    )


def is_vcs_hardware(item: Item, edition: Edition, within: tuple[Item, ...] = ()) -> Finding:
    """Whether `item` is VCS hardware, `within` being the items it is a part of (outermost first)."""
    if not item.is_hardware:
        return Finding(False, reason(f"{item.name} is software, not hardware", False, CITE, [fact("items", item.id, "type")]))
    if item.installation is Installation.aftermarket:
        aftermarket = edition.param("aftermarket_items_in_scope")
        if not aftermarket.value:
            return Finding(
                False,
                reason(
                    f"{item.name} is an aftermarket item, outside the VCS hardware definition",
                    False,
                    CITE,
                    [fact("items", item.id, "installation")],
                    [aftermarket],
                ),
            )
    passive = edition.param("passive_components_excluded")
    if item.passive and passive.value:
        return Finding(
            False,
            reason(f"{item.name} is a passive component, not VCS hardware", False, CITE, [fact("items", item.id, "passive")], [passive]),
        )
    own = has_vcs_function(item, edition)
    if own.value is True:
        return Finding(True, reason(f"{item.name} is VCS hardware: it directly enables a VCS function", True, CITE, because=[own.reason]))
    carrier = next((outer for outer in reversed(within) if has_vcs_function(outer, edition).value), None)
    if carrier is None:
        if own.value is None:
            return own
        return Finding(False, reason(f"{item.name} is not VCS hardware", False, CITE, because=[own.reason]))
    if item.passive is None and passive.value:
        return Finding.unknown(
            reason(
                f"{item.name} is part of {carrier.name}, which enables a VCS function; whether it is "
                "a passive component is not known",
                None,
                CITE,
                [fact("items", item.id, "passive")],
                [passive],
            ),
            missing(f"items.{item.id}.passive", f"Is {item.name} a passive component (resistor, capacitor, fastener)?"),
        )
    return Finding(
        True,
        reason(
            f"{item.name} is VCS hardware: a component of {carrier.name}, which directly enables a VCS function",
            True,
            CITE,
            [fact("items", carrier.id, "contains")],
        ),
    )
