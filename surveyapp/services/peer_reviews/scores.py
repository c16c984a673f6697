"""How far the views on one criterion lie apart: the agenda and the pre-report sort by it."""

from __future__ import annotations

from collections.abc import Iterable


def divergence(self_level: int | None, peer_levels: Iterable[int | None]) -> float | None:
    """The largest distance of a peer's level from the self-assessment; None without a
    self-assessed level or without any peer's level."""
    given = [level for level in peer_levels if level is not None]
    if self_level is None or not given:
        return None
    return float(max(abs(level - self_level) for level in given))


def spread(levels: Iterable[int | None]) -> int | None:
    """Highest minus lowest of the levels given; None when none is given."""
    given = [level for level in levels if level is not None]
    return max(given) - min(given) if given else None


def disagreement(self_level: int | None, peer_levels: Iterable[int | None]) -> float | None:
    """What the agenda sorts by: the divergence, or when the host gave no level the spread
    of the peers' levels, so a criterion the host skipped does not sink to the end; None
    without any peer's level."""
    given = [level for level in peer_levels if level is not None]
    found = divergence(self_level, given)
    if found is not None:
        return found
    peers_spread = spread(given)
    return None if peers_spread is None else float(peers_spread)
