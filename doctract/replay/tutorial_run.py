"""One tutorial's run as the pytest plugin drives it, and what a run guarantees about it.

Every documented request ends in a terminal state: sent, or not sent with the finding that says
why (reported while its step ran: broken, blocked, refused, no recording, an unusable
cassette). A request with neither, because the replay stopped before it or because of a bug,
becomes a `request-not-sent` finding. Any failure doctract did not classify (an exception in a
step, in setting up or finishing the replay, a step pytest-bdd could not run) is an
`internal-error` finding at the tutorial. The tutorial's record is built from these findings
after its clean-up, so its status, the summary and the exit status cannot disagree.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from doctract.findings import Finding, Severity
from doctract.replay.cleanup import Cleanup
from doctract.replay.session import Outcome, Replay, tutorial_status
from doctract.rule_ids import CASSETTE_UNREADABLE, INTERNAL_ERROR, REQUEST_NOT_SENT
from doctract.secrets import Scrubber, from_environment


@dataclass(frozen=True)
class Documented:
    """A request the feature documents (its `When request N at line L, "step", ...`)."""

    index: int
    line: int
    step: str


@dataclass(frozen=True)
class Ending:
    """How a documented request's step ended: sent, or the rules of the findings reported
    while it ran (why it was not sent)."""

    sent: bool
    because: tuple[str, ...] = ()

    @property
    def terminal(self) -> bool:
        return self.sent or bool(self.because)


def unaccounted(
    documented: Iterable[Documented], endings: Mapping[int, Ending]
) -> list[Documented]:
    """The documented requests without a terminal state: never reached, or neither sent nor
    explained by a finding."""
    return [d for d in documented if not (d.index in endings and endings[d.index].terminal)]


class TutorialRun:
    """The replay of one scenario, its documented requests and how each ended."""

    def __init__(self, path: str, scenario: str, documented: Iterable[Documented]) -> None:
        self.path = path
        self.scenario = scenario
        self.documented = {d.index: d for d in documented}
        self.replay: Replay | None = None
        self.endings: dict[int, Ending] = {}
        self.findings: list[Finding] = []  # only while there is no replay to hold them
        self.verdict_given = False  # the test failed on purpose: the tutorial diverges
        self.failed_step = ""  # the step pytest-bdd saw raise, if any
        self.started = time.perf_counter()
        self.interrupted: str | None = None  # the signal that cut the run short (SIGTERM)
        self.written: dict[str, Any] | None = None  # the record, once written
        self._line: int | None = None  # the documented request whose step is running

    def set(self, replay: Replay) -> None:
        self.replay = replay
        replay.findings[:0] = self.findings
        self.findings = replay.findings

    def scrubber(self) -> Scrubber:
        """What this tutorial's findings and record must not show (doctract.secrets): the
        replay's scrubber, which knows the values it sent; the environment's without one."""
        return self.replay.scrubber if self.replay is not None else from_environment()

    @property
    def current(self) -> Replay:
        if self.replay is None:
            raise LookupError('a doctract step ran before "Given the tutorial ..."')
        return self.replay

    # --- steps ----------------------------------------------------------------------------

    @contextmanager
    def sending(self, index: int) -> Iterator[Replay]:
        """Around a request's When step: what the step reports explains a request it did not
        send; an exception is an internal-error at the request's line, and the replay goes on
        with the next request."""
        replay = self.current
        mark = len(replay.findings)
        with self.checking(index):
            yield replay
        documented = self.documented.get(index)
        if index not in replay.outcomes and documented is not None:  # it failed before a start
            replay.outcomes[index] = Outcome(documented.line, documented.step)
        outcome = replay.outcomes.get(index)
        sent = outcome is not None and outcome.sent
        because = tuple(f.rule for f in replay.findings[mark:])
        if replay.unusable is not None:  # reported once, at the cassette
            because += (CASSETTE_UNREADABLE,)
        if outcome is not None and not sent:
            outcome.failed = True  # the later steps treat it as a request that failed
        self.endings[index] = Ending(sent, because)

    @contextmanager
    def checking(self, index: int) -> Iterator[Replay]:
        """Around any step of a request: an exception is an internal-error at its line."""
        replay = self.current
        documented = self.documented.get(index)
        self._line = documented.line if documented else None
        try:
            yield replay
        except Exception as exc:
            self.internal_error(f"request {index}", exc)
        finally:
            self._line = None

    # --- the guarantee ----------------------------------------------------------------------

    def internal_error(self, where: str, exc: BaseException | None, text: str = "") -> None:
        """A failure doctract did not classify, at the request that was running (else at the
        tutorial's first line)."""
        what = f"{type(exc).__name__}: {str(exc).strip()}" if exc is not None else text
        first = (what.splitlines() or ["unknown"])[0][:300]
        self._add(
            INTERNAL_ERROR,
            self._line or 1,
            f"doctract failed in {where}: {first}",
            "a bug in doctract: please report it with the document",
        )
        self._line = None

    def account(self) -> None:
        """A `request-not-sent` finding for each documented request without a terminal state;
        it then counts as not sent, with that finding."""
        stopped = next((f.line for f in self.findings if f.rule == INTERNAL_ERROR), None)
        why, hint = "doctract reported no reason (a bug: please report it)", ""
        if self.interrupted is not None:
            why, hint = f"the run was interrupted ({self.interrupted}) before it", "run it again"
        elif stopped is not None:
            why = f"the replay stopped before it (internal-error at line {stopped})"
            hint = "see the finding that stopped the replay"
        for missing in unaccounted(sorted(self.documented.values(), key=_index), self.endings):
            self._add(
                REQUEST_NOT_SENT,
                missing.line,
                f"request {missing.index} ({missing.step}) was not sent: {why}",
                hint,
            )
            self.endings[missing.index] = Ending(False, (REQUEST_NOT_SENT,))
            if self.replay is not None:
                outcome = self.replay.outcomes.setdefault(
                    missing.index, Outcome(missing.line, missing.step)
                )
                outcome.failed = True

    def record(self) -> dict[str, Any]:
        """What the results file shows of this tutorial, once every request is accounted for."""
        self.account()
        if self.replay is not None:
            record = self.replay.record()
        else:
            requests = [
                Outcome(d.line, d.step, failed=True).to_dict(d.index)
                for d in sorted(self.documented.values(), key=_index)
            ]
            record = {
                "path": self.path,
                "status": tutorial_status(self.findings),
                "finished": False,
                "retried": 0,
                "recovered": 0,
                "cleanup": Cleanup().summary(),
                "findings": [f.to_dict() for f in self.findings],
                "requests": requests,
            }
        record["scenario"] = self.scenario
        record["seconds"] = round(time.perf_counter() - self.started, 4)
        return record

    def _add(self, rule: str, line: int, message: str, hint: str) -> None:
        if self.replay is not None and rule != INTERNAL_ERROR:
            self.replay.report(rule, line, message, hint)
            return
        from doctract.checks import RULES

        # internal-error is always an error (like lint's); it is registered with the lint rules
        severity = Severity.ERROR if rule == INTERNAL_ERROR else RULES[rule].severity
        scrub = self.scrubber()
        clean = scrub.text(message)
        self.findings.append(Finding(rule, severity, self.path, line, 1, clean, scrub.text(hint)))


def _index(documented: Documented) -> int:
    return documented.index
