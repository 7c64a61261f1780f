"""Whether the process that left something behind (a run marked running, a scratch folder) is
still alive: a process killed outright (SIGKILL, a power cut) cleans up nothing itself."""

from __future__ import annotations

import os
import socket


def this_process() -> dict[str, str | int]:
    """This process, as a later one on this machine can look it up."""
    return {"host": socket.gethostname(), "pid": os.getpid()}


def gone(process: object) -> bool:
    """True only when `process` (a this_process() of earlier) ran on this machine and no
    process has its pid any more. Anything unknown (another machine, no record, a pid reused
    since, no right to signal it) counts as alive: what it left is kept."""
    if not isinstance(process, dict) or process.get("host") != socket.gethostname():
        return False
    pid = process.get("pid")
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return True
    except OSError:  # PermissionError: it exists under another user
        return False
    return False
