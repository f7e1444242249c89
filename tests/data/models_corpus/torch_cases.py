import torch
import torch as T
import torch.serialization
from torch import hub

SAFE = True
UNSAFE = False
p = "model.pt"
kw = {"map_location": "cpu"}

torch.load(p)  # expect: MS101
torch.load(p, weights_only=False)  # expect: MS101
torch.load(p, **{"weights_only": False})  # expect: MS101
T.load(p)  # expect: MS101
torch.serialization.load(p)  # expect: MS101
torch.load(p, weights_only=UNSAFE)  # expect: MS101
torch.load(p, weights_only=SAFE)  # bandit-fp
torch.load(p, weights_only=True)
torch.load(  # expect: MS101
    p,
    map_location="cpu",
)
torch.load(p, weights_only=flag_from_config)  # expect: MS101
torch.load(p, **kw)  # expect: MS101
torch.load(p, **options)  # expect: MS102
f = torch.load
f(p)  # expect: MS101 bandit-miss
model.load_state_dict(torch.load(p))  # expect: MS101
model.load_state_dict(torch.load(p, weights_only=True))
torch.hub.load("org/repo", "resnet")  # expect: MS501 bandit-miss
torch.hub.load("org/repo:0123456789abcdef0123456789abcdef01234567", "resnet", trust_repo=True)
hub.load("org/repo", "m", trust_repo=False)  # expect: MS501 bandit-miss
torch.hub.load("./hubconf_dir", "m", source="local")
torch.hub.load_state_dict_from_url("https://x/y.pth")  # expect: MS101,MS502 bandit-miss
torch.hub.load_state_dict_from_url("https://x/y-abc123.pth", check_hash=True, weights_only=True)
torch.hub.download_url_to_file("https://x/y", "y")  # expect: MS502 bandit-miss
torch.hub.download_url_to_file("https://x/y", "y", hash_prefix="abc123")
torch.jit.load(p)
