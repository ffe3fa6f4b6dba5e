"""Frames and stabilisers: how many invariant numbers a feature type carries (SCIENCE.md, Claim 3).

Wang et al. (ICLR 2024), Lemma 1: an equivariant f factors through a moving
frame, f(X) = rho(g_X) lambda(X) with lambda invariant, so at fixed total
dimension the feature types carry the same information where the
stabiliser of X is trivial. This package computes each piece:

- :func:`rank` of the centred positions and the :func:`stabiliser` G_X (the
  symmetries a permutation-invariant network must respect), with its
  Schoenflies name (a :class:`Stabiliser`);
- :func:`free_components`: per type, the dimension G_X leaves free (a
  character average; CH4 has no type-1 or type-2 freedom at all);
- :func:`moving_frame` g_X (a :class:`MovingFrame`: numpy, canonical where
  unique, by the rule :data:`FRAME_RULE`) and :func:`invariant_lambda`,
  lambda = rho(g_X)^-1 f for the :func:`features` f of the
  :func:`steerable_model`, with :func:`apply_rho` acting on features;
- :func:`frame_report`: all of it for one structure, with the type
  converter f_A -> f_B through the frame (:func:`lambda_report`: the lambda
  part alone); ``python -m eqgnn frame`` prints it.

Only :mod:`eqgnn.frames._lambda`'s functions need torch and e3nn, and they
import them when called: importing this package stays light.
"""

from eqgnn.frames._lambda import (
    apply_rho,
    features,
    frame_report,
    invariant_lambda,
    lambda_report,
    steerable_model,
)
from eqgnn.frames._moving_frame import FRAME_RULE, MovingFrame, moving_frame
from eqgnn.frames._stabiliser import Stabiliser, free_components, rank, stabiliser

__all__ = [
    "FRAME_RULE",
    "MovingFrame",
    "Stabiliser",
    "apply_rho",
    "features",
    "frame_report",
    "free_components",
    "invariant_lambda",
    "lambda_report",
    "moving_frame",
    "rank",
    "stabiliser",
    "steerable_model",
]
