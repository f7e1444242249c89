import _pickle
import pickle
import pickle as pk
import shelve

import cloudpickle
import dill
import joblib
import numpy as np
import pandas as pd
from joblib import load as jload

ALLOW = False
data = b""

pickle.loads(data)  # expect: MS201
pickle.load(open("x.pkl", "rb"))  # expect: MS201
pk.loads(data)  # expect: MS201
pickle.Unpickler(open("x.pkl", "rb")).load()  # expect: MS201
_pickle.loads(data)  # expect: MS201 bandit-miss
dill.loads(data)  # expect: MS201
dill.load(open("x", "rb"))  # expect: MS201
cloudpickle.loads(data)  # expect: MS201 bandit-miss
joblib.load("model.joblib")  # expect: MS201 bandit-miss
jload("model.joblib")  # expect: MS201 bandit-miss
shelve.open("db")  # expect: MS202
pd.read_pickle("frame.pkl")  # expect: MS203
np.load("a.npy", allow_pickle=True)  # expect: MS204 bandit-miss
np.load("a.npy", allow_pickle=flag)  # expect: MS204 bandit-miss
np.load("a.npy", None, True)  # expect: MS204 bandit-miss
np.load("a.npy")
np.load("a.npy", allow_pickle=False)
np.load("a.npy", allow_pickle=ALLOW)
pickle.dumps(data)
pd.read_csv("frame.csv")
