"""Judging pickle globals: default-deny allowlist, named dangers, Python 2 names, attribute walks."""

from __future__ import annotations

import pytest

from gates.checks.models.pickle_globals import Verdict, judge


@pytest.mark.parametrize(
    ("module", "name"),
    [
        ("torch._utils", "_rebuild_tensor_v2"),
        ("torch", "FloatStorage"),
        ("torch", "bfloat16"),
        ("collections", "OrderedDict"),
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy._core.multiarray", "_reconstruct"),
        ("numpy", "dtype"),
        ("_codecs", "encode"),
        ("__builtin__", "set"),
        ("__builtin__", "xrange"),  # unpickled as builtins.range
        ("numpy.random._pickle", "__bit_generator_ctor"),
    ],
)
def test_allowed(module: str, name: str) -> None:
    assert judge(module, name).verdict is Verdict.ALLOWED


@pytest.mark.parametrize(
    ("module", "name", "why"),
    [
        ("os", "system", "shell"),
        ("posix", "system", "shell"),
        ("nt", "system", "shell"),
        ("subprocess", "Popen", "programs"),
        ("builtins", "eval", "evaluates"),
        ("builtins", "exec", "executes"),
        ("builtins", "getattr", "attribute"),
        ("__builtin__", "__import__", "imports"),
        ("importlib", "import_module", "imports"),
        ("runpy", "run_path", "runs"),
        ("socket", "create_connection", "network"),
        ("torch.storage", "_load_from_bytes", "nested checkpoint"),
        ("torch", "_utils.os.system", "reaches os"),
        ("numpy.testing._private.utils", "runstring", "runs code"),
        ("numpy", "load", "allow_pickle"),
        ("yaml", "unsafe_load", "arbitrary objects"),
        ("joblib", "load", "nested pickle"),
    ],
)
def test_dangerous_names_say_why(module: str, name: str, why: str) -> None:
    judgement = judge(module, name)
    assert judgement.verdict is Verdict.DANGEROUS
    assert why in judgement.reason


def test_unknown_is_not_allowed_until_listed() -> None:
    assert judge("sklearn.linear_model", "LogisticRegression").verdict is Verdict.NOT_ALLOWED
    assert judge("sklearn.linear_model", "LogisticRegression", ["sklearn.*"]).verdict is Verdict.ALLOWED
    assert judge("mypkg.types", "Config", ["mypkg.types.Config"]).verdict is Verdict.ALLOWED


def test_plain_object_reconstruction_is_allowed() -> None:
    # protocol 0/1 rebuild plain instances with copyreg._reconstructor(cls, object, state);
    # only ``cls`` (the user's class) is in question.
    assert judge("copy_reg", "_reconstructor").verdict is Verdict.ALLOWED
    assert judge("__builtin__", "object").verdict is Verdict.ALLOWED
    assert judge("builtins", "type").verdict is Verdict.NOT_ALLOWED


def test_allowlist_cannot_override_danger() -> None:
    assert judge("os", "system", ["os.*", "os.system"]).verdict is Verdict.DANGEROUS
    walk = judge("mypkg.models", "Config.__init__.__globals__.get", ["mypkg.*"])
    assert walk.verdict is Verdict.DANGEROUS and "__init__" in walk.reason
