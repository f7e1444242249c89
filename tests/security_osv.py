"""A tiny OSV-compatible vulnerability service on 127.0.0.1 for pip-audit tests.

It implements ``POST /v1/query`` the way pip-audit's OSV service calls it: the body is
``{"package": {"name", "ecosystem"}, "version"}`` and the answer ``{"vulns": [...]}``,
or ``{}`` when the version is not affected.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from packaging.version import Version


def advisory(
    vuln_id: str,
    package: str,
    fixed: str | None,
    *,
    aliases: tuple[str, ...] = (),
    published: str = "2020-01-01T00:00:00Z",
    introduced: str = "0",
) -> dict[str, Any]:
    events: list[dict[str, str]] = [{"introduced": introduced}]
    if fixed:
        events.append({"fixed": fixed})
    return {
        "schema_version": "1.6.0",
        "id": vuln_id,
        "aliases": list(aliases),
        "summary": f"fixture advisory {vuln_id} for {package}",
        "published": published,
        "modified": published,
        "affected": [
            {
                "package": {"name": package, "ecosystem": "PyPI"},
                "ranges": [{"type": "ECOSYSTEM", "events": events}],
            }
        ],
    }


def _affects(entry: dict[str, Any], name: str, version: str) -> bool:
    for affected in entry["affected"]:
        if affected["package"]["name"] != name:
            continue
        for rng in affected["ranges"]:
            lower = Version("0")
            upper: Version | None = None
            for event in rng["events"]:
                if "introduced" in event:
                    lower = Version(event["introduced"])
                if "fixed" in event:
                    upper = Version(event["fixed"])
            current = Version(version)
            if current >= lower and (upper is None or current < upper):
                return True
    return False


class OsvServer:
    def __init__(self, advisories: list[dict[str, Any]]) -> None:
        self.advisories = advisories
        self.queries: list[dict[str, Any]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                query = json.loads(self.rfile.read(length) or b"{}")
                owner.queries.append(query)
                name = query["package"]["name"]
                version = query["version"]
                vulns = [a for a in owner.advisories if _affects(a, name, version)]
                body = json.dumps({"vulns": vulns} if vulns else {}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:  # quiet in test output
                return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1/query"

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@contextmanager
def osv_server(advisories: list[dict[str, Any]]) -> Iterator[OsvServer]:
    server = OsvServer(advisories)
    server.start()
    try:
        yield server
    finally:
        server.stop()
