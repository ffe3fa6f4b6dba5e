"""One-line explanations of the field's words, shown as tooltips where a page first uses them.

A visitor meets "GWL bound" or "body order" in a heading or a widget label; the
tooltip (Streamlit's ``help=``) says what it means in one sentence, so no page
has to send anyone to read a paper first. One table, so every page explains a
term the same way.
"""

from __future__ import annotations

TERMS = {
    "k-hop": "k-hop neighbourhood: the centre atom and every atom at most k edges of the "
             "graph away from it.",
    "body order": "Body order: how many atoms one term of a model looks at together: 2 sees "
                  "distances from the centre, 3 also angles, full the neighbourhood's whole "
                  "shape.",
    "group": "O3 counts rotations and reflections as the same shape (a mirror image looks "
             "alike); SO3 only rotations, so handedness shows.",
    "gwl": "GWL bound: the fewest layers with which the geometric Weisfeiler-Leman test "
           "tells A from B; no equivariant GNN with fewer layers can.",
    "tfn-mace": "TFN-style models pass one message per neighbour (correlation 1); MACE-style "
                "ones multiply aggregated messages at a node (correlation 2-4), reaching a "
                "higher body order in one layer.",
    "correlation": "Correlation ν: how many aggregated neighbour features one product at a "
                   "node multiplies; its body order is ν + 1.",
    "lmax": "lmax: the highest type l of the steerable features (0: scalars, 1: vectors, "
            "2: rank-2 tensors, ...); a type-l feature has 2l + 1 numbers.",
}


def tip(*terms: str) -> str:
    """The tooltip for ``terms``: their one-line explanations, in order."""
    return "  \n".join(TERMS[term] for term in terms)
