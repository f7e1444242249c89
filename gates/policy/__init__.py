"""The policy: one validated ``policy.yaml`` that every gate reads."""

from gates.policy.loader import LoadedPolicy, load_policy
from gates.policy.model import Policy, default_policy

__all__ = ["LoadedPolicy", "Policy", "default_policy", "load_policy"]
