from __future__ import annotations

from gates.checks.mutation.workspace import make_work_copy, remove_work_copy


def test_the_work_copy_holds_what_git_sees_and_nothing_of_ours(repo) -> None:  # type: ignore[no-untyped-def]
    repo.write(".gitignore", "secret.txt\n")
    repo.write("pkg/a.py", "x = 1\n")
    repo.write("tests/test_a.py", "def test_a():\n    pass\n")
    repo.commit()
    repo.write("new_untracked.py", "y = 2\n")
    repo.write("secret.txt", "ignored\n")
    repo.write("mutants/pkg/a.py", "stale\n")
    repo.write(".gates/cache/mutation/mutation-results.json", "{}")
    work = make_work_copy(repo.root)
    try:
        copied = sorted(p.relative_to(work).as_posix() for p in work.rglob("*") if p.is_file())
        assert copied == [".gitignore", "new_untracked.py", "pkg/a.py", "tests/test_a.py"]
        (work / "pkg/a.py").write_text("changed in the copy\n")
        assert (repo.root / "pkg/a.py").read_text() == "x = 1\n"
    finally:
        remove_work_copy(work)
    assert not work.exists()


def test_ignored_files_under_what_mutmut_copies_are_found_but_never_through_outside_links(  # type: ignore[no-untyped-def]
    repo, tmp_path
) -> None:
    from gates.checks.mutation.workspace import ignored_files

    repo.write(".gitignore", "_version.py\ndata/\nbuild/\n")
    repo.write("src/pkg/__init__.py", "")
    repo.write("tests/test_a.py", "def test_a():\n    pass\n")
    repo.commit()
    repo.write("src/pkg/_version.py", "v = 1\n")
    repo.write("tests/data/case.json", "{}\n")
    repo.write("build/lib/pkg/__init__.py", "")  # ignored, but not something mutmut copies
    repo.write("src/pkg/__pycache__/x.pyc", "")
    outside = tmp_path / "secret.txt"
    outside.write_text("secret\n")
    (repo.root / "src/pkg/_link.py").symlink_to(outside)
    (repo.root / ".gitignore").write_text("_version.py\ndata/\nbuild/\n_link.py\n")
    found = ignored_files(repo.root, ["src", "tests", "test", "pyproject.toml"])
    assert found == ["src/pkg/_version.py", "tests/data/case.json"]


def test_files_under_a_directory_link_out_of_the_project_are_never_copied(  # type: ignore[no-untyped-def]
    repo, tmp_path
) -> None:
    from gates.checks.mutation.workspace import copy_files, ignored_files

    outside = tmp_path / "elsewhere"
    (outside / "pkg").mkdir(parents=True)
    (outside / "pkg" / "secret.py").write_text("TOKEN = 'hunter2'\n")
    repo.write(".gitignore", "vendor/\n")
    repo.write("src/ok.py", "x = 1\n")
    repo.commit()
    (repo.root / "src" / "vendor").symlink_to(outside)  # an ignored directory link, out of the project
    assert ignored_files(repo.root, ["src"]) == []
    work = tmp_path / "work"
    copy_files(repo.root, work, ["src/ok.py", "src/vendor/pkg/secret.py"])
    assert (work / "src/ok.py").is_file()
    assert not (work / "src/vendor").exists()
