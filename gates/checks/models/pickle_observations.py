"""What scanning one file found, before it becomes findings; light to import.

``model_files`` imports this at module level and the heavier container walker
(``pickle_containers``: zipfile, pickletools, decompressors) only when a file sniffs as
a model, so a pre-commit run over source files never pays for it.
"""

from __future__ import annotations

from dataclasses import field
from enum import Enum

from gates.checks.models.pickle_formats import Kind, LfsPointer
from gates.records import frozen_record, record


@frozen_record
class ScanLimits:
    max_file_bytes: int
    max_decompressed_bytes: int
    max_compression_ratio: float
    max_depth: int
    max_pickle_opcodes: int = 12_000_000
    max_pickle_memo: int = 200_000
    deadline: float | None = None  # time.monotonic() after which scanning stops (model_safety.timeout)
    timeout: float = 0


class ObservationKind(str, Enum):
    GLOBAL = "global"
    DYNAMIC_CALL = "dynamic-call"
    UNSCANNABLE = "unscannable"
    LFS_POINTER = "lfs-pointer"


@frozen_record
class Observation:
    kind: ObservationKind
    member: str  # "" for the file itself; nested members joined with "!/"
    message: str = ""
    module: str | None = None
    name: str = ""
    opcode: str = ""
    position: int = -1
    called: bool = False
    # Called with arguments (REDUCE, INST, OBJ), or used as a value (which a later BUILD can
    # call): runs the callable's own code. False when it is only the class of NEWOBJ, which
    # allocates (``cls.__new__``) before BUILD sets the state.
    invoked: bool = False
    pickle_index: int = 0


@record
class FileScan:
    kind: Kind | None = None
    observations: list[Observation] = field(default_factory=list)
    pickles: int = 0
    members: int = 0
    bytes_read: int = 0
    lfs: LfsPointer | None = None
