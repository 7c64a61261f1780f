"""Whether a process that left something behind is gone: only when it surely is."""

from __future__ import annotations

from civharm.core.processes import gone, this_process
from tests.incidents.factories import a_finished_process


def test_a_process_that_exited_is_gone_and_this_one_is_not() -> None:
    assert gone(a_finished_process())
    assert not gone(this_process())


def test_another_machine_boot_or_pid_namespace_is_never_taken_for_gone() -> None:
    """A container may share the machine's hostname and have its own pids: a pid there says
    nothing here. The same for a machine rebooted since, or another machine."""
    finished = a_finished_process()
    for key, other in (("host", "another-machine"), ("boot", "another-boot"), ("pidns", 1)):
        assert not gone({**finished, key: other}), key
    assert not gone(None) and not gone({}) and not gone({**finished, "pid": True})


def test_a_pid_reused_by_a_later_process_is_gone() -> None:
    """Our pid, but a start time that is not ours: the process recorded was another one."""
    me = this_process()
    if me["started"] is None:  # no /proc: start times cannot be told apart here
        assert not gone({**me, "started": 1})
        return
    assert gone({**me, "started": int(me["started"]) - 1})
