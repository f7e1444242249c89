"""Limits that keep a scan bounded: a byte budget per scanned file, and a guarded reader.

A forged length field (``BINBYTES8`` claiming 2**60 bytes) or a zip bomb must end the
scan with a finding, not exhaust memory, so every byte the scanner decompresses or hands
to ``pickletools`` goes through a :class:`GuardedReader` that knows how much may remain.
"""

from __future__ import annotations

from typing import IO


class LimitExceeded(Exception):
    """The file needs more than the policy allows to scan; the message says which limit.

    ``expansion`` is True when the limit is on bytes read or decompressed (a possible zip
    bomb), False for the other budgets (opcodes, memo entries, time).
    """

    def __init__(self, message: str, *, expansion: bool = True) -> None:
        super().__init__(message)
        self.expansion = expansion


class Budget:
    """Bytes that may still be read or decompressed while scanning one top-level file."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.used = 0

    @property
    def remaining(self) -> int:
        return max(self.max_bytes - self.used, 0)

    @property
    def overspent(self) -> bool:
        """A ``spend`` went past the budget (and raised ``LimitExceeded``)."""
        return self.used > self.max_bytes

    def shortfall(self) -> str:
        return (
            f"scanning needs more than {self.max_bytes // (1024 * 1024)} MiB of (decompressed) data"
            " (model_files.max_decompressed_mb)"
        )

    def spend(self, count: int) -> None:
        self.used += count
        if self.overspent:
            raise LimitExceeded(self.shortfall())


class GuardedReader:
    """``read``/``readline``/``tell`` over a stream, refusing reads past ``limit`` bytes.

    ``limit`` is what can really be there (the file or member size), so a forged length
    is reported as truncation before anything is allocated.
    """

    def __init__(self, stream: IO[bytes], limit: int | None, budget: Budget, start: int = 0) -> None:
        """``limit`` None: the size is unknown (a decompressed stream), so the budget bounds it."""
        self._stream = stream
        self._unknown_size = limit is None
        self._limit = start + budget.remaining if limit is None else limit
        self._budget = budget
        self._pos = start

    def tell(self) -> int:
        return self._pos

    def read(self, size: int = -1) -> bytes:
        # A read past the end returns what is there (a short read, which pickletools
        # reports as truncation) without allocating the forged ``size``. Inlined: pickletools
        # calls this two or three times per opcode on streamed files.
        remaining = self._limit - self._pos
        if size < 0 or size > remaining:
            if self._unknown_size and size > remaining:
                self._budget.spend(size)  # raises: the stream claims more than the budget allows
            size = remaining
        data = self._stream.read(size) if size > 0 else b""
        count = len(data)
        self._pos += count
        budget = self._budget
        budget.used += count
        if budget.used > budget.max_bytes:
            raise LimitExceeded(budget.shortfall())
        return data

    def readline(self, size: int = -1) -> bytes:
        cap = self._limit - self._pos
        if size >= 0:
            cap = min(cap, size)
        line = self._stream.readline(cap)
        self._advance(len(line))
        return line

    def _advance(self, count: int) -> None:
        self._pos += count
        self._budget.spend(count)


class WalkBudget:
    """Opcodes, kept memo values and wall-clock time for every pickle walked in one file.

    The walk checks it every ``CHECK_EVERY`` opcodes, so a stream of a million one-byte
    opcodes costs a comparison per 64 Ki of them, not per opcode.
    """

    CHECK_EVERY = 1 << 16

    def __init__(self, max_opcodes: int, max_memo: int, deadline: float | None, timeout: float = 0) -> None:
        self.max_opcodes = max_opcodes
        self.opcodes = 0
        self.max_memo = max_memo
        self.deadline = deadline
        self.timeout = timeout

    def spend(self, count: int) -> None:
        """``count`` more opcodes walked; raises when a budget is spent."""
        import time

        self.opcodes += count
        if self.opcodes > self.max_opcodes:
            raise LimitExceeded(
                f"the pickle(s) need more than {self.max_opcodes:,} opcodes to walk (raise"
                " model_safety.model_files.max_pickle_opcodes to scan it)",
                expansion=False,
            )
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise LimitExceeded(
                f"the scan ran out of time (model_safety.timeout: {self.timeout:g} s; raise it to scan"
                " this file)",
                expansion=False,
            )
