"""What each dashboard page shows, computed: plain, JSON-able rows and dicts.

A page calls one function per panel and draws its result (STYLE.md, "Pages
draw, the library computes"); ``python -m eqgnn report PAGE --json`` prints
the same values through the ``*_report`` functions, which gather a page's
panels. Nothing here draws: pictures (3Dmol.js HTML, charts) live in
the dashboard's ``ui/``. Model verdicts are read from the result store
(:class:`~eqgnn.store.ResultStore`, shipped ``data/results`` included), never
trained.

- gallery: :func:`gallery_report`; panels :func:`oracle_verdicts`,
  :func:`matched_neighbourhoods`, :func:`congruence` (with :func:`moved_by`),
  :func:`model_verdicts`, :func:`training_result`;
- depth: :func:`depth_report`; panels :func:`depth_table`, :func:`depth_bounds`,
  :func:`depth_shortfall`, missing cells :func:`depth_specs`;
- explorer: :func:`explorer_report`; panels :func:`neighbourhood_rows`,
  :func:`bridge_rows`, :func:`twist_oracle`, :func:`twist_gaps` (models from
  :func:`build_twist_models`), a trained model's live run :func:`twist_pair_spec`;
- lesson: :func:`lesson_report`; the steps :func:`lesson`, evidence
  :func:`oracle_evidence`, :func:`orientation_evidence`, :func:`model_evidence`;
- steerable: :func:`steerable_report`; panels :func:`lemma_lab`,
  :func:`type_grid` / :func:`type_table`, :func:`lsweep_report`,
  :func:`live_tables`;
- every table: :func:`cell_text`, how a cell reads as text.
"""

from eqgnn.reports._cells import cell_text
from eqgnn.reports._depth import (
    DEPTH_CASE,
    depth_bounds,
    depth_csv,
    depth_report,
    depth_shortfall,
    depth_specs,
    depth_table,
)
from eqgnn.reports._gallery import (
    DEFAULT_PRESET,
    GALLERY_CASE,
    NOT_COMPUTED,
    congruence,
    gallery_report,
    hops_headline,
    matched_neighbourhoods,
    model_verdicts,
    moved_by,
    neighbourhood,
    oracle_verdicts,
    preset_spec,
    training_result,
)
from eqgnn.reports._lesson import (
    Step,
    lesson,
    lesson_report,
    lesson_specs,
    load_lesson,
    model_evidence,
    oracle_evidence,
    orientation_evidence,
    step_report,
)
from eqgnn.reports._steerable import (
    LAB_LMAX,
    LAB_MOLECULE,
    LIVE_SWEEP,
    free_component_rows,
    lemma_lab,
    live_specs,
    live_tables,
    lsweep_reading,
    lsweep_report,
    lsweep_tables,
    runs_of,
    steerable_report,
    turned,
    type_grid,
    type_table,
)
from eqgnn.reports._structure import bridge_rows, neighbourhood_rows
from eqgnn.reports._twist import (
    TWIST_DEFAULTS,
    TWIST_MODELS,
    build_twist_models,
    default_bond,
    explorer_report,
    turn,
    twist_gaps,
    twist_models_ready,
    twist_oracle,
    twist_pair_spec,
    twist_report,
    twistable_bonds,
)

__all__ = [
    "DEFAULT_PRESET", "DEPTH_CASE", "GALLERY_CASE", "LAB_LMAX", "LAB_MOLECULE", "LIVE_SWEEP",
    "NOT_COMPUTED", "Step", "TWIST_DEFAULTS", "TWIST_MODELS", "bridge_rows", "build_twist_models",
    "cell_text", "congruence", "default_bond", "depth_bounds", "depth_csv", "depth_report",
    "hops_headline",
    "depth_shortfall", "depth_specs", "depth_table", "explorer_report", "free_component_rows",
    "gallery_report", "lemma_lab", "lesson", "lesson_report", "lesson_specs", "live_specs",
    "live_tables", "load_lesson", "lsweep_reading", "lsweep_report", "lsweep_tables",
    "matched_neighbourhoods", "model_evidence", "model_verdicts", "moved_by", "neighbourhood",
    "neighbourhood_rows", "oracle_evidence", "oracle_verdicts", "orientation_evidence",
    "preset_spec", "runs_of", "steerable_report", "step_report", "training_result",
    "turn", "turned", "twist_gaps", "twist_models_ready", "twist_oracle", "twist_pair_spec",
    "twist_report", "twistable_bonds", "type_grid", "type_table",
]
