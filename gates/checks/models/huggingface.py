"""MS301/MS302: Hugging Face downloads must be pinned to a full 40-hex commit.

A branch or tag ("main", "v1.0") can be moved by whoever controls the repository, and a
short SHA is not unique, so only the full commit id pins what is downloaded.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from gates.checks.models.calls import (
    Arguments,
    FileContext,
    Hit,
    argument,
    arguments,
    describe,
    is_constant,
)
from gates.checks.models.names import UNKNOWN, dotted_name
from gates.records import frozen_record

FULL_SHA = re.compile(r"[0-9a-f]{40}")
# huggingface_hub's validate_repo_id: word characters, "-" and "." ("_dummy" too), one "/".
_HUB_ID = re.compile(r"[\w][\w.-]*(/[\w.-]+)?")
_LOCAL_PREFIXES = ("./", "../", "/", "~", ".\\", "..\\", "\\")
# load_dataset("json", data_files=...) builds a local dataset; no download.
DATASET_BUILDERS = frozenset(
    {"json", "csv", "parquet", "text", "arrow", "pandas", "imagefolder", "audiofolder", "videofolder",
     "webdataset", "generator", "sql", "xml", "spark", "cache",
     # datasets' other packaged modules, resolved before the Hub is asked (datasets/load.py)
     "conll", "hdf5", "eval", "lance", "tsfile", "iceberg", "meshfolder", "pdffolder", "niftifolder"}
)  # fmt: skip
_PATH_FACTORIES = ("pathlib.", "os.path.", "os.getcwd", "os.environ", "tempfile.", "importlib.resources.")


@frozen_record
class Target:
    """Where a covered call takes the model id (keyword, position) and what it downloads."""

    id_keyword: str
    id_position: int | None
    what: str = "model"


HUB_FUNCTIONS = {
    "huggingface_hub.hf_hub_download": Target("repo_id", 0, "file"),
    "huggingface_hub.file_download.hf_hub_download": Target("repo_id", 0, "file"),
    "huggingface_hub.snapshot_download": Target("repo_id", 0, "snapshot"),
    "huggingface_hub._snapshot_download.snapshot_download": Target("repo_id", 0, "snapshot"),
    "datasets.load_dataset": Target("path", 0, "dataset"),
    "datasets.load_dataset_builder": Target("path", 0, "dataset"),
    "transformers.pipeline": Target("model", 1),
    "transformers.pipelines.pipeline": Target("model", 1),
    "sentence_transformers.SentenceTransformer": Target("model_name_or_path", 0),
    "sentence_transformers.CrossEncoder": Target("model_name", 0),
    "sentence_transformers.cross_encoder.CrossEncoder": Target("model_name", 0),
    # HfApi's methods download as the module's functions do (optimum).
    "huggingface_hub.HfApi().hf_hub_download": Target("repo_id", 0, "file"),
    "huggingface_hub.HfApi().snapshot_download": Target("repo_id", 0, "snapshot"),
    # A metric, comparison or measurement is a Python module from the Hub, imported and run.
    "evaluate.load": Target("path", 0, "metric"),
}
# Star-imported bare names worth taking for the library's; ``load`` is everybody's.
SHORT_NAMES = {q.rsplit(".", 1)[1] for q in HUB_FUNCTIONS} - {"load"}
TIMM_CREATE = frozenset({"timm.create_model", "timm.models.create_model"})
# Libraries whose ``X.from_pretrained`` downloads from the Hugging Face Hub. A receiver that
# resolves elsewhere (``torch.nn.Embedding``, a class of this repository) is not checked.
HF_LIBRARIES = frozenset(
    {"transformers", "diffusers", "peft", "sentence_transformers", "optimum", "huggingface_hub", "timm",
     "trl", "setfit", "adapters", "open_clip", "tokenizers"}
)  # fmt: skip
FROM_PRETRAINED_APIS = frozenset(f"{library}.*.from_pretrained" for library in sorted(HF_LIBRARIES))


@frozen_record
class ModelRef:
    node: ast.expr | None
    value: str | None  # the resolved string, when there is one
    kind: str  # "hub", "local", "downloaded" (a hub download's result), "object", "unknown", "absent"


def check_huggingface(call: ast.Call, qual: str | None, ctx: FileContext) -> Iterator[Hit]:
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr == "from_pretrained":
        if is_hub_receiver(func.value, ctx):
            yield from _check_pinned(call, ctx, from_pretrained_target(call, ctx), "from_pretrained")
        return
    target = HUB_FUNCTIONS.get(qual or "")
    if (
        target is None
        and qual is None
        and isinstance(func, ast.Name)
        and func.id in SHORT_NAMES
        and ctx.names.star_import
        and func.id not in ctx.names.defined
        and func.id not in ctx.names.local
    ):
        # Star-imported: the name alone is distinctive enough.
        target = next(t for q, t in HUB_FUNCTIONS.items() if q.endswith("." + func.id))
    if target is not None:
        name = qual or describe(func)
        yield from _check_pinned(call, ctx, target, name)
    elif qual in TIMM_CREATE:
        yield from _check_timm(call, ctx)


def is_hub_receiver(owner: ast.expr, ctx: FileContext) -> bool:
    """Whether ``owner.from_pretrained`` is a Hugging Face library's.

    Yes when ``owner`` resolves into one (``transformers.AutoModel``, an alias of it), or
    cannot be resolved at all (a star import, a parameter, ``self.model_class``). No for a
    class or function this file defines and for anything resolving to another module
    (``torch.nn.Embedding``, ``from model import GPT``, ``from . import hub_utils``).
    """
    qual = ctx.names.qualname(owner)
    if qual is not None:
        return qual.split(".", 1)[0] in HF_LIBRARIES
    root = owner
    while isinstance(root, ast.Attribute | ast.Call | ast.Subscript):
        root = root.func if isinstance(root, ast.Call) else root.value
    if isinstance(root, ast.Name):
        if root.id in ctx.names.defined:
            return False
        if root.id in ctx.names.aliases:
            return False  # bound to something that resolved outside the libraries
    return True


def from_pretrained_target(call: ast.Call, ctx: FileContext) -> Target:
    owner = call.func.value if isinstance(call.func, ast.Attribute) else call.func
    qual = ctx.names.qualname(owner) or ""
    leaf = qual.rsplit(".", 1)[-1] or (owner.id if isinstance(owner, ast.Name) else "")
    if leaf.startswith("PeftModel") or leaf == "PeftMixedModel":
        # PeftModel.from_pretrained(base_model, "org/adapter")
        return Target("model_id", 1, "adapter")
    return Target("pretrained_model_name_or_path", 0)


def model_ref(call: ast.Call, args: Arguments, target: Target, ctx: FileContext) -> ModelRef:
    node = argument(call, args, target.id_keyword, target.id_position)
    if node is None:
        return ModelRef(None, None, "absent")
    value, kind = _classify(node, ctx)
    if target.what in ("file", "snapshot") and value is None and kind in ("local", "downloaded", "unknown"):
        # hf_hub_download/snapshot_download take a hub id, never a path, whatever the name says
        # (checkpoint_dir = snapshot_download(checkpoint_dir)): whatever it is, they download it.
        kind = "hub"
    return ModelRef(node, value, kind)


def _classify(node: ast.expr, ctx: FileContext, depth: int = 0) -> tuple[str | None, str]:
    node = ctx.names.bound_expr(node)
    value = ctx.names.value(node)
    if isinstance(value, str):
        return value, _classify_string(value, ctx)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        return None, "local"  # Path / "name"
    if isinstance(node, ast.JoinedStr):
        head = node.values[0] if node.values else None
        if isinstance(head, ast.Constant) and str(head.value).startswith(_LOCAL_PREFIXES):
            return None, "local"
        return None, "unknown"
    if _looks_local(node, ctx):
        return None, "local"
    qual = ctx.names.qualname(node.func if isinstance(node, ast.Call) else node) or ""
    if isinstance(node, ast.Call):
        if qual.startswith(_PATH_FACTORIES) or qual in ("pathlib.Path", "pathlib.PurePath"):
            return None, "local"
        if qual in HUB_FUNCTIONS or qual.rsplit(".", 1)[-1] in ("hf_hub_download", "snapshot_download"):
            return None, "downloaded"  # the download's own call is checked; its result is a local path
        if isinstance(node.func, ast.Name) and node.func.id in ("Path", "PurePath"):
            return None, "local"
        if isinstance(node.func, ast.Attribute) and node.func.attr in ("joinpath", "resolve", "absolute"):
            return None, "local"
        if isinstance(node.func, ast.Attribute) and node.func.attr == "from_pretrained":
            return None, "object"  # whatever the receiver, from_pretrained returns the loaded object
        is_str = qual in ("str", "os.fspath") or (isinstance(node.func, ast.Name) and node.func.id == "str")
        if is_str and len(node.args) == 1 and not node.keywords and depth < 4:
            return _classify(node.args[0], ctx, depth + 1)  # str(path) is the path
        if _is_model_object(qual):
            return None, "object"
        return None, "unknown"
    bound = dotted_name(node)
    if bound is not None and bound in ctx.names.exprs and depth < 4:
        # ``path = os.path.join(...)``, ``with tempfile.TemporaryDirectory() as tmp``,
        # ``self.model_dir = Path(p)``.
        return _classify(ctx.names.exprs[bound], ctx, depth + 1)
    bound_to = ctx.names.choices.get(dotted_name(node) or "")
    if bound_to and all(_classify_string(text, ctx) == "hub" for text in bound_to):
        # repo_id = "org/a" here, "org/b" there: which one reaches the call, it is a hub id.
        return None, "hub"
    # A model object built earlier, not an id; only when every binding says so:
    # `model = AutoModel.from_pretrained(model)` rebinds a parameter holding the id.
    key = dotted_name(node)
    certain = key is not None and key not in ctx.names.uncertain
    if certain and _is_model_object(qual.removesuffix("()")) and qual.endswith("()"):
        return None, "object"
    return None, "unknown"


# Names that plainly hold a directory of this machine: tmp_path, tmpdir, output_dir, train_data_dir
# (not model_dir or checkpoint_dir, which often hold hub ids).
_LOCAL_NAME = re.compile(
    r"(?:tmp|temp)(?:_?path|_?dir(?:name)?)?"
    r"|(?:\w+_)?(?:input|output|save|out|log|export|dump|work|data|cache)_?(?:dir(?:name)?|path)",
    re.I,
)


def _looks_local(node: ast.expr, ctx: FileContext) -> bool:
    leaf = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else None
    if leaf is not None and _LOCAL_NAME.fullmatch(leaf):
        return True
    if isinstance(node, ast.Call):
        qual = ctx.names.qualname(node.func) or ""
        return qual.startswith("tempfile.")
    return False


def _is_model_object(qual: str) -> bool:
    """``AutoModel.from_pretrained(...)`` or a Hugging Face class built directly: an object."""
    if qual.endswith(".from_pretrained") or qual.endswith(".from_pretrained()"):
        return True
    head, _, leaf = qual.removesuffix("()").rpartition(".")
    return head.split(".", 1)[0] in HF_LIBRARIES and leaf[:1].isupper()


def _classify_string(text: str, ctx: FileContext) -> str:
    if not text or text.startswith(_LOCAL_PREFIXES) or re.match(r"[A-Za-z]:[\\/]", text):
        return "local"
    if not _HUB_ID.fullmatch(text):
        return "local"  # several slashes, spaces, extensions: a filesystem path
    if "/" in text and (ctx.path_exists(text) or ctx.path_exists(_sibling(ctx.path, text))):
        return "local"  # "models/bert" that is a directory of this repository
    return "hub"


def _sibling(path: str, name: str) -> str:
    parent = path.rsplit("/", 1)[0] if "/" in path else ""
    return f"{parent}/{name}" if parent else name


def _check_pinned(call: ast.Call, ctx: FileContext, target: Target, name: str) -> Iterator[Hit]:
    args = arguments(call, ctx.names)
    if is_constant(ctx.names.value(args.keywords.get("local_files_only")), True):
        return
    ref = model_ref(call, args, target, ctx)
    if ref.kind == "absent" and target.id_keyword == "path":
        return
    if ref.kind in ("local", "downloaded", "object"):
        return
    if ref.value in DATASET_BUILDERS and target.what == "dataset":
        return
    if ref.kind == "absent" and target.id_keyword != "model":
        return  # the id comes through *args/**kwargs or is missing: not a download we can see
    revision_node = args.keywords.get("revision")
    if ref.kind == "absent":
        if not args.opaque_star and not call.args[2:]:
            yield Hit("MS301", call, f"{name}() without model= downloads the task's default model, unpinned")
        return
    where = f"{name}({ref.value!r})" if ref.value else f"{name}({describe(ref.node)})"
    if revision_node is None:
        if ref.kind == "unknown" and not args.opaque_star:
            yield Hit(
                "MS302",
                call,
                f"{where}: cannot tell whether {describe(ref.node)} is a local path or a hub id; "
                "pass revision='<40-hex commit>' or a Path",
            )
        elif ref.kind == "unknown" or args.opaque_star:
            yield Hit("MS302", call, f"{where}: the revision may come through **kwargs; pass it explicitly")
        else:
            yield Hit("MS301", call, f"{where} without revision= downloads whatever the default branch holds")
        return
    revision = ctx.names.value(revision_node)
    if revision is UNKNOWN and _never_a_commit(revision_node):
        yield Hit(
            "MS301", call, f"{where} with revision={describe(revision_node)}: a branch or tag, never a commit"
        )
        return
    if revision is UNKNOWN or not isinstance(revision, str):
        if revision is UNKNOWN:
            yield Hit(
                "MS302",
                call,
                f"{where}: revision={describe(revision_node)} cannot be resolved; "
                "pin a 40-hex commit constant",
            )
        else:
            yield Hit("MS301", call, f"{where} with revision={revision!r}: pin a 40-hex commit")
        return
    if not FULL_SHA.fullmatch(revision):
        kind = "a short SHA" if re.fullmatch(r"[0-9a-f]{4,39}", revision) else "a branch or tag"
        yield Hit("MS301", call, f"{where} with revision={revision!r} ({kind}): pin the full 40-hex commit")


def _never_a_commit(node: ast.expr) -> bool:
    """``f"step{n}"``, ``"v" + tag``: text around the unknown part that no hex digest holds."""
    if isinstance(node, ast.JoinedStr):
        pieces = [v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)]
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        pieces = [
            s.value
            for s in (node.left, node.right)
            if isinstance(s, ast.Constant) and isinstance(s.value, str)
        ]
    else:
        return False
    return any(re.search(r"[^0-9a-f]", piece) for piece in pieces)


def _check_timm(call: ast.Call, ctx: FileContext) -> Iterator[Hit]:
    args = arguments(call, ctx.names)
    node = argument(call, args, "model_name", 0)
    value = ctx.names.value(node)
    if not isinstance(value, str) or not value.startswith(("hf-hub:", "hf_hub:")):
        return
    _, _, revision = value.partition("@")
    if not FULL_SHA.fullmatch(revision):
        yield Hit(
            "MS301",
            call,
            f"timm.create_model({value!r}) is not pinned: use 'hf-hub:org/name@<40-hex commit>'",
        )
