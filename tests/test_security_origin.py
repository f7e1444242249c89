"""Dependency origin: pins now vs at the merge-base, and advisory dates from OSV."""

from __future__ import annotations

from gates.checks.security.origin import advisory_dates, base_pins, canonical, current_pins, pins_in
from tests.conftest import Repo
from tests.security_osv import advisory, osv_server


def test_requirements_pins_skip_comments_options_and_ranges() -> None:
    text = (
        "# comment\n-r other.txt\n--index-url https://x\nTorch_Vision==0.19.0 ; python_version>'3'\n"
        "requests[socks]==2.32.3  # why\nnumpy>=1.26\nsix===1.16.0\n"
    )
    pins = pins_in(text, "requirements.txt")
    assert {n: (p.version, p.line) for n, p in pins.items()} == {
        "torch-vision": ("0.19.0", 4),
        "requests": ("2.32.3", 5),
        "six": ("1.16.0", 7),
    }


def test_lock_and_pyproject_pins() -> None:
    pylock = 'lock-version = "1.0"\n[[packages]]\nname = "idna"\nversion = "3.7"\n'
    assert pins_in(pylock, "pylock.toml")["idna"].version == "3.7"
    uv = 'version = 1\n[[package]]\nname = "Jinja2"\nversion = "3.1.4"\n'
    assert pins_in(uv, "uv.lock")["jinja2"].version == "3.1.4"
    pyproject = '[project]\nname = "x"\ndependencies = ["flask==2.0.0", "numpy>=1"]\n'
    pins = pins_in(pyproject, "pyproject.toml")
    assert list(pins) == ["flask"] and pins["flask"].line == 3
    assert pins_in("not = [toml", "pyproject.toml") == {}


def test_canonical_names() -> None:
    assert canonical("Foo_Bar.baz") == "foo-bar-baz"


def test_base_pins_read_the_merge_base(repo: Repo) -> None:
    repo.write("requirements.txt", "idna==3.6\n")
    base = repo.commit("base")
    repo.write("requirements.txt", "idna==3.7\nsix==1.16.0\n")
    repo.write("new.txt", "flask==2.0.0\n")
    assert {n: p.version for n, p in base_pins(repo.root, base, ["requirements.txt", "new.txt"]).items()} == {
        "idna": "3.6"
    }
    now = current_pins(repo.root, ["requirements.txt", "new.txt"])
    assert {n: p.version for n, p in now.items()} == {"idna": "3.7", "six": "1.16.0", "flask": "2.0.0"}


def test_advisory_dates_from_the_osv_service() -> None:
    entry = advisory("GHSA-aaaa", "idna", "3.8", aliases=("CVE-1",), published="2024-05-01T10:00:00Z")
    with osv_server([entry]) as server:
        dates = advisory_dates(server.url, "idna", "3.7", 5)
        url = server.url
    assert dates is not None
    assert dates["GHSA-aaaa"].date().isoformat() == "2024-05-01"
    assert dates["CVE-1"] == dates["GHSA-aaaa"]
    assert advisory_dates(url, "idna", "3.7", 2) is None  # stopped: unknown, not "no date"
