"""Errors that end a run with exit code 2 and a one-line message (never a traceback)."""

from __future__ import annotations


class GatesError(Exception):
    """A usage, configuration or tool problem. ``str(err)`` is the one-line message."""

    exit_code = 2


class PolicyError(GatesError):
    """The policy file is invalid; each message starts with ``file:line:column``."""

    def __init__(self, *messages: str) -> None:
        super().__init__(*messages)
        self.messages = list(messages)

    def __str__(self) -> str:
        first = self.messages[0] if self.messages else "invalid policy"
        more = len(self.messages) - 1
        if more:
            return f"{first} (and {more} more; 'gates policy validate' lists them all)"
        return first


class GitError(GatesError):
    """Git could not answer (not a repository, missing base, shallow clone)."""


class ToolError(GatesError):
    """An external tool is missing, timed out, crashed or printed what we cannot parse."""
