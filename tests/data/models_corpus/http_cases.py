import urllib.request

import httpx
import requests
from requests import Session

requests.get("https://x")  # expect: MS701
requests.post("https://x", data={})  # expect: MS701
requests.put("https://x")  # expect: MS701
requests.patch("https://x")  # expect: MS701
requests.delete("https://x")  # expect: MS701
requests.head("https://x")  # expect: MS701
requests.options("https://x")  # expect: MS701
requests.get("https://x", timeout=None)  # expect: MS701
requests.request("GET", "https://x")  # expect: MS701 bandit-miss
requests.get("https://x", timeout=10)
s = requests.Session()
s.get("https://x")  # expect: MS701 bandit-miss
s.get("https://x", timeout=5)
with Session() as session:
    session.post("https://x")  # expect: MS701 bandit-miss
urllib.request.urlopen("https://x")  # expect: MS701 bandit-miss
urllib.request.urlopen("https://x", timeout=3)
httpx.get("https://x", timeout=None)  # expect: MS701
httpx.Client(timeout=None)  # expect: MS701
httpx.get("https://x")
d = {}
d.get("key")
