from torch import load
from torch.serialization import load as sload

load("model.pt")  # expect: MS101 bandit-miss
sload("model.pt")  # expect: MS101 bandit-miss
load("model.pt", weights_only=True)
