"""Real spherical harmonics in numpy, so the orientation test runs without torch.

The orientation test (SCIENCE.md, Claim 3, "Orientation test, precisely")
sums Y_l over a shell of neighbours and asks which components m survive. It
needs Y_l only up to a rotation of each l-block, so any real basis that is
orthonormal per l will do; this one is the integral normalisation
(int Y_lm Y_l'm' dOmega = delta), without the Condon-Shortley phase:

    Y_l0 = Pbar_l^0(cos theta),
    Y_lm = sqrt(2) Pbar_l^m(cos theta) cos(m phi),      m > 0,
    Y_l,-m = sqrt(2) Pbar_l^m(cos theta) sin(m phi),    m > 0,

with Pbar_l^m the associated Legendre functions normalised so that
Y_lm is orthonormal. Columns are ordered l = 0..lmax, and within each l,
m = -l..l, as in e3nn; ``column(l, m)`` finds one. The recurrences are the
standard stable ones for normalised Legendre functions, so l well past 20 is
exact to float precision.
"""

from __future__ import annotations

import numpy as np


def column(l: int, m: int) -> int:
    """The column of Y_lm in :func:`real_spherical_harmonics`' output."""
    return l * l + l + m


def real_spherical_harmonics(vectors: np.ndarray, lmax: int) -> np.ndarray:
    """Y_lm(v / |v|) for l = 0..lmax, m = -l..l: an (n, (lmax+1)^2) array.

    ``vectors`` is (n, 3) and need not be unit length; zero vectors have no
    direction and are refused.
    """
    v = np.asarray(vectors, dtype=np.float64).reshape(-1, 3)
    r = np.linalg.norm(v, axis=1)
    if np.any(r == 0):
        raise ValueError("spherical harmonics of a zero vector: it has no direction")
    x, y, z = (v / r[:, None]).T
    s = np.hypot(x, y)  # sin(theta) >= 0
    phi = np.arctan2(y, x)
    legendre = _normalised_legendre(z, s, lmax)
    out = np.empty((len(v), (lmax + 1) ** 2))
    for l in range(lmax + 1):
        out[:, column(l, 0)] = legendre[l][0]
        for m in range(1, l + 1):
            scale = np.sqrt(2.0) * legendre[l][m]
            out[:, column(l, m)] = scale * np.cos(m * phi)
            out[:, column(l, -m)] = scale * np.sin(m * phi)
    return out


def _normalised_legendre(z: np.ndarray, s: np.ndarray, lmax: int) -> list[list[np.ndarray]]:
    """Pbar_l^m(z) for 0 <= m <= l <= lmax, orthonormal on the sphere with the 1/sqrt(2pi).

    Pbar_0^0 = 1/sqrt(4pi); Pbar_m^m = sqrt((2m+1)/(2m)) s Pbar_{m-1}^{m-1};
    Pbar_{m+1}^m = sqrt(2m+3) z Pbar_m^m; and for l >= m+2
    Pbar_l^m = a (z Pbar_{l-1}^m - b Pbar_{l-2}^m) with
    a = sqrt((4l^2-1)/(l^2-m^2)), b = sqrt(((l-1)^2-m^2)/(4(l-1)^2-1)).
    """
    p = [[np.zeros_like(z)] * (l + 1) for l in range(lmax + 1)]
    p[0][0] = np.full_like(z, 1.0 / np.sqrt(4.0 * np.pi))
    for m in range(1, lmax + 1):
        p[m][m] = np.sqrt((2 * m + 1) / (2 * m)) * s * p[m - 1][m - 1]
    for m in range(lmax):
        p[m + 1][m] = np.sqrt(2 * m + 3) * z * p[m][m]
        for l in range(m + 2, lmax + 1):
            a = np.sqrt((4 * l * l - 1) / (l * l - m * m))
            b = np.sqrt(((l - 1) ** 2 - m * m) / (4 * (l - 1) ** 2 - 1))
            p[l][m] = a * (z * p[l - 1][m] - b * p[l - 2][m])
    return p
