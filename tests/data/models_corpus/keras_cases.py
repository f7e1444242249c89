import keras
import tensorflow as tf
from keras.models import load_model

keras.models.load_model("m.keras", safe_mode=False)  # expect: MS801 bandit-miss
tf.keras.models.load_model("m.keras", safe_mode=False)  # expect: MS801 bandit-miss
load_model("m.keras", None, True, False)  # expect: MS801 bandit-miss
load_model("m.keras")
keras.models.load_model("m.keras", safe_mode=True)
