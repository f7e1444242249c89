"""Never a crash: damaged and truncated containers always end in findings, not exceptions."""

from __future__ import annotations

import dataclasses
import io
import pickle
import random
import tarfile
import zipfile
from pathlib import Path

import numpy as np
import pytest

from gates.checks.models.pickle_containers import ObservationKind, ScanLimits, scan_file
from tests import model_file_payloads as payloads

LIMITS = ScanLimits(
    max_file_bytes=64 * 1024 * 1024,
    max_decompressed_bytes=64 * 1024 * 1024,
    max_compression_ratio=200,
    max_depth=3,
)


def _samples() -> dict[str, bytes]:
    import torch

    checkpoint, legacy, arrays = io.BytesIO(), io.BytesIO(), io.BytesIO()
    torch.save({"w": torch.arange(6.0).reshape(2, 3), "n": 3}, checkpoint)
    torch.save({"w": torch.ones(3)}, legacy, _use_new_zipfile_serialization=False)
    np.savez_compressed(arrays, a=np.arange(50), b=np.array([None, "x"], dtype=object))
    import tarfile

    import joblib

    stored, tarred = io.BytesIO(), io.BytesIO()
    joblib.dump({"w": np.arange(30.0), "o": np.array([None], dtype=object)}, stored, compress=("zlib", 3))
    with tarfile.open(fileobj=tarred, mode="w:gz") as archive:
        info = tarfile.TarInfo("export/model.pt")
        info.size = len(checkpoint.getvalue())
        archive.addfile(info, io.BytesIO(checkpoint.getvalue()))
    return {
        "model.joblib": stored.getvalue(),
        "export.tar.gz": tarred.getvalue(),
        "model.pt": checkpoint.getvalue(),
        "legacy.pt": legacy.getvalue(),
        "arrays.npz": arrays.getvalue(),
        "data.pkl": pickle.dumps({"k": list(range(40)), "s": {1, 2}}, protocol=4),
        "model.safetensors": payloads.safetensors_bytes({"w": [1.0, 2.0]}),
    }


@pytest.mark.parametrize(
    "name",
    ["model.pt", "legacy.pt", "arrays.npz", "data.pkl", "model.safetensors", "model.joblib", "export.tar.gz"],
)
def test_truncations_and_bit_flips_never_raise(tmp_path: Path, name: str) -> None:
    original = _samples()[name]
    rng = random.Random(name)
    variants = [original[:cut] for cut in sorted({rng.randrange(1, len(original)) for _ in range(25)})]
    for _ in range(40):
        damaged = bytearray(original)
        for _ in range(rng.randint(1, 4)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        variants.append(bytes(damaged))
    target = tmp_path / name
    for variant in variants:
        target.write_bytes(variant)
        scan = scan_file(target, name, LIMITS)  # must not raise
        for observation in scan.observations:
            assert observation.kind in ObservationKind


def test_intact_samples_scan_clean(tmp_path: Path) -> None:
    for name, data in _samples().items():
        (tmp_path / name).write_bytes(data)
        scan = scan_file(tmp_path / name, name, LIMITS)
        assert scan.kind is not None, name
        assert scan.observations == [] or all(o.kind is ObservationKind.GLOBAL for o in scan.observations)


def _archive(path: Path, kind: str, members: list[tuple[str, bytes]]) -> Path:
    if kind == "zip":
        with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
            for name, data in members:
                archive.writestr(name, data)
    else:
        with tarfile.open(path, "w") as archive:
            for name, data in members:
                info = tarfile.TarInfo(name)
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
    return path


@pytest.mark.parametrize("kind", ["zip", "tar"])
def test_a_budget_spent_to_the_byte_reports_the_members_left_unscanned(tmp_path: Path, kind: str) -> None:
    # Reading the first (harmless) member uses the whole budget without going over it;
    # the member after it must not be skipped in silence.
    harmless = ("weights.bin", b"\x00not a model" * 600)
    alone = _archive(tmp_path / f"alone.{kind}", kind, [harmless])
    exact = dataclasses.replace(LIMITS, max_decompressed_bytes=scan_file(alone, "alone", LIMITS).bytes_read)
    both = _archive(
        tmp_path / f"both.{kind}",
        kind,
        [harmless, ("evil.pkl", payloads.reduce_os_system(tmp_path / "canary"))],
    )
    assert any(o.name == "system" for o in scan_file(both, "both", LIMITS).observations)

    scan = scan_file(both, "both", exact)

    unscannable = [o for o in scan.observations if o.kind is ObservationKind.UNSCANNABLE]
    assert len(unscannable) == 1 and "max_decompressed_mb" in unscannable[0].message
