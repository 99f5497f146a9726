"""Fictitious but well-formed SIREN/SIRET numbers (Luhn check digit, as INSEE's)."""

from __future__ import annotations

import numpy as np


def luhn_valide(numero: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(numero)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _completer(base: str) -> str:
    return next(base + str(d) for d in range(10) if luhn_valide(base + str(d)))


def sirens(n: int, rng: np.random.Generator) -> list[str]:
    """n distinct 9-digit SIREN numbers with a valid check digit."""
    bases: set[str] = set()
    while len(bases) < n:
        bases.update(f"{x:08d}" for x in rng.integers(10_000_000, 99_999_999, n - len(bases)))
    return [_completer(b) for b in sorted(bases)]


def siret(siren: str, rang: int) -> str:
    """SIRET = SIREN + NIC (4-digit rank + check digit making the 14 digits Luhn-valid)."""
    return _completer(f"{siren}{rang:04d}")
