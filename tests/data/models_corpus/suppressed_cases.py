import pickle

import torch

torch.load("a.pt")  # gates: ignore[MS101] file written by our own trainer
torch.load("b.pt")  # gates: ignore[B614] waived under bandit's id
# gates: ignore[MS201] cache we wrote ourselves, read back in-process
pickle.loads(b"")
torch.load("c.pt")  # gates: ignore[MS101]  # expect: MS101,MS901
torch.load("d.pt")  # gates: ignore  # expect: MS101,MS901
x = 1  # gates: ignore[MS101] nothing here  # expect: MS902
torch.load(  # gates: ignore[MS101] multi-line call, comment on the first line
    "e.pt",
)
