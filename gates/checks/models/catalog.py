"""The model-safety code rules: stable ids, default severities, peer ids, docs pages.

Pure data, so the policy, the docs index and the gate can all read it cheaply.
Bump ``RULES_VERSION`` whenever a rule's logic changes: it invalidates the cache.
"""

from __future__ import annotations

from gates.findings import Severity
from gates.links import RULES_DOCS
from gates.records import frozen_record

RULES_VERSION = "1"
DOCS_BASE = RULES_DOCS


@frozen_record
class Rule:
    id: str
    name: str
    severity: Severity
    summary: str
    # The same problem's id in peer tools (bandit), so waivers written for them still match.
    aliases: tuple[str, ...] = ()
    fixable: bool = False

    @property
    def help_uri(self) -> str:
        return f"{DOCS_BASE}/{self.id}.md"


_E, _W = Severity.ERROR, Severity.WARNING

RULES: dict[str, Rule] = {
    r.id: r
    for r in (
        Rule("MS000", "unparsable-file", _E, "A Python file could not be parsed, so it was not checked."),
        Rule(
            "MS101",
            "torch-load-without-weights-only",
            _E,
            "torch.load without a constant weights_only=True can run code from the checkpoint.",
            ("B614",),
            fixable=True,
        ),
        Rule(
            "MS102",
            "torch-load-weights-only-via-kwargs",
            _W,
            "torch.load gets weights_only only through **kwargs; it cannot be checked.",
            ("B614",),
        ),
        Rule(
            "MS201",
            "pickle-load",
            _E,
            "Unpickling (pickle, dill, cloudpickle, joblib, jsonpickle) runs code from the data.",
            ("B301",),
        ),
        Rule("MS202", "shelve-open", _E, "shelve unpickles every value it reads.", ("B301",)),
        Rule("MS203", "pandas-read-pickle", _E, "pandas.read_pickle unpickles the file.", ("B301",)),
        Rule(
            "MS204",
            "numpy-allow-pickle",
            _E,
            "numpy.load with allow_pickle not a constant False unpickles object arrays.",
        ),
        Rule(
            "MS301",
            "hf-download-unpinned",
            _E,
            "A Hugging Face download is not pinned to a full 40-hex commit.",
            ("B615",),
        ),
        Rule(
            "MS302",
            "hf-download-unresolved",
            _W,
            "A Hugging Face model id or revision is a variable this check cannot resolve.",
            ("B615",),
        ),
        Rule(
            "MS401",
            "trust-remote-code",
            _E,
            "trust_remote_code=True runs the model repository's Python code.",
        ),
        Rule(
            "MS402",
            "trust-remote-code-unresolved",
            _W,
            "trust_remote_code is set from a value this check cannot resolve.",
        ),
        Rule("MS501", "torch-hub-load-untrusted", _E, "torch.hub.load runs hubconf.py without trust_repo."),
        Rule(
            "MS502",
            "torch-hub-download-unverified",
            _E,
            "A torch.hub download is not verified against a hash.",
        ),
        Rule(
            "MS601",
            "yaml-unsafe-load",
            _E,
            "yaml.load without a safe loader can construct arbitrary Python objects.",
            ("B506",),
            fixable=True,
        ),
        Rule(
            "MS701",
            "http-without-timeout",
            _W,
            "An HTTP request without a timeout can hang the job forever.",
            ("B113",),
            fixable=True,
        ),
        Rule("MS801", "keras-unsafe-mode", _E, "Keras load_model with safe_mode off runs Lambda-layer code."),
        Rule(
            "MS901",
            "suppression-without-reason",
            _E,
            "A '# gates: ignore[...]' comment gives no rule id or no reason, so it suppresses nothing.",
        ),
        Rule("MS902", "unused-suppression", _W, "A '# gates: ignore[...]' comment suppresses nothing."),
    )
}

# Rules an inline comment may not silence: they report on the suppressions themselves.
UNSUPPRESSIBLE = frozenset({"MS000", "MS901", "MS902"})
