import json

import numpy as np
import torch
import yaml

p = "model.pt"
torch.load(p, weights_only=True)
json.load(open("x.json"))
json.loads("{}")
yaml.safe_load("a: 1")
np.load(p)
model.load_state_dict(state)
text = "torch.load(p)"
doc = """
torch.load(p)
pickle.loads(data)
"""
# torch.load(p) in a comment
x = 1  # torch.load(p)


class Loader:
    def load(self, path):
        return self.load(path)


obj.load(p)
