"""The difference of two proportions with Newcombe's hybrid score interval (Newcombe 1998, method 10).

Each proportion gets its Wilson score interval; the difference's limits combine their distances. Unlike the Wald
interval it stays inside −1..1 and keeps its coverage for small groups and rates near 0 or 1, as a control group of
10 % often is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Z95 = 1.959963984540054


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of successes / n."""
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    centre = 2 * n * p + z * z
    spread = z * math.sqrt(z * z + 4 * n * p * (1 - p))
    denominator = 2 * (n + z * z)
    return (centre - spread) / denominator, (centre + spread) / denominator


@dataclass(frozen=True)
class Difference:
    """p1 − p2 with its 95 % interval; None where a group is empty."""

    estimate: float | None
    low: float | None
    high: float | None

    @property
    def significant(self) -> bool:
        """Whether the interval leaves out zero."""
        return self.low is not None and (self.low > 0 or self.high < 0)


def newcombe(x1: int, n1: int, x2: int, n2: int, z: float = Z95) -> Difference:
    """The difference of x1/n1 and x2/n2 with Newcombe's hybrid score interval."""
    if not n1 or not n2:
        return Difference(None, None, None)
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson(x1, n1, z)
    l2, u2 = wilson(x2, n2, z)
    d = p1 - p2
    return Difference(d, d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2),
                      d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2))
