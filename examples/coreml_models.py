"""Tiny model factories for the Core ML gate (``coreml.models[].factory`` in policy.yaml).

Each factory takes no arguments and returns ``(model, example_inputs)``; see
docs/gates/coreml.md for the contract. Weights are seeded so every run converts the same model.
"""

from __future__ import annotations

import torch
from torch import nn


class TinyMLP(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.hidden = nn.Linear(16, 32)
        self.out = nn.Linear(32, 10)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.out(torch.relu(self.hidden(features)))


def tiny_mlp() -> tuple[nn.Module, tuple[torch.Tensor, ...]]:
    torch.manual_seed(0)
    return TinyMLP(), (torch.randn(4, 16),)


class SmallConvNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 8, kernel_size=3, padding=1),
            nn.BatchNorm2d(8),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(8, 16, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.AdaptiveAvgPool2d(1),
        )
        self.classifier = nn.Linear(16, 5)

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        return self.classifier(torch.flatten(self.features(image), 1))


def small_convnet() -> tuple[nn.Module, tuple[torch.Tensor, ...]]:
    torch.manual_seed(0)
    return SmallConvNet(), (torch.randn(1, 3, 32, 32),)


class TinyTransformerBlock(nn.Module):
    """Pre-norm self-attention + MLP; returns the hidden states and mean-pooled logits.

    Attention is written with scaled_dot_product_attention rather than nn.MultiheadAttention:
    in eval mode the latter traces to '_native_multi_head_attention', which coremltools 9
    cannot convert (the gate reports it as an unsupported op).
    """

    def __init__(self, dim: int = 32, heads: int = 4, vocab: int = 12) -> None:
        super().__init__()
        self.heads = heads
        self.head_dim = dim // heads
        self.norm1 = nn.LayerNorm(dim)
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, 2 * dim), nn.GELU(), nn.Linear(2 * dim, dim))
        self.head = nn.Linear(dim, vocab)

    def forward(self, tokens: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        # unflatten/flatten instead of reshape(*tokens.shape): traced size arithmetic becomes
        # 'int' ops that coremltools 9 fails on with numpy 2.
        qkv = self.qkv(self.norm1(tokens)).unflatten(-1, (3, self.heads, self.head_dim))
        q, k, v = qkv.permute(2, 0, 3, 1, 4).unbind(0)
        attended = torch.nn.functional.scaled_dot_product_attention(q, k, v)
        hidden = tokens + self.proj(attended.transpose(1, 2).flatten(2))
        hidden = hidden + self.mlp(self.norm2(hidden))
        pooled = (hidden * mask.unsqueeze(-1)).sum(1) / mask.sum(1, keepdim=True)
        return hidden, self.head(pooled)


def tiny_transformer_block() -> tuple[nn.Module, dict[str, torch.Tensor]]:
    torch.manual_seed(0)
    tokens = torch.randn(2, 6, 32)
    mask = torch.ones(2, 6)
    mask[1, 4:] = 0
    return TinyTransformerBlock(), {"tokens": tokens, "mask": mask}


class Determinant(nn.Module):
    """Uses torch.linalg.det, which coremltools 9 cannot convert (no 'linalg_det' converter)."""

    def __init__(self) -> None:
        super().__init__()
        self.proj = nn.Linear(4, 4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.linalg.det(self.proj(x).reshape(-1, 2, 2))


def unsupported_determinant() -> tuple[nn.Module, tuple[torch.Tensor, ...]]:
    torch.manual_seed(0)
    return Determinant(), (torch.randn(3, 4),)
