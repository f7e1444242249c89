"""Walking one file down to its pickles: zips (torch checkpoints, ``.npz``), nested archives,
compressed wrappers, ``.npy`` object arrays, the legacy torch format and plain pickles.

The result is a list of raw observations (a global named in member M, a member that could
not be read, an LFS pointer); ``model_files`` turns them into findings. Nothing here ever
unpickles or imports what it reads, and every failure to read becomes an observation.
"""

from __future__ import annotations

import contextlib
import io
import lzma
import os
import pickletools
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import IO, cast

from gates.checks.models.pickle_formats import (
    COMPRESSED_KINDS,
    PICKLE_SUFFIXES,
    PREFIX_BYTES,
    TORCH_LEGACY_MAGIC,
    FormatError,
    Kind,
    LfsPointer,
    npy_header_end,
    parse_lfs_pointer,
    parse_npy_header,
    safetensors_header_length,
    sniff,
    validate_safetensors_header,
)
from gates.checks.models.pickle_globals import Verdict, judge
from gates.checks.models.pickle_limits import Budget, GuardedReader, LimitExceeded, WalkBudget
from gates.checks.models.pickle_observations import FileScan, Observation, ObservationKind, ScanLimits
from gates.checks.models.pickle_opcodes import PickleSource, PickleWalk, walk_pickle
from gates.checks.models.pickle_reach import reach
from gates.checks.models.pickle_zip import ENCRYPTED_FLAG, MemberError, open_member, open_window
from gates.records import frozen_record
from gates.regular_files import open_regular

_COMPRESSION_SUFFIXES = frozenset({".gz", ".gzip", ".bz2", ".xz", ".lzma", ".z", ".zz", ".zlib"})
_MAX_PICKLES_PER_STREAM = 10_000
_MAX_MEMBERS = 100_000  # an archive of a million empty entries is a denial of service, not a model
_IN_MEMORY_PICKLE = 64 * 1024 * 1024
# Tiny members may compress absurdly well and still be harmless; from 64 KiB up, a member
# expanding past the ratio is a bomb (a 500 KiB pickle of "N0" pairs deflates to 1 KiB).
_RATIO_MIN_BYTES = 64 * 1024
# Nested archives are opened from memory up to this size, from a temporary file beyond it.
_SPOOL_BYTES = 16 * 1024 * 1024
_MAX_NPY_HEADER = 1024 * 1024
# Names handed to torch.load: text is not committed under them, so a returned lookup counts.
_CHECKPOINT_SUFFIXES = frozenset({".pt", ".pth", ".ckpt", ".bin"})


@frozen_record
class _Source:
    """Something with bytes: the file, a zip member, a decompressed stream, a buffer."""

    label: str
    open: Callable[[], IO[bytes]]
    size: int | None
    seekable: bool
    compressed_size: int | None = None
    encrypted_flag: bool = False


def _suffix(label: str) -> str:
    return PurePosixPath(label).suffix.lower()


class _Scanner:
    def __init__(self, limits: ScanLimits) -> None:
        self.limits = limits
        self.budget = Budget(limits.max_decompressed_bytes)
        self.walk_budget = WalkBudget(
            limits.max_pickle_opcodes, limits.max_pickle_memo, limits.deadline, limits.timeout
        )
        self.result = FileScan()
        self.spooled: list[str] = []  # temporary copies of nested archives

    # ---- observations ---------------------------------------------------------------

    def unscannable(self, chain: tuple[str, ...], message: str) -> None:
        self.result.observations.append(Observation(ObservationKind.UNSCANNABLE, _member(chain), message))

    def record_walk(self, walk: PickleWalk, chain: tuple[str, ...], index: int) -> None:
        member = _member(chain)
        for ref in walk.globals:
            qualname = f"{ref.module}.{ref.name}" if ref.module is not None else ref.name
            self.result.observations.append(
                Observation(
                    ObservationKind.GLOBAL,
                    member,
                    module=ref.module,
                    name=ref.name,
                    opcode=ref.opcode,
                    position=ref.position,
                    called=qualname in walk.called,
                    invoked=qualname in walk.invoked or qualname in walk.loose,
                    pickle_index=index,
                )
            )
        if walk.differential is not None:
            self.unscannable(
                chain,
                f"is read differently by the real unpickler than by any opcode scanner: {walk.differential}."
                " The C unpickler (pickle.load, torch.load, numpy.load, joblib.load, pandas.read_pickle)"
                " may skip or re-read bytes there and run opcodes no scanner saw",
            )
        if walk.budget_note is not None:
            self.unscannable(chain, f"is not fully scanned: {walk.budget_note}")
        if walk.dynamic_calls_dropped:
            self.unscannable(
                chain, f"calls {walk.dynamic_calls_dropped} more computed values than are reported one by one"
            )
        for call in walk.dynamic_calls:
            self.result.observations.append(
                Observation(
                    ObservationKind.DYNAMIC_CALL,
                    member,
                    opcode=call.opcode,
                    position=call.position,
                    pickle_index=index,
                )
            )

    # ---- dispatch ---------------------------------------------------------------------

    def scan(self, src: _Source, chain: tuple[str, ...], depth: int) -> Kind | None:
        try:
            return self._scan(src, chain, depth)
        except LimitExceeded as exc:
            bomb = "; possible zip bomb" if exc.expansion else ""
            self.unscannable(chain, f"not fully scanned: {exc}{bomb}")
        except MemberError as exc:
            self.unscannable(chain, f"cannot be read: {exc}")
        except (OSError, EOFError, ValueError, zlib.error, lzma.LZMAError) as exc:
            self.unscannable(chain, f"cannot be read: {exc}")
        except (RecursionError, MemoryError) as exc:
            self.unscannable(chain, f"is too complex to scan ({type(exc).__name__})")
        except Exception as exc:  # a reader bug must still fail closed, on this file only
            self.unscannable(chain, f"could not be scanned ({type(exc).__name__}: {exc})")
        return None

    def _scan(self, src: _Source, chain: tuple[str, ...], depth: int) -> Kind | None:
        strict = _suffix(src.label) in PICKLE_SUFFIXES
        with contextlib.closing(src.open()) as stream:
            prefix = stream.read(PREFIX_BYTES)
        self.budget.spend(len(prefix))
        kind = sniff(prefix)
        if kind is None:
            if src.encrypted_flag and src.size:
                self.unscannable(
                    chain,
                    "has the zip 'encrypted' flag and its bytes are no format the scanner knows;"
                    " loaders that ignore the flag may still read it",
                )
            return None
        if kind is Kind.LFS_POINTER:
            pointer = parse_lfs_pointer(prefix)
            self.result.lfs = self.result.lfs or pointer
            self.result.observations.append(
                Observation(ObservationKind.LFS_POINTER, _member(chain), message=_lfs_text(pointer))
            )
            return kind
        if kind is Kind.SAFETENSORS:
            return self._check_safetensors(src, prefix, chain)
        if depth > self.limits.max_depth:
            self.unscannable(chain, f"is nested deeper than {self.limits.max_depth} archives (max_depth)")
            return kind
        # Plain .npy arrays are judged by their header; headerless candidates (mostly text)
        # are streamed and fail within bytes: neither needs reading in full up front.
        guess = kind is Kind.PICKLE_HEADERLESS and not strict
        if kind is not Kind.NPY and not guess and not self._within_limits(src, chain):
            return kind
        if kind in (Kind.PICKLE, Kind.PICKLE_HEADERLESS):
            if not self._scan_pickles(
                src, chain, 0, strict=strict, headerless=kind is Kind.PICKLE_HEADERLESS
            ):
                return None
        elif kind is Kind.NPY:
            self._scan_npy(src, prefix, chain)
        elif kind is Kind.ZIP:
            self._scan_zip(src, chain, depth)
        elif kind is Kind.TAR:
            self._scan_tar(src, chain, depth)
        elif kind in COMPRESSED_KINDS:
            inner_label = src.label
            if _suffix(inner_label) in _COMPRESSION_SUFFIXES:  # "frame.pkl.gz" holds "frame.pkl"
                inner_label = inner_label[: -len(_suffix(inner_label))]
            inner = _Source(inner_label, _decompressing_opener(src.open, kind), None, False)
            inner_kind = self.scan(inner, (*chain, f"({kind.value})"), depth + 1)
            if inner_kind is None:
                return None
        return kind

    def _within_limits(self, src: _Source, chain: tuple[str, ...]) -> bool:
        """Size and expansion checks before a source is read in full (headers are always read)."""
        if src.size is not None and src.size > self.limits.max_file_bytes:
            self.unscannable(
                chain,
                f"is {_size(src.size)}, over the {_size(self.limits.max_file_bytes)} limit"
                " (model_files.max_file_mb); not scanned",
            )
            return False
        if src.compressed_size and src.size and src.size >= _RATIO_MIN_BYTES:
            ratio = src.size / max(src.compressed_size, 1)
            if ratio > self.limits.max_compression_ratio:
                self.unscannable(
                    chain,
                    f"expands {ratio:.0f}x ({_size(src.compressed_size)} -> {_size(src.size)}), over the"
                    f" {self.limits.max_compression_ratio:g}x limit (max_compression_ratio); possible zip"
                    " bomb, not scanned",
                )
                return False
        return True

    # ---- pickles --------------------------------------------------------------------------

    def _scan_pickles(
        self, src: _Source, chain: tuple[str, ...], start: int, *, strict: bool, headerless: bool = False
    ) -> bool:
        """Scan the pickle(s) from ``start``; False when the bytes turn out not to be a pickle."""
        # A headerless candidate under a name that does not promise a pickle is most likely
        # text: it is streamed (text fails within a few bytes) and must prove itself.
        guess = headerless and not strict
        if guess and not self._headerless_is_a_pickle(src, start):
            return False
        with contextlib.closing(src.open()) as stream:
            _skip(stream, start, src.seekable)
            reader: PickleSource
            if not guess and src.size is not None and src.size - start <= _IN_MEMORY_PICKLE:
                # Small enough to hold: BytesIO reads are fast and clamp forged lengths.
                data = stream.read(src.size - start)
                self.budget.spend(len(data))
                reader, limit = io.BytesIO(data), len(data)
            else:
                reader = GuardedReader(stream, src.size, self.budget, start)
                limit = src.size if src.size is not None else 1 << 62
            first = walk_pickle(reader, keep_first_ops=3, budget=self.walk_budget)
            if first.error is not None:
                if (
                    not strict
                    and not guess
                    and not first.globals
                    and first.opcodes <= 2
                    and not first.differential
                ):
                    return False  # some other binary that happens to start like a pickle
                self.result.pickles += 1
                self.record_walk(first, chain, 0)
                self.unscannable(
                    chain, f"holds a truncated or corrupt pickle ({first.error}); not fully scanned"
                )
                return True
            self.result.pickles += 1
            self.record_walk(first, chain, 0)
            if any(arg == TORCH_LEGACY_MAGIC for _, arg in first.first_ops):
                self._scan_legacy_torch(reader, chain)
            else:
                self._scan_trailing_pickles(reader, chain, limit)
        return True

    def _headerless_is_a_pickle(self, src: _Source, start: int) -> bool:
        """Is a headerless candidate (mostly text) a pickle? Only if loading it reaches an
        effect (a looked-up object called, mutated or returned) before the unpickler fails;
        a data-only pickle that loads cleanly is kept too (it scans clean). Whether it
        decodes to STOP does not settle it: ".gitignore" lines can read as GLOBAL, STOP.
        When returning a lookup is the only effect, it counts only if a name looked up is
        known-dangerous (or computed): ``cache``, ``logs``, ``.env`` also return a lookup.
        Checkpoint names (``.pt``...) are exempt from that: any returned lookup counts.
        Read with a budget of its own: the walk that follows reads the bytes again."""
        with contextlib.closing(src.open()) as stream:
            _skip(stream, start, src.seekable)
            reader = GuardedReader(stream, src.size, Budget(self.limits.max_decompressed_bytes), start)
            found = reach(reader)
        if found.effect and found.returned_only and _suffix(src.label) not in _CHECKPOINT_SUFFIXES:
            return any(_unknown_or_dangerous(lookup) for lookup in found.lookups)
        if found.effect:
            return True
        return found.clean_stop and _well_formed(src)

    def _scan_legacy_torch(self, reader: PickleSource, chain: tuple[str, ...]) -> None:
        # magic, protocol version, sys info, the object, the storage keys; raw storage bytes follow.
        for index in range(1, 5):
            walk = walk_pickle(reader, budget=self.walk_budget)
            self.result.pickles += 1
            self.record_walk(walk, chain, index)
            if walk.error is not None:
                self.unscannable(
                    chain, f"is a legacy torch checkpoint cut short in pickle {index + 1} of 5 ({walk.error})"
                )
                return

    def _scan_trailing_pickles(self, reader: PickleSource, chain: tuple[str, ...], limit: int) -> None:
        # ``pickle.load`` called in a loop reads concatenated pickles; scan them all.
        for index in range(1, _MAX_PICKLES_PER_STREAM):
            if reader.tell() >= limit:
                return
            walk = walk_pickle(reader, budget=self.walk_budget)
            if walk.opcodes == 0:
                return
            if walk.error is not None and not walk.globals and walk.differential is None:
                return  # trailing bytes that are not a pickle: no loader gets past them
            self.result.pickles += 1
            self.record_walk(walk, chain, index)
            if walk.error is not None:
                self.unscannable(chain, f"holds a truncated or corrupt pickle #{index + 1} ({walk.error})")
                return
        self.unscannable(
            chain, f"holds more than {_MAX_PICKLES_PER_STREAM} concatenated pickles; rest not scanned"
        )

    # ---- formats ------------------------------------------------------------------------

    def _scan_npy(self, src: _Source, prefix: bytes, chain: tuple[str, ...]) -> None:
        try:
            end = npy_header_end(prefix)
            if end > _MAX_NPY_HEADER:
                raise FormatError(f"the .npy header claims {end} bytes")
            if end > len(prefix):
                with contextlib.closing(src.open()) as stream:
                    prefix = stream.read(end)
            header = parse_npy_header(prefix)
        except FormatError as exc:
            self.unscannable(chain, f"is a corrupt .npy file: {exc}")
            return
        if header.has_object:
            # np.save writes object arrays as a pickle right after the header.
            if not self._within_limits(src, chain):
                return
            self._scan_pickles(src, chain, header.data_offset, strict=True)
            return
        expected = header.expected_data_bytes()
        if expected is not None and src.size is not None and src.size < header.data_offset + expected:
            self.unscannable(
                chain,
                f"is a truncated .npy file: the header promises {expected} data bytes,"
                f" {src.size - header.data_offset} are there",
            )

    def _check_safetensors(self, src: _Source, prefix: bytes, chain: tuple[str, ...]) -> Kind | None:
        length = safetensors_header_length(prefix)
        claims_safetensors = _suffix(src.label) == ".safetensors"
        try:
            if src.size is not None and length > src.size - 8:
                raise FormatError(f"the header claims {length} bytes, more than the file holds")
            header = prefix[8 : 8 + length]
            if len(header) < length:
                with contextlib.closing(src.open()) as stream:
                    header = stream.read(8 + length)[8:]
                self.budget.spend(length)
            data_bytes = (src.size - 8 - length) if src.size is not None else 1 << 62
            validate_safetensors_header(header, data_bytes)
        except FormatError as exc:
            if claims_safetensors:
                self.unscannable(chain, f"is not a valid safetensors file: {exc}")
                return Kind.SAFETENSORS
            return None
        return Kind.SAFETENSORS

    def _scan_zip(self, src: _Source, chain: tuple[str, ...], depth: int) -> None:
        if not src.seekable:
            src = self._materialize(src)
        try:
            with contextlib.closing(src.open()) as handle, zipfile.ZipFile(handle) as archive:
                infos = archive.infolist()
        except (
            zipfile.BadZipFile,
            zipfile.LargeZipFile,
            OSError,
            ValueError,
            EOFError,
            NotImplementedError,
        ) as exc:
            self.unscannable(chain, f"is a corrupt zip archive ({exc}); not scanned")
            return
        storage_dirs = {
            name[: -len("data.pkl")] + "data/"
            for name in (i.filename for i in infos)
            if _is_torch_pickle(name)
        }
        if len(infos) > _MAX_MEMBERS:
            self.unscannable(
                chain, f"has {len(infos)} members, more than the {_MAX_MEMBERS} scanned; not scanned"
            )
            return
        for info in infos:
            if info.is_dir():
                continue
            blob = _is_storage_blob(info.filename, storage_dirs)
            if not blob and self._out_of_budget(chain):
                return
            self.result.members += 1
            if blob:
                continue  # raw tensor bytes: torch reads them as data, never unpickles them
            member = _Source(
                info.filename,
                _member_opener(src.open, info),
                info.file_size,
                False,
                compressed_size=info.compress_size if info.compress_type != zipfile.ZIP_STORED else None,
                encrypted_flag=bool(info.flag_bits & ENCRYPTED_FLAG),
            )
            self.scan(member, (*chain, info.filename), depth + 1)

    def _scan_tar(self, src: _Source, chain: tuple[str, ...], depth: int) -> None:
        # Tar members are stored, not compressed: each one is a window of the archive.
        import tarfile

        if not src.seekable:
            src = self._materialize(src)
        try:
            with contextlib.closing(src.open()) as handle, tarfile.open(fileobj=handle, mode="r:") as archive:
                members = [m for m in archive.getmembers() if m.isfile()]
        except (tarfile.TarError, OSError, ValueError, EOFError) as exc:
            self.unscannable(chain, f"is a corrupt tar archive ({exc}); not scanned")
            return
        if len(members) > _MAX_MEMBERS:
            self.unscannable(
                chain, f"has {len(members)} members, more than the {_MAX_MEMBERS} scanned; not scanned"
            )
            return
        for info in members:
            if self._out_of_budget(chain):
                return
            self.result.members += 1
            member = _Source(
                info.name, _window_opener(src.open, info.offset_data, info.size), info.size, False
            )
            self.scan(member, (*chain, info.name), depth + 1)

    def _out_of_budget(self, chain: tuple[str, ...]) -> bool:
        """No bytes left for the next member: the rest of the archive goes unscanned. An
        overspent budget was reported where it raised; one spent to the byte was not."""
        if self.budget.remaining > 0:
            return False
        if not self.budget.overspent:
            self.unscannable(chain, f"not fully scanned: {self.budget.shortfall()}; possible zip bomb")
        return True

    def _materialize(self, src: _Source) -> _Source:
        """Copy a non-seekable source (nested archives need to seek): into memory when small,
        into a temporary file beyond ``_SPOOL_BYTES``, so a large nested archive costs disk,
        not memory."""
        import tempfile

        descriptor, spool_path = tempfile.mkstemp(prefix="ml-gates-nested-")
        self.spooled.append(spool_path)
        total = 0
        with open(descriptor, "wb") as spool, contextlib.closing(src.open()) as stream:
            limit = min(
                src.size if src.size is not None else self.budget.remaining + 1,
                self.limits.max_file_bytes + 1,
            )
            reader = GuardedReader(stream, limit, self.budget)
            while True:
                chunk = reader.read(1 << 20)
                if not chunk:
                    break
                total += len(chunk)
                if total > self.limits.max_file_bytes:
                    raise LimitExceeded(
                        f"a nested archive is over {_size(self.limits.max_file_bytes)} (max_file_mb)"
                    )
                spool.write(chunk)
        if total <= _SPOOL_BYTES:
            data = Path(spool_path).read_bytes()
            return _Source(src.label, lambda: io.BytesIO(data), len(data), True)
        # Each open gets its own handle and position on the temporary file.
        return _Source(src.label, lambda: open(spool_path, "rb"), total, True)

    def close(self) -> None:
        for spool_path in self.spooled:
            with contextlib.suppress(OSError):
                os.unlink(spool_path)


class _Discard:
    def write(self, text: str) -> int:
        return len(text)


def _unknown_or_dangerous(lookup: tuple[str, str] | None) -> bool:
    return lookup is None or judge(*lookup).verdict is Verdict.DANGEROUS


_WELL_FORMED_CHECK_BYTES = 1024 * 1024


def _well_formed(src: _Source) -> bool:
    """pickletools' own checker (stack and memo consistency) accepts the stream up to STOP.

    ``dis`` keeps every memo value, so only small streams are checked; a larger one that
    loads cleanly is taken as a pickle (it then scans clean: nothing in it is called)."""
    if src.size is None or src.size > _WELL_FORMED_CHECK_BYTES:
        return True
    with contextlib.closing(src.open()) as stream:
        try:
            pickletools.dis(stream, out=_Discard())  # type: ignore[arg-type]
        except Exception:  # dis raises ValueError (bad memo, stack) and decoding errors
            return False
    return True


def _is_torch_pickle(name: str) -> bool:
    return name == "data.pkl" or name.endswith("/data.pkl")


def _is_storage_blob(name: str, storage_dirs: set[str]) -> bool:
    return any(name.startswith(prefix) and name[len(prefix) :].isdigit() for prefix in storage_dirs)


def _window_opener(
    open_container: Callable[[], IO[bytes]], start: int, length: int
) -> Callable[[], IO[bytes]]:
    return lambda: open_window(open_container, start, length)


def _member_opener(open_container: Callable[[], IO[bytes]], info: zipfile.ZipInfo) -> Callable[[], IO[bytes]]:
    return lambda: open_member(open_container, info)


class _Owning(io.BufferedIOBase):
    """A decompressing stream that also closes the stream under it."""

    def __init__(self, outer: IO[bytes], inner: IO[bytes]) -> None:
        super().__init__()
        self._outer = outer
        self._inner = inner

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        return self._outer.read(-1 if size is None else size)

    def read1(self, size: int = -1) -> bytes:
        return self._outer.read(size)

    def readline(self, size: int | None = -1) -> bytes:
        return self._outer.readline(-1 if size is None else size)

    def close(self) -> None:
        if not self.closed:
            self._outer.close()
            self._inner.close()
        super().close()


class _ZlibRaw(io.RawIOBase):
    def __init__(self, inner: IO[bytes]) -> None:
        super().__init__()
        self._inner = inner
        self._decompressor = zlib.decompressobj()
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        data = b""
        while not data and not self._decompressor.eof:
            if not self._pending:
                self._pending = self._inner.read(64 * 1024)
                if not self._pending:
                    break
            data = self._decompressor.decompress(self._pending, len(buffer))
            self._pending = self._decompressor.unconsumed_tail
        buffer[: len(data)] = data
        return len(data)


def _decompressing_opener(open_inner: Callable[[], IO[bytes]], kind: Kind) -> Callable[[], IO[bytes]]:
    def opener() -> IO[bytes]:
        import bz2  # only files that are compressed pay for these imports
        import gzip

        inner = open_inner()
        outer: IO[bytes]
        if kind is Kind.GZIP:
            outer = cast(IO[bytes], gzip.GzipFile(fileobj=inner, mode="rb"))
        elif kind is Kind.BZIP2:
            outer = bz2.BZ2File(inner)
        elif kind is Kind.XZ:
            outer = lzma.LZMAFile(inner)  # noqa: SIM115 (closed by _Owning)
        elif kind is Kind.LZMA:
            outer = lzma.LZMAFile(inner, format=lzma.FORMAT_ALONE)  # noqa: SIM115 (closed by _Owning)
        else:
            outer = io.BufferedReader(_ZlibRaw(inner))
        return _Owning(outer, inner)  # type: ignore[return-value]

    return opener


def _skip(stream: IO[bytes], count: int, seekable: bool) -> None:
    if count <= 0:
        return
    if seekable:
        stream.seek(count)
        return
    while count > 0:
        chunk = stream.read(min(count, 1 << 20))
        if not chunk:
            return
        count -= len(chunk)


def _member(chain: tuple[str, ...]) -> str:
    return "!/".join(chain)


def _size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MiB"
    return f"{size / 1024:.1f} KiB"


def _lfs_text(pointer: LfsPointer) -> str:
    size = f", {pointer.size} bytes" if pointer.size is not None else ""
    return f"is a Git LFS pointer ({pointer.oid}{size}); the model itself was not scanned"


def scan_file(path: Path, label: str, limits: ScanLimits) -> FileScan:
    """Scan one repository file; ``FileScan.kind`` is None when it is no model or pickle."""
    scanner = _Scanner(limits)
    try:
        size = path.stat().st_size
    except OSError as exc:
        scanner.unscannable((), f"cannot be read: {exc}")
        return scanner.result
    # open_regular: a FIFO swapped in after the listing fails here instead of blocking.
    source = _Source(label, lambda: open_regular(path), size, True)
    try:
        scanner.result.kind = scanner.scan(source, (), 0)
    finally:
        scanner.close()
    scanner.result.bytes_read = scanner.budget.used
    return scanner.result
