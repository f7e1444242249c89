"""Which globals a pickle may name: a default-deny allowlist, plus names known to be dangerous.

A pickle can only do harm through the globals it imports and calls, so the scanner
reduces every pickle to the ``module.name`` strings it references and judges each one
here. Anything outside the allowlist fails; the denylist only makes the message say
*why* (``os.system`` runs shell commands) instead of "not allowed".
"""

from __future__ import annotations

import _compat_pickle
from collections.abc import Iterable
from enum import Enum

from gates.records import frozen_record

_TORCH_DTYPES = [
    "bfloat16",
    "bits16",
    "bits1x8",
    "bits2x4",
    "bits4x2",
    "bits8",
    "bool",
    "complex128",
    "complex32",
    "complex64",
    "float16",
    "float32",
    "float64",
    "float4_e2m1fn_x2",
    "float8_e4m3fn",
    "float8_e4m3fnuz",
    "float8_e5m2",
    "float8_e5m2fnuz",
    "float8_e8m0fnu",
    "int1",
    "int2",
    "int3",
    "int4",
    "int5",
    "int6",
    "int7",
    "int8",
    "int16",
    "int32",
    "int64",
    "qint32",
    "qint8",
    "quint2x4",
    "quint4x2",
    "quint8",
    "uint1",
    "uint2",
    "uint3",
    "uint4",
    "uint5",
    "uint6",
    "uint7",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "half",
    "float",
    "double",
    "long",
    "int",
    "short",
    "cfloat",
    "cdouble",
]
_TORCH_TENSOR_KINDS = [
    "BFloat16",
    "Bool",
    "Byte",
    "Char",
    "ComplexDouble",
    "ComplexFloat",
    "Double",
    "Float",
    "Half",
    "Int",
    "Long",
    "Short",
]
_TORCH_QUANT_STORAGES = ["QInt32", "QInt8", "QUInt2x4", "QUInt4x2", "QUInt8"]
_TORCH_REBUILDERS = [
    "_rebuild_tensor",
    "_rebuild_tensor_v2",
    "_rebuild_tensor_v3",
    "_rebuild_parameter",
    "_rebuild_parameter_with_state",
    "_rebuild_qtensor",
    "_rebuild_sparse_tensor",
    "_rebuild_meta_tensor_no_storage",
    "_rebuild_nested_tensor",
    "_rebuild_wrapper_subclass",
    "_rebuild_device_tensor_from_numpy",
    "_rebuild_device_tensor_from_cpu_tensor",
]


_TORCH_JIT_PICKLE = [
    "build_boollist",
    "build_doublelist",
    "build_intlist",
    "build_tensor_from_id",
    "build_tensorlist",
    "restore_type_tag",
]


def _torch_allowlist() -> set[str]:
    """What ``torch.load(weights_only=True)`` itself accepts (torch 2.x), by name."""
    names = {f"torch._utils.{f}" for f in _TORCH_REBUILDERS}
    names |= {f"torch.{d}" for d in _TORCH_DTYPES}
    for kind in _TORCH_TENSOR_KINDS:
        for prefix in ("torch", "torch.cuda"):
            names |= {f"{prefix}.{kind}Storage", f"{prefix}.{kind}Tensor"}
        names.add(f"torch.sparse.{kind}Tensor")
        names.add(f"torch.cuda.sparse.{kind}Tensor")
    names |= {f"torch.{q}Storage" for q in _TORCH_QUANT_STORAGES}
    names |= {
        "torch._tensor._rebuild_from_type_v2",
        "torch.storage.TypedStorage",
        "torch.storage.UntypedStorage",
        "torch.UntypedStorage",
        "torch.TypedStorage",
        "torch.serialization._get_layout",
        "torch.nn.parameter.Parameter",
        "torch.Size",
        "torch.Tensor",
        "torch.device",
        "torch.strided",
        "torch.sparse_coo",
        "torch.sparse_csr",
        "torch.contiguous_format",
        "torch.channels_last",
        "torch.preserve_format",
        "torch.per_tensor_affine",
        "torch.per_tensor_symmetric",
        "torch.per_channel_affine",
        "torch.per_channel_symmetric",
        "torch.per_channel_affine_float_qparams",
    }
    return names


def _numpy_allowlist() -> set[str]:
    names: set[str] = {"numpy.ndarray", "numpy.dtype"}
    # Random generators rebuild from a bit-generator *name* looked up in numpy's own table.
    names |= {
        f"numpy.random._pickle.{f}"
        for f in ("__generator_ctor", "__bit_generator_ctor", "__randomstate_ctor")
    }
    for core in ("numpy.core.multiarray", "numpy._core.multiarray"):
        names |= {f"{core}._reconstruct", f"{core}.scalar"}
    # Protocol 5 arrays: frombuffer(buf, dtype).reshape(shape, order), data only.
    names |= {"numpy.core.numeric._frombuffer", "numpy._core.numeric._frombuffer"}
    return names


DEFAULT_ALLOWED_GLOBALS: frozenset[str] = frozenset(
    _torch_allowlist()
    | _numpy_allowlist()
    | {
        "collections.OrderedDict",
        "collections.Counter",
        "collections.defaultdict",
        "_codecs.encode",  # how protocol-2 pickles spell a bytes literal
        "copyreg._reconstructor",  # protocol 0/1 object rebuild; its class argument is checked too
        "builtins.set",
        "builtins.frozenset",
        "builtins.bytearray",
        "builtins.complex",
        "builtins.slice",
        "builtins.range",
        "builtins.int",
        "builtins.float",
        "builtins.bool",
        "builtins.str",
        "builtins.bytes",
        "builtins.tuple",
        "builtins.list",
        "builtins.dict",
        "builtins.object",  # copyreg._reconstructor(cls, object, state) in protocol 0/1 pickles
        # joblib's array header; the scanner steps over the raw bytes that follow it.
        "joblib.numpy_pickle.NumpyArrayWrapper",
    }
    # TorchScript archives (torch.jit.save): list builders, and classes under ``__torch__``,
    # which names TorchScript types; no Python module has that name, so pickle cannot
    # resolve them and only torch.jit.load's own unpickler gives them meaning.
    | {f"torch.jit._pickle.{f}" for f in _TORCH_JIT_PICKLE}
)
DEFAULT_ALLOWED_PATTERNS: tuple[str, ...] = ("__torch__.*",)

# Modules whose every member is dangerous to import or call from a pickle, with why.
_DANGEROUS_MODULES: dict[str, str] = {
    "os": "runs shell commands and touches files",
    "posix": "runs shell commands and touches files",
    "nt": "runs shell commands and touches files",
    "subprocess": "runs programs",
    "_posixsubprocess": "runs programs",
    "pty": "spawns shells",
    "sys": "reaches the interpreter's modules and state",
    "socket": "opens network connections",
    "ssl": "opens network connections",
    "http": "makes network requests",
    "urllib": "makes network requests",
    "requests": "makes network requests",
    "ftplib": "makes network requests",
    "smtplib": "sends mail",
    "telnetlib": "opens network connections",
    "webbrowser": "opens URLs",
    "shutil": "copies and deletes files",
    "tempfile": "creates files",
    "io": "opens files",
    "_io": "opens files",
    "runpy": "runs modules and scripts",
    "importlib": "imports arbitrary modules",
    "pkgutil": "imports arbitrary modules",
    "zipimport": "imports arbitrary code",
    "imp": "imports arbitrary modules",
    "code": "runs arbitrary code",
    "codeop": "compiles arbitrary code",
    "types": "builds functions from raw bytecode",
    "marshal": "loads raw bytecode",
    "ctypes": "calls native code",
    "_ctypes": "calls native code",
    "cffi": "calls native code",
    "multiprocessing": "starts processes",
    "threading": "starts threads",
    "_thread": "starts threads",
    "signal": "changes signal handlers",
    "asyncio": "starts subprocesses and connections",
    "pickle": "loads a nested pickle",
    "_pickle": "loads a nested pickle",
    "cPickle": "loads a nested pickle",
    "dill": "loads a nested pickle",
    "cloudpickle": "loads a nested pickle",
    "joblib.load": "loads a nested pickle",
    "joblib.numpy_pickle.load": "loads a nested pickle",
    "joblib.numpy_pickle.NumpyUnpickler": "loads a nested pickle",
    "shelve": "loads nested pickles",
    "operator": "reaches arbitrary attributes (attrgetter, methodcaller)",
    "pdb": "starts a debugger that runs code",
    "bdb": "runs code",
    "timeit": "runs code",
    "trace": "runs code",
    "profile": "runs code",
    "cProfile": "runs code",
    "doctest": "runs code",
    "pydoc": "imports arbitrary modules",
    "site": "changes the import path",
    "platform": "runs programs",
    "commands": "runs shell commands",
    "popen2": "runs shell commands",
    "venv": "creates environments and runs programs",
    "ensurepip": "installs packages",
    "pip": "installs packages",
    "setuptools": "runs build scripts",
    "distutils": "runs build scripts",
    "numpy.testing": "runs code (numpy.testing._private.utils.runstring)",
    "numpy.f2py": "compiles and runs code",
    "numpy.distutils": "runs build scripts",
    "torch.hub": "downloads and runs code",
    "torch.serialization": "loads a nested checkpoint",
    "torch.storage._load_from_bytes": "loads a nested checkpoint with torch.load",
    "torch.load": "loads a nested checkpoint",
    "torch.jit.load": "loads and runs TorchScript",
    "torch.jit._load_for_lite_interpreter": "loads and runs TorchScript",
    "torch.jit._serialization": "loads TorchScript archives",
    "torch._C": "reaches native internals",
    "torch.utils.cpp_extension": "compiles and loads native code",
    "pandas.read_pickle": "loads a nested pickle",
    "pandas.io.pickle": "loads a nested pickle",
    "numpy.load": "loads files (object arrays unpickle with allow_pickle)",
    "numpy.lib.npyio.load": "loads files (object arrays unpickle with allow_pickle)",
    "numpy.lib._npyio_impl.load": "loads files (object arrays unpickle with allow_pickle)",
    "jsonpickle": "decodes JSON into arbitrary objects",
    "yaml.load": "constructs arbitrary objects from YAML",
    "yaml.load_all": "constructs arbitrary objects from YAML",
    "yaml.unsafe_load": "constructs arbitrary objects from YAML",
    "yaml.unsafe_load_all": "constructs arbitrary objects from YAML",
    "yaml.full_load": "constructs Python objects from YAML",
    "keras.models.load_model": "loads models whose Lambda layers run code",
    "keras.saving": "loads models whose Lambda layers run code",
    "keras.src.saving": "loads models whose Lambda layers run code",
    "keras.layers.Lambda": "runs serialized Python code",
    "keras.src.layers.core.lambda_layer": "runs serialized Python code",
    "tensorflow.io": "reads and writes files",
    "tensorflow.compat.v1.io": "reads and writes files",
    "tensorflow.py_function": "runs Python functions",
    "tensorflow.numpy_function": "runs Python functions",
    "tensorflow.compat.v1.py_func": "runs Python functions",
    "tensorflow.python.ops.script_ops": "runs Python functions",
}

_DANGEROUS_BUILTINS: dict[str, str] = {
    "eval": "evaluates arbitrary code",
    "exec": "executes arbitrary code",
    "execfile": "executes a file",
    "compile": "compiles arbitrary code",
    "open": "opens files",
    "file": "opens files",
    "getattr": "reaches any attribute (e.g. os.system through a module object)",
    "setattr": "overwrites attributes",
    "delattr": "deletes attributes",
    "__import__": "imports arbitrary modules",
    "globals": "reaches the loader's globals",
    "locals": "reaches the loader's locals",
    "vars": "reaches an object's namespace",
    "input": "reads from the terminal",
    "breakpoint": "starts a debugger",
    "help": "starts an interactive pager",
    "exit": "stops the process",
    "quit": "stops the process",
    "apply": "calls arbitrary callables",
}
_BUILTINS_MODULES = ("builtins", "__builtin__", "__builtins__")


def _py3(module: str, name: str) -> tuple[str, str]:
    """Python 2 names (``__builtin__.xrange``) as the unpickler maps them (fix_imports)."""
    mapped = _compat_pickle.NAME_MAPPING.get((module, name))
    if mapped is not None:
        return mapped
    return _compat_pickle.IMPORT_MAPPING.get(module, module), name


class Verdict(str, Enum):
    ALLOWED = "allowed"
    DANGEROUS = "dangerous"
    NOT_ALLOWED = "not-allowed"


@frozen_record
class GlobalJudgement:
    verdict: Verdict
    qualname: str
    reason: str = ""


def normalize(module: str, name: str) -> str:
    """``module.name`` as the loader would resolve it (Python 2 names mapped)."""
    module, name = _py3(module, name)
    return f"{module}.{name}" if name else module


def _matches(qualname: str, patterns: Iterable[str]) -> bool:
    for pattern in patterns:
        if pattern.endswith(".*"):
            if qualname.startswith(pattern[:-1]):
                return True
        elif qualname == pattern:
            return True
    return False


def _danger(module: str, name: str) -> str | None:
    raw_module = module
    module, name = _py3(module, name)
    if raw_module in _BUILTINS_MODULES or module == "builtins":
        head = name.split(".")[0]
        if head in _DANGEROUS_BUILTINS:
            return _DANGEROUS_BUILTINS[head]
    for qualname in (f"{module}.{name}", f"{raw_module}.{name}"):
        for dangerous, why in _DANGEROUS_MODULES.items():
            if qualname == dangerous or qualname.startswith(dangerous + "."):
                return why
    # A dotted name walks attributes (protocol 4+): ``torch`` + ``_utils.os.system`` reaches os.
    # Only the name is walked; the module part is a real import path (``mypkg.types`` is fine).
    for segment in name.split("."):
        if segment in _DANGEROUS_MODULES and "." not in segment:
            return f"reaches {segment}, which {_DANGEROUS_MODULES[segment]}"
        if segment in _DANGEROUS_BUILTINS and segment not in {"help", "exit", "quit"}:
            return f"reaches {segment}, which {_DANGEROUS_BUILTINS[segment]}"
        if segment in {"system", "popen", "spawn", "execv", "execve", "execl"}:
            return f"reaches {segment}"
        if len(segment) > 4 and segment.startswith("__") and segment.endswith("__"):
            # Config.__init__.__globals__ reaches a module's namespace through any allowed class.
            return f"walks into interpreter internals ({segment})"
    return None


def judge(module: str, name: str, extra_allowed: Iterable[str] = ()) -> GlobalJudgement:
    """Allowed, dangerous (with why) or simply not allowed. Dangerous beats the user's allowlist."""
    qualname = normalize(module, name)
    # The curated exact names come first: torch.serialization._get_layout is safe even
    # though the rest of torch.serialization loads checkpoints.
    if qualname in DEFAULT_ALLOWED_GLOBALS:
        return GlobalJudgement(Verdict.ALLOWED, qualname)
    why = _danger(module, name)
    if why is not None:
        return GlobalJudgement(Verdict.DANGEROUS, qualname, why)
    if _matches(qualname, DEFAULT_ALLOWED_PATTERNS) or _matches(qualname, extra_allowed):
        return GlobalJudgement(Verdict.ALLOWED, qualname)
    return GlobalJudgement(Verdict.NOT_ALLOWED, qualname)
