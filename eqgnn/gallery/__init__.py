"""The failure-case gallery: pairs of geometric graphs some GNNs cannot tell apart.

``case_names()`` lists the cases, ``load_case(name)`` gives a :class:`Case`
(graphs A and B, the graph rule, the readout, a paragraph saying what to see),
and ``theory(case)`` the oracle's verdicts on it. See SCIENCE.md for the
science each case shows and ``data/cases/`` for the stored pairs.
"""

from eqgnn.gallery._cases import Case, case_names, load_case, theory

__all__ = ["Case", "case_names", "load_case", "theory"]
