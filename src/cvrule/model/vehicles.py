"""Vehicles: a make, model and model year with the items built into it."""

from __future__ import annotations

from datetime import date

from pydantic import Field, StrictBool

from cvrule.model._base import Id, Strict

__all__ = ["Vehicle"]


class Vehicle(Strict):
    id: Id
    make: str = Field(min_length=1)
    model: str = Field(min_length=1)
    trim: str | None = None
    model_year: int = Field(ge=1900, le=2200)
    gvwr_lbs: float | None = Field(default=None, gt=0)
    public_roads: StrictBool | None = None
    rail_only: StrictBool = False
    completed: StrictBool | None = None
    ads: StrictBool | None = None
    ads_level: int | None = Field(default=None, ge=0, le=5)
    us_volume: int | None = Field(default=None, ge=0)
    first_sold_in_us: date | None = None
    manufacturer: Id
    items: tuple[Id, ...] = ()
