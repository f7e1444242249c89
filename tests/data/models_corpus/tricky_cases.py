import pickle
from torch import (
    load as tload,
)


class Big:
    """Talks about load and torch.load(path) in prose only."""

    def first(self):
        return 1

    def second(self, p):
        return tload(p)  # expect: MS101 bandit-miss


def lazy(p):
    import yaml as y

    return y.load(p)  # expect: MS601


g = pickle.loads


def use(d):
    return g(d)  # expect: MS201 bandit-miss


def split_call(p):
    import torch

    return torch.load(  # expect: MS101
        p
    )


def import_dill():
    return None


dill = import_dill()


def replay(f):
    return dill.load(f)  # expect: MS201


def other_yaml_library(fd):
    from ruamel.yaml import YAML

    yaml = YAML()
    return yaml.load(fd)  # bandit-fp
