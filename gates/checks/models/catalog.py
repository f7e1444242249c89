"""The model-safety code rules, each declared once.

A rule's declaration holds everything about it: id, name, default severity, summary,
peer ids, fix safety, the qualified API names it flags (from which the byte pre-filter
and the dispatch table are derived, in ``triggers.py``), the keyword names it flags on
any call, the checker that decides, and an example-call template. ``gates rules``,
``gates explain``, the docs index and a test that calls every documented API read it.

Adding a rule: its checker (a new or existing module here), its declaration below, and
its page ``docs/rules/<ID>.md``; then ``python -m gates.checks.models.rule_docs --write``
regenerates the generated parts of the docs.
Bump ``RULES_VERSION`` whenever a rule's logic changes: it invalidates the cache.
"""

from __future__ import annotations

from gates.checks.models import (
    http_timeouts,
    huggingface,
    keras,
    torch_hub,
    torch_load,
    trust_remote_code,
    unpickling,
    yaml_load,
)
from gates.checks.models.calls import Checker
from gates.findings import Severity
from gates.links import RULES_DOCS
from gates.records import frozen_record

RULES_VERSION = "2"
DOCS_BASE = RULES_DOCS

# What --fix may do with a rule's findings (ruff's model).
FIX_NONE = "none"
FIX_SAFE = "safe"  # cannot change what a working program does: --fix applies it
FIX_UNSAFE = "unsafe"  # may change behaviour: only --unsafe-fixes applies it
FIX_SOMETIMES = "safe or unsafe"  # decided per finding (e.g. torch.load into load_state_dict)


@frozen_record
class Rule:
    id: str
    name: str
    severity: Severity
    summary: str
    # The same problem's id in peer tools (bandit), so waivers written for them still match.
    aliases: tuple[str, ...] = ()
    fix: str = FIX_NONE
    # Qualified names of the calls it flags; ``X().m`` is method m of an X instance, ``*``
    # any class of the module (``transformers.*.from_pretrained``).
    apis: frozenset[str] = frozenset()
    # Keyword arguments it flags on any call.
    keywords: frozenset[str] = frozenset()
    checker: Checker | None = None
    # An example call that the rule flags, ``{call}`` standing for each API (tests use it).
    example: str = "{call}()"
    example_overrides: tuple[tuple[str, str], ...] = ()  # (api, template) where the default will not do

    @property
    def help_uri(self) -> str:
        return f"{DOCS_BASE}/{self.id}.md"

    def example_for(self, api: str) -> str:
        return dict(self.example_overrides).get(api, self.example)

    @property
    def fixable(self) -> bool:
        return self.fix != FIX_NONE


_E, _W = Severity.ERROR, Severity.WARNING
_HF = frozenset(huggingface.HUB_FUNCTIONS) | huggingface.FROM_PRETRAINED_APIS | huggingface.TIMM_CREATE
_TORCH_LOADS = torch_load.TORCH_LOADS | torch_load.HUB_STATE_LOADS
_HTTP = http_timeouts.REQUESTS | http_timeouts.URLOPEN | http_timeouts.URLRETRIEVE | http_timeouts.HTTPX

_DECLARED = (
    Rule("MS000", "unparsable-file", _E, "A Python file could not be parsed, so it was not checked."),
    Rule(
        "MS001",
        "unusual-source-encoding",
        _E,
        "A coding cookie names a codec that can hide code from reviewers (utf-7, rot13...).",
    ),
    Rule(
        "MS101",
        "torch-load-without-weights-only",
        _E,
        "torch.load without a constant weights_only=True can run code from the checkpoint.",
        ("B614",),
        FIX_SOMETIMES,
        _TORCH_LOADS,
        checker=torch_load.check_torch_load,
        example="{call}('m.pt')",
    ),
    Rule(
        "MS102",
        "torch-load-weights-only-via-kwargs",
        _W,
        "torch.load gets weights_only only through **kwargs; it cannot be checked.",
        ("B614",),
        apis=_TORCH_LOADS,
        checker=torch_load.check_torch_load,
        example="{call}('m.pt', **options)",
    ),
    Rule(
        "MS201",
        "pickle-load",
        _E,
        "Unpickling (pickle, dill, cloudpickle, joblib, jsonpickle) runs code from the data.",
        ("B301",),
        apis=unpickling.UNPICKLERS,
        checker=unpickling.check_pickles,
        example="{call}(data)",
    ),
    Rule(
        "MS202",
        "shelve-open",
        _E,
        "shelve unpickles every value it reads.",
        ("B301",),
        apis=unpickling.SHELVES,
        checker=unpickling.check_pickles,
        example="{call}('db')",
    ),
    Rule(
        "MS203",
        "pandas-read-pickle",
        _E,
        "pandas.read_pickle unpickles the file.",
        ("B301",),
        apis=unpickling.PANDAS,
        checker=unpickling.check_pickles,
        example="{call}('frame.pkl')",
    ),
    Rule(
        "MS204",
        "numpy-allow-pickle",
        _E,
        "numpy.load with allow_pickle not a constant False unpickles object arrays.",
        apis=unpickling.NUMPY_LOADS,
        checker=unpickling.check_pickles,
        example="{call}('a.npy', allow_pickle=True)",
    ),
    Rule(
        "MS301",
        "hf-download-unpinned",
        _E,
        "A Hugging Face download is not pinned to a full 40-hex commit.",
        ("B615",),
        apis=_HF,
        checker=huggingface.check_huggingface,
        example="{call}('org/name')",
        example_overrides=tuple((api, "{call}('hf-hub:org/name')") for api in huggingface.TIMM_CREATE),
    ),
    Rule(
        "MS302",
        "hf-download-unresolved",
        _W,
        "A Hugging Face model id or revision is a variable this check cannot resolve.",
        ("B615",),
        apis=_HF - huggingface.TIMM_CREATE,
        checker=huggingface.check_huggingface,
        example="{call}(name)",
        example_overrides=tuple(
            (api, "{call}('text-generation', model=name)")
            for api in huggingface.HUB_FUNCTIONS
            if api.endswith(".pipeline")
        )
        # A file or snapshot download takes a hub id whatever it is: only its revision can be
        # the unresolved part.
        + tuple(
            (api, "{call}('org/name', revision=rev)")
            for api, target in huggingface.HUB_FUNCTIONS.items()
            if target.what in ("file", "snapshot")
        ),
    ),
    Rule(
        "MS401",
        "trust-remote-code",
        _E,
        "trust_remote_code=True runs the model repository's Python code.",
        keywords=frozenset({trust_remote_code.KEYWORD}),
        checker=trust_remote_code.check_trust_remote_code,
    ),
    Rule(
        "MS402",
        "trust-remote-code-unresolved",
        _W,
        "trust_remote_code is set from a value this check cannot resolve.",
        keywords=frozenset({trust_remote_code.KEYWORD}),
        checker=trust_remote_code.check_trust_remote_code,
    ),
    Rule(
        "MS501",
        "torch-hub-load-untrusted",
        _E,
        "torch.hub.load (and list/help) runs hubconf.py without trust_repo.",
        apis=torch_hub.HUB_LOADS,
        checker=torch_hub.check_torch_hub,
        example="{call}('org/repo', 'model')",
    ),
    Rule(
        "MS502",
        "torch-hub-download-unverified",
        _E,
        "A torch.hub download is not verified against a hash.",
        apis=torch_hub.DOWNLOADS | torch_load.HUB_STATE_LOADS,
        checker=torch_hub.check_torch_hub,
        example="{call}('https://example.com/m.pt', 'm.pt')",
    ),
    Rule(
        "MS601",
        "yaml-unsafe-load",
        _E,
        "yaml.load without a safe loader can construct arbitrary Python objects.",
        ("B506",),
        FIX_UNSAFE,
        yaml_load.LOADS | yaml_load.ALWAYS_UNSAFE,
        checker=yaml_load.check_yaml,
        example="{call}(text)",
    ),
    Rule(
        "MS701",
        "http-without-timeout",
        _W,
        "An HTTP request without a timeout can hang the job forever.",
        ("B113",),
        FIX_UNSAFE,
        _HTTP,
        checker=http_timeouts.check_http,
        example="{call}('https://example.com', timeout=None)",
    ),
    Rule(
        "MS801",
        "keras-unsafe-mode",
        _E,
        "Keras load_model with safe_mode off runs Lambda-layer code.",
        apis=keras.LOAD_MODELS,
        checker=keras.check_keras,
        example="{call}('m.keras', safe_mode=False)",
    ),
    Rule(
        "MS901",
        "suppression-without-reason",
        _E,
        "A '# gates: ignore[...]' comment gives no rule id or no reason, so it suppresses nothing.",
    ),
    Rule("MS902", "unused-suppression", _W, "A '# gates: ignore[...]' comment suppresses nothing."),
)

RULES: dict[str, Rule] = {rule.id: rule for rule in _DECLARED}

# Rules an inline comment may not silence: they report on the file or the suppressions themselves.
UNSUPPRESSIBLE = frozenset({"MS000", "MS001", "MS901", "MS902"})
