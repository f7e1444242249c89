import yaml
from yaml import load as yload


class MySafeLoader(yaml.SafeLoader):
    pass


text = ""
yaml.load(text)  # expect: MS601
yaml.load(text, Loader=yaml.Loader)  # expect: MS601
yaml.load(text, Loader=yaml.UnsafeLoader)  # expect: MS601
yaml.load(text, Loader=yaml.FullLoader)  # expect: MS601
yaml.load(text, yaml.Loader)  # expect: MS601
yaml.unsafe_load(text)  # expect: MS601 bandit-miss
yaml.full_load(text)  # expect: MS601 bandit-miss
yload(text)  # expect: MS601
yaml.load_all(text)  # expect: MS601 bandit-miss
yaml.load(text, Loader=yaml.SafeLoader)
yaml.load(text, Loader=yaml.CSafeLoader)
yaml.load(text, Loader=MySafeLoader)  # bandit-fp
yaml.safe_load(text)
yaml.dump({})
