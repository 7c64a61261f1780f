"""Run a producer (read, validate, geocode, prepare) in a forked child; stream its output back.

On a machine with two cores the child reads the next batch while the parent writes this one.
The child never touches what it inherited beyond the producer: no database connection, no
transaction; it ends with os._exit, so inherited connections are never closed under the parent.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import pickle
import signal
import sys
import traceback
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from typing import TypeVar

from civharm.core.i18n import _

T = TypeVar("T")

_ITEM, _ERROR, _END = b"i", b"e", b"z"
COLLECT_EVERY = 100_000  # objects created since the last collection (see collect_between_items)


class ChildFailed(RuntimeError):
    """The child ended without a result or with an exception that could not be sent back."""


def can_fork() -> bool:
    """True where a forked child is cheap and safe (Linux and other non-macOS POSIX systems)."""
    return os.name == "posix" and sys.platform != "darwin"


def run_in_child(produce: Callable[[], Iterator[T]]) -> Iterator[T]:
    """Items of `produce()`, computed in a forked child process, in order.

    An exception raised in the child is raised here (same class and message). Closing the
    iterator early stops the child. If this process dies, the child ends at its next send.
    """
    receiver, sender = multiprocessing.Pipe(duplex=False)
    sys.stdout.flush()  # the child must not write out a copy of what is still buffered here
    sys.stderr.flush()
    child = multiprocessing.get_context("fork").Process(
        target=_child_main, args=(produce, sender, receiver), daemon=True
    )
    child.start()
    sender.close()
    try:
        yield from _receive(receiver)
    finally:
        receiver.close()
        if child.is_alive():
            child.terminate()
        child.join()


def _receive(receiver: Connection) -> Iterator[T]:
    while True:
        try:
            message = receiver.recv_bytes()
        except EOFError:
            raise ChildFailed(_("the reading process ended before the end of the file")) from None
        kind, body = message[:1], message[1:]
        if kind == _END:
            return
        if kind == _ERROR:
            raise pickle.loads(body)  # noqa: S301 - our own child, through our own pipe
        yield pickle.loads(body)  # noqa: S301


def _child_main(
    produce: Callable[[], Iterator[T]], sender: Connection, receiver: Connection
) -> None:
    receiver.close()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    gc.freeze()  # what we inherited is never garbage here: keep the collector off it (~15 %)
    try:
        for item in collect_between_items(produce()):
            sender.send_bytes(_ITEM + pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL))
        sender.send_bytes(_END)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the parent has gone: nobody to tell
    except BaseException as exc:
        _send_error(sender, exc)
    finally:
        sender.close()


def collect_between_items(items: Iterator[T], every: int = COLLECT_EVERY) -> Iterator[T]:
    """`items`, with the cyclic garbage collector run between items rather than during them.

    A batch keeps thousands of records alive while it is built, and the automatic collector
    would walk them again and again (≈ 10 % of the reading time). Here it runs once the
    objects created since the last collection exceed `every`, after the consumer is done with
    an item: reference cycles still get freed, at most one item's worth later. Meant for a
    process of its own (the reading child): switching the collector off is process-wide.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for item in items:
            yield item
            del item
            if gc.get_count()[0] >= every:
                gc.collect()
    finally:
        if was_enabled:
            gc.enable()


def _send_error(sender: Connection, exc: BaseException) -> None:
    try:
        body = pickle.dumps(exc, protocol=pickle.HIGHEST_PROTOCOL)
        pickle.loads(body)  # noqa: S301 - some exceptions pickle but cannot be rebuilt
    except Exception:
        detail = "".join(traceback.format_exception_only(exc)).strip()
        body = pickle.dumps(ChildFailed(detail), protocol=pickle.HIGHEST_PROTOCOL)
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        sender.send_bytes(_ERROR + body)
