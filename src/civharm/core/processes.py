"""Whether the process that left something behind (a run marked running, a scratch folder) is
still alive: a process killed outright (SIGKILL, a power cut) cleans up nothing itself."""

from __future__ import annotations

import os
import socket
from pathlib import Path


def _read(path: str) -> str | None:
    try:
        return Path(path).read_text(encoding="ascii").strip()
    except (OSError, ValueError):
        return None


def _pid_namespace() -> int | None:
    """Pids mean something only within one pid namespace (a container has its own, and may
    share its hostname with the machine: --network host, hostNetwork, compose's hostname)."""
    try:
        return os.stat("/proc/self/ns/pid").st_ino
    except OSError:
        return None


def _started(pid: int) -> int | None:
    """When `pid` started (clock ticks since boot), to tell it from a later process that
    reuses its pid; None where there is no /proc."""
    stat = _read(f"/proc/{pid}/stat")
    try:
        return int(stat.rpartition(")")[2].split()[19]) if stat else None  # field 22
    except (IndexError, ValueError):
        return None


def this_process() -> dict[str, str | int | None]:
    """This process, as a later one on this machine can look it up."""
    pid = os.getpid()
    return {
        "host": socket.gethostname(),
        "boot": _read("/proc/sys/kernel/random/boot_id"),
        "pidns": _pid_namespace(),
        "pid": pid,
        "started": _started(pid),
    }


def gone(process: object) -> bool:
    """True only when `process` (a this_process() of earlier) ran on this machine, since its
    last boot, in this pid namespace, and no process has its pid any more, or the one that has
    it started later. Anything unknown (another machine or container, no record, no right to
    signal it) counts as alive: what it left is kept."""
    if not isinstance(process, dict):
        return False
    here = this_process()
    if any(process.get(key) != here[key] for key in ("host", "boot", "pidns")):
        return False
    pid = process.get("pid")
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return True
    except OSError:  # PermissionError: it exists under another user
        return False
    started = process.get("started")
    return started is not None and _started(pid) not in (None, started)  # pid reused since
