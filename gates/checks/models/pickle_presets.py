"""Vetted allow-list presets for pickles the ecosystem writes (``model_files.trust``).

Each preset is an exact list of globals, never a pattern, split by how the pickle may use
them:

- ``call``: safe to call with any arguments the file chooses (enum lookups, plain types);
- ``rebuild``: classes a pickle may only *rebuild*: allocate with ``cls.__new__`` (NEWOBJ)
  and fill with BUILD. Calling one (REDUCE, INST, OBJ), or using it as a value anywhere
  else (where a later BUILD can call it through an instance's ``__setstate__`` slot), is
  still MF102: its ``__init__``/``__post_init__`` runs real code.

docs/gates/model-files.md gives the argument for each preset; presets on by default
(``DEFAULT_TRUST`` in the policy) are the ones whose argument holds for any payload.
Dangerous globals (``os.system``...) are judged before presets and never allowed.
"""

from __future__ import annotations

from collections.abc import Iterable

from gates.records import frozen_record


@frozen_record
class Preset:
    name: str
    call: frozenset[str]
    rebuild: frozenset[str]


def _names(prefixes: Iterable[str], names: Iterable[str]) -> frozenset[str]:
    listed = tuple(names)
    return frozenset(f"{prefix}.{name}" for prefix in prefixes for name in listed)


# transformers 4.x and 5.x write the same names (checked against 4.57 and 5.25).
_HF_ENUMS = frozenset(
    {
        "transformers.trainer_utils.IntervalStrategy",
        "transformers.trainer_utils.EvaluationStrategy",
        "transformers.trainer_utils.SaveStrategy",
        "transformers.trainer_utils.HubStrategy",
        "transformers.trainer_utils.SchedulerType",
        "transformers.trainer_utils.FSDPOption",
        "transformers.training_args.OptimizerNames",
        "transformers.training_args.ParallelMode",
        "transformers.debug_utils.DebugOption",
        "accelerate.utils.dataclasses.DistributedType",
        "accelerate.utils.dataclasses.DynamoBackend",
        "accelerate.utils.dataclasses.PrecisionType",
    }
)
_HF_DATACLASSES = frozenset(
    {
        "transformers.training_args.TrainingArguments",
        "transformers.training_args_seq2seq.Seq2SeqTrainingArguments",
        "transformers.trainer_pt_utils.AcceleratorConfig",
        "accelerate.state.PartialState",
    }
)

_PANDAS_MODULES = {
    "DataFrame": ("pandas", "pandas.core.frame"),
    "Series": ("pandas", "pandas.core.series"),
    "Index": ("pandas", "pandas.core.indexes.base"),
    "RangeIndex": ("pandas", "pandas.core.indexes.range"),
    "DatetimeIndex": ("pandas", "pandas.core.indexes.datetimes"),
    "CategoricalIndex": ("pandas", "pandas.core.indexes.category"),
    "Categorical": ("pandas", "pandas.core.arrays.categorical"),
    "CategoricalDtype": ("pandas", "pandas.core.dtypes.dtypes"),
    "DatetimeTZDtype": ("pandas", "pandas.core.dtypes.dtypes"),
    "StringDtype": ("pandas", "pandas.core.arrays.string_"),
    "DatetimeArray": ("pandas.arrays", "pandas.core.arrays.datetimes"),
    "TimedeltaArray": ("pandas.arrays", "pandas.core.arrays.timedeltas"),
    "StringArray": ("pandas.arrays", "pandas.core.arrays.string_"),
    "BlockManager": ("pandas.core.internals.managers",),
    "SingleBlockManager": ("pandas.core.internals.managers",),
}
_PANDAS = frozenset(f"{module}.{name}" for name, modules in _PANDAS_MODULES.items() for module in modules) | {
    "pandas.core.indexes.base._new_Index",
    "pandas.core.indexes.datetimes._new_DatetimeIndex",
    "pandas._libs.internals._unpickle_block",
    "pandas._libs.arrays.__pyx_unpickle_NDArrayBacked",
    "pandas._libs.tslibs.timestamps._unpickle_timestamp",
    "pandas._libs.tslibs.timedeltas._timedelta_unpickle",
    "pandas._libs.tslibs.offsets.Day",
    "pandas._libs.tslibs.nattype.__nat_unpickle",
    "pandas.core.internals.blocks.new_block",
    "pandas.core.internals.blocks.Block",
    "pandas.core.internals.blocks.NumpyBlock",
    "pandas.core.internals.blocks.ObjectBlock",
    "pandas.core.internals.blocks.DatetimeLikeBlock",
    "pandas.core.internals.blocks.ExtensionBlock",
}

_SKLEARN_ESTIMATORS = {
    "sklearn.pipeline": ("Pipeline", "FeatureUnion"),
    "sklearn.compose._column_transformer": ("ColumnTransformer",),
    "sklearn.preprocessing._data": ("StandardScaler", "MinMaxScaler", "RobustScaler", "MaxAbsScaler"),
    "sklearn.preprocessing._encoders": ("OneHotEncoder", "OrdinalEncoder"),
    "sklearn.preprocessing._label": ("LabelEncoder", "LabelBinarizer"),
    "sklearn.impute._base": ("SimpleImputer",),
    "sklearn.linear_model._logistic": ("LogisticRegression",),
    "sklearn.linear_model._base": ("LinearRegression",),
    "sklearn.linear_model._ridge": ("Ridge", "RidgeClassifier"),
    "sklearn.tree._classes": (
        "DecisionTreeClassifier",
        "DecisionTreeRegressor",
        "ExtraTreeClassifier",
        "ExtraTreeRegressor",
    ),
    "sklearn.ensemble._forest": (
        "RandomForestClassifier",
        "RandomForestRegressor",
        "ExtraTreesClassifier",
        "ExtraTreesRegressor",
    ),
    "sklearn.feature_extraction.text": ("CountVectorizer", "TfidfVectorizer", "TfidfTransformer"),
    "sklearn.decomposition._pca": ("PCA",),
    "sklearn.cluster._kmeans": ("KMeans",),
}
_SKLEARN = frozenset(f"{module}.{name}" for module, names in _SKLEARN_ESTIMATORS.items() for name in names)

_TORCH_MODULES = {
    "linear": ("Linear", "Identity", "Bilinear"),
    "conv": ("Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d"),
    "activation": (
        "ReLU",
        "ReLU6",
        "GELU",
        "SiLU",
        "Tanh",
        "Sigmoid",
        "Softmax",
        "LogSoftmax",
        "LeakyReLU",
        "ELU",
        "Mish",
        "Hardswish",
        "MultiheadAttention",
    ),
    "batchnorm": ("BatchNorm1d", "BatchNorm2d", "BatchNorm3d"),
    "normalization": ("LayerNorm", "GroupNorm", "RMSNorm"),
    "dropout": ("Dropout", "Dropout1d", "Dropout2d", "Dropout3d"),
    "sparse": ("Embedding", "EmbeddingBag"),
    "pooling": ("MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d", "AdaptiveAvgPool1d", "AdaptiveAvgPool2d"),
    "flatten": ("Flatten", "Unflatten"),
    "container": ("Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict"),
    "rnn": ("LSTM", "GRU", "RNN"),
    "transformer": (
        "TransformerEncoderLayer",
        "TransformerEncoder",
        "TransformerDecoderLayer",
        "TransformerDecoder",
    ),
}
_TORCH = frozenset(
    f"torch.nn.modules.{module}.{name}" for module, names in _TORCH_MODULES.items() for name in names
)

PRESETS: dict[str, Preset] = {
    preset.name: preset
    for preset in (
        Preset("hf-trainer", call=_HF_ENUMS, rebuild=_HF_DATACLASSES),
        # Namespace(*args) takes no positional argument: any call is an empty namespace or a TypeError.
        Preset("argparse", call=frozenset({"argparse.Namespace"}), rebuild=frozenset()),
        Preset("pandas", call=frozenset(), rebuild=_PANDAS),
        Preset("sklearn", call=frozenset({"sklearn.tree._tree.Tree"}), rebuild=_SKLEARN),
        Preset("torch-modules", call=frozenset(), rebuild=_TORCH),
    )
}


def preset_allows(qualname: str, invoked: bool, trusted: Iterable[str]) -> str | None:
    """The name of the trusted preset that accepts this use of ``qualname``, or None.

    A ``rebuild`` class is accepted only when it is merely rebuilt, except in the pandas
    preset, whose rebuilding helpers are handed classes as values (``_new_Index(cls, d)``):
    opting in to it means trusting pandas' own rebuilding code with the file's values.
    """
    for name in trusted:
        preset = PRESETS.get(name)
        if preset is None:
            continue
        if qualname in preset.call:
            return name
        if qualname in preset.rebuild and (not invoked or name in _VOUCHED):
            return name
    return None


def preset_for(qualname: str) -> str | None:
    """The preset that lists ``qualname`` (for the message when it is not trusted)."""
    for preset in PRESETS.values():
        if qualname in preset.call or qualname in preset.rebuild:
            return preset.name
    return None


# Opt-in presets whose library code takes the file's values (pandas' _new_Index(cls, d) is
# handed a class, sklearn's Tree its node arrays): trusting them means trusting that code.
_VOUCHED = frozenset({"pandas"})
