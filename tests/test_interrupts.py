"""SIGTERM takes Ctrl-C's path (a KeyboardInterrupt that says which signal it was), and cleanup
is not cut short by a second signal: one that arrives during it is raised once it is done,
unless the process is already stopping."""

from __future__ import annotations

import os
import signal

import pytest

from doctract import interrupts


def test_sigterm_is_a_keyboard_interrupt_naming_its_signal() -> None:
    with interrupts.terminate_as_interrupt(), pytest.raises(KeyboardInterrupt) as caught:
        os.kill(os.getpid(), signal.SIGTERM)
    assert isinstance(caught.value, interrupts.Terminated)
    assert interrupts.signal_name(caught.value) == "SIGTERM"
    assert interrupts.signal_name(KeyboardInterrupt()) == "SIGINT"
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # restored


def test_a_signal_during_cleanup_waits_for_its_end() -> None:
    done = []
    with interrupts.terminate_as_interrupt():
        with pytest.raises(interrupts.Terminated), interrupts.deferred():
            os.kill(os.getpid(), signal.SIGTERM)
            done.append("cleanup went on")
        assert done == ["cleanup went on"]
        # already stopping (the first Ctrl-C): a second one during cleanup is not raised again
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGINT)
        with interrupts.deferred():
            os.kill(os.getpid(), signal.SIGINT)
            done.append("cleanup after the interrupt went on")
    assert done[-1] == "cleanup after the interrupt went on"
