"""Which personas one process computes: shard ``k`` of ``N`` (``atlas extract --shard k/N``)."""

from __future__ import annotations

from dataclasses import dataclass

from persona_atlas.errors import ConfigError


@dataclass(frozen=True)
class Shard:
    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        """``k/N`` with 0 ≤ k < N."""
        try:
            k, n = (int(x) for x in text.split("/"))
        except ValueError:
            raise ConfigError(f"--shard {text!r}: expected k/N, e.g. 0/4") from None
        if not 0 <= k < n:
            raise ConfigError(f"--shard {text!r}: need 0 <= k < N")
        return cls(k, n)

    def members(self, n_personas: int) -> list[int]:
        return list(range(self.index, n_personas, self.count))  # round-robin balances lengths
