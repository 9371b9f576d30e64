"""Renderers for lint results: text (rich), json, sarif, github."""

from __future__ import annotations

from doctract.output.formats import FORMATS, render

__all__ = ["FORMATS", "render"]
