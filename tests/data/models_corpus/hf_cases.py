from pathlib import Path
import os

import timm
import transformers as tf
from datasets import load_dataset
from diffusers import DiffusionPipeline
from huggingface_hub import hf_hub_download, snapshot_download
from peft import PeftModel
from sentence_transformers import SentenceTransformer
from transformers import AutoModel, AutoTokenizer, pipeline

REV = "main"
TAG = "v1.0"
SHA = "0123456789abcdef0123456789abcdef01234567"
SHORT = "0123456"
OPTS = {"trust_remote_code": True}

AutoModel.from_pretrained("org/m")  # expect: MS301
AutoModel.from_pretrained("org/m", revision="main")  # expect: MS301
snapshot_download("org/m", revision="v1.0")  # expect: MS301
tf.AutoModel.from_pretrained("org/m")  # expect: MS301
hf_hub_download("org/m", "config.json")  # expect: MS301
load_dataset("org/data")  # expect: MS301
AutoModel.from_pretrained("org/m", revision=REV)  # expect: MS301 bandit-miss
AutoModel.from_pretrained("org/m", revision=TAG)  # expect: MS301 bandit-miss
AutoModel.from_pretrained("org/m", revision="1234567")  # expect: MS301 bandit-miss
AutoModel.from_pretrained("org/m", revision=SHORT)  # expect: MS301 bandit-miss
AutoModel.from_pretrained("org/m", revision=SHA)
AutoModel.from_pretrained("org/m", revision="0123456789abcdef0123456789abcdef01234567")
AutoModel.from_pretrained("org/m", revision=rev_from_args)  # expect: MS302 bandit-miss
AutoModel.from_pretrained("org/m", revision=SHA, trust_remote_code=True)  # expect: MS401 bandit-miss
AutoModel.from_pretrained("org/m", revision=SHA, **OPTS)  # expect: MS401 bandit-miss
AutoModel.from_pretrained("org/m", revision=SHA, trust_remote_code=False)
cls = AutoModel
cls.from_pretrained("org/m")  # expect: MS301 bandit-miss
pipeline("text-generation", model="org/m")  # expect: MS301 bandit-miss
pipeline("text-generation")  # expect: MS301 bandit-miss
pipeline("text-generation", model="org/m", revision=SHA)
DiffusionPipeline.from_pretrained("org/sd")  # expect: MS301 bandit-miss
PeftModel.from_pretrained(base, "org/adapter")  # expect: MS301 bandit-miss
SentenceTransformer("org/name")  # expect: MS301 bandit-miss
SentenceTransformer("org/name", revision=SHA)
timm.create_model("hf-hub:org/vit")  # expect: MS301 bandit-miss
timm.create_model("hf-hub:org/vit@0123456789abcdef0123456789abcdef01234567")
timm.create_model("resnet50")
AutoTokenizer.from_pretrained("./local/dir")
AutoTokenizer.from_pretrained("/abs/dir")
AutoTokenizer.from_pretrained("../up/dir")
AutoModel.from_pretrained("org/m", local_files_only=True)  # bandit-fp
AutoModel.from_pretrained(Path("weights"))  # bandit-fp
AutoModel.from_pretrained(os.path.join("a", "b"))  # bandit-fp
AutoModel.from_pretrained(model_dir)  # expect: MS302
load_dataset("json", data_files="train.jsonl")  # bandit-fp
