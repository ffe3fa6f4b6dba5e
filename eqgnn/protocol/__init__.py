"""Can a real model, trained, tell a pair apart? (SCIENCE.md, "What distinguished means")

The standard protocol, in float64: for S seeds, the untrained embedding gap
|e(G1) - e(G2)| / (|e(G1)| + |e(G2)|), then a classifier (the model, a
per-feature standardisation over the pair, a linear head) trained to label
G1 as 0 and G2 as 1. All seeds train together: their weights are stacked and
one vectorised forward (``torch.func.vmap``) and one backward serve every
seed, each seed's loss and Adam state its own, so a seed trains exactly as it
would alone.

Verdicts: ``blind`` when no seed's gap rises above its noise floor (the gap
the same seed shows between a structure and itself perturbed at the inputs'
precision, :mod:`eqgnn.noise`: a classifier must not win by amplifying
rounding), ``distinguished`` when the final accuracy (argmax on both graphs,
ties wrong, mean over seeds) reaches 95 %, else ``sighted, not learned``.

Two short-cuts, neither of which can change a verdict:

- **blind before training**: the guard reads the untrained embeddings, and
  training cannot lift a verdict out of ``blind`` (the verdict is blind
  whatever the accuracy), so a blind pair is not trained at all. Its result
  says ``trained: false``; accuracy is the untrained classifier's, curves empty.
- **stopped when decided**: training ends once every seed has classified both
  graphs right with a logit margin of at least :data:`DECIDED_MARGIN` for
  :data:`DECIDED_EPOCHS` epochs in a row. A seed there has learned the pair;
  more epochs only widen its margin. ``epochs_run`` says how many ran.
"""

from eqgnn.protocol._classifier import (
    DECIDED_EPOCHS,
    DECIDED_MARGIN,
    DISTINGUISHED,
    NORMALISE,
    STOPPED,
    PairClassifier,
    accuracies,
    decided,
    margins,
    verdict_of,
)
from eqgnn.protocol._distinguish import distinguish, pair_verdict, run_distinguish
from eqgnn.protocol._theory import theory_beside

__all__ = [
    "DECIDED_EPOCHS", "DECIDED_MARGIN", "DISTINGUISHED", "NORMALISE", "STOPPED",
    "PairClassifier", "accuracies", "decided", "distinguish", "margins", "pair_verdict",
    "run_distinguish",
    "theory_beside", "verdict_of",
]
