"""The n-fold stars of SCIENCE.md, Claim 3: two orientations of one symmetric structure.

A star is a centre atom with arms in n sectors, edges from the centre to
every arm. On an n-fold star every feature component with |m| not a
multiple of n cancels, so types l < n cannot record which way it points.

Each sector holds two arms, an inner H at 1.1 Å and an outer C at 1.5 Å, the
outer one turned by 0.3 of a sector from the inner one. One arm per sector
would not do: at n = 2 it is a line, whose axis is the line itself
(SCIENCE.md). Two arms of different species and radii, turned by an angle
that is no multiple of pi/n, leave no mirror line in the plane, hence no
2-fold axis in it: the star's proper rotations are exactly the n turns about
z, at every n. B is A turned about z by a generic angle. Generated, not
stored.
"""

from __future__ import annotations

import numpy as np

from eqgnn.errors import InputError
from eqgnn.structure import Structure, make_structure
from eqgnn.transforms import axis_rotation

CENTRE, INNER, OUTER = 6, 1, 6  # C centre, H inner arms, C outer arms
INNER_RADIUS, OUTER_RADIUS = 1.1, 1.5  # Å
OUTER_OFFSET = 0.3  # of a sector: not 0 or 1/2, so no mirror line in the plane
LIFT = 0.6  # Å: the pyramid's arms above the centre's plane
GENERIC_ANGLE = 0.5  # rad: |e^{i m a} - 1| > 0.2 for m = 1..24, so every allowed m shows
MAX_FOLD = 24  # arms stay > 0.25 Å apart


def star_pair(n: int, angle: float | None = None) -> tuple[Structure, Structure]:
    """The planar ``star-N`` pair (A, B): B is A turned about z by ``angle`` (rad).

    ``angle`` defaults to GENERIC_ANGLE; pi/n shows the pair a turn hides
    (m a multiple of 2n). Atom 0 is the centre at the origin, then per sector
    k the inner and the outer arm; edges join the centre to every arm.
    """
    return _pair("star", n, 0.0, angle)


def pyramid_pair(n: int, angle: float | None = None) -> tuple[Structure, Structure]:
    """The ``pyramid-N`` pair: the star with its arms lifted LIFT Å off the plane.

    Not planar, so no component with l + m odd cancels: every type l >= n
    sees its orientation, the control for the planar parity gap (SCIENCE.md).
    """
    return _pair("pyramid", n, LIFT, angle)


def _pair(kind: str, n: int, lift: float, angle: float | None) -> tuple[Structure, Structure]:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 2 <= n <= MAX_FOLD:
        raise InputError(f"{kind}-N needs an integer N from 2 to {MAX_FOLD}, got {n!r}")
    n = int(n)
    angle = GENERIC_ANGLE if angle is None else float(angle)
    sector = 2 * np.pi * np.arange(n) / n
    arms = []
    for k in range(n):
        for radius, phi in ((INNER_RADIUS, sector[k]),
                            (OUTER_RADIUS, sector[k] + OUTER_OFFSET * 2 * np.pi / n)):
            arms.append([radius * np.cos(phi), radius * np.sin(phi), lift])
    positions = np.vstack([np.zeros(3), arms])
    numbers = [CENTRE] + [INNER, OUTER] * n
    edges = [(0, j) for j in range(1, 2 * n + 1)]
    turned = positions @ axis_rotation(np.array([0.0, 0.0, 1.0]), angle).T
    source = f"case:{kind}-{n}"
    return (
        make_structure(numbers, positions, edges, name=f"{kind}-{n} A", source=source),
        make_structure(numbers, turned, edges, name=f"{kind}-{n} B", source=source),
    )
