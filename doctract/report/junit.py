"""JUnit XML: one testcase per scenario; a failure's message is the first divergence, its text
every finding with its doc location. Blocked tutorials are errors (they could not be checked)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import Any

from doctract.secrets import NO_SECRETS, Scrubber

SERIOUS = ("error", "warning")


def _finding_line(f: dict[str, Any]) -> str:
    text = f"{f['path']}:{f['line']}: {f['severity']} {f['rule']}: {f['message']}"
    return text + (f" (hint: {f['hint']})" if f["hint"] else "")


def junit_xml(
    tutorials: Sequence[dict[str, Any]], suite: str = "doctract", scrubber: Scrubber = NO_SECRETS
) -> bytes:
    """Every string of the results, then the document's text, goes through the scrubber."""
    tutorials = scrubber.data(list(tutorials))
    failures = sum(1 for t in tutorials if t["status"] == "failed")
    errors = sum(1 for t in tutorials if t["status"] == "blocked")
    seconds = sum(float(t.get("seconds", 0.0)) for t in tutorials)
    root = ET.Element("testsuites", name=suite)
    node = ET.SubElement(
        root,
        "testsuite",
        name=suite,
        tests=str(len(tutorials)),
        failures=str(failures),
        errors=str(errors),
        skipped="0",
        time=f"{seconds:.3f}",
    )
    for tutorial in tutorials:
        first = tutorial["requests"][0]["line"] if tutorial["requests"] else 1
        case = ET.SubElement(
            node,
            "testcase",
            classname=tutorial["path"],
            name=str(tutorial.get("scenario") or tutorial["path"]),
            file=tutorial["path"],
            line=str(first),
            time=f"{float(tutorial.get('seconds', 0.0)):.3f}",
        )
        serious = [f for f in tutorial["findings"] if f["severity"] in SERIOUS]
        if tutorial["status"] in ("failed", "blocked") and serious:
            tag = "failure" if tutorial["status"] == "failed" else "error"
            outcome = ET.SubElement(
                case, tag, message=_finding_line(serious[0]), type=serious[0]["rule"]
            )
            outcome.text = "\n".join(_finding_line(f) for f in tutorial["findings"])
        notes = [f for f in tutorial["findings"] if f["severity"] not in SERIOUS]
        if notes:
            ET.SubElement(case, "system-out").text = "\n".join(_finding_line(f) for f in notes)
    ET.indent(root)
    text = ET.tostring(root, encoding="unicode", xml_declaration=False)
    return ("<?xml version='1.0' encoding='utf-8'?>\n" + scrubber.markup(text)).encode()
