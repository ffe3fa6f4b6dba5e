"""The model chooser of the live runs, and a distinguish result drawn like a shipped one.

Gallery, Explorer and Depth let a visitor train a model of their choosing on
the pair on screen. They share one chooser (:func:`model_form`): a preset, or
the options of ``python -m eqgnn distinguish`` (family, hops, body order, lmax,
correlation, layers, group) and the protocol (seeds, epochs), within the caps
a server can afford (:func:`eqgnn.limits.limits`: the open or the public
mode's). With the pair it makes a job spec (:func:`eqgnn.specs.distinguish_spec`):
the spec the ``distinguish`` command builds from the same options, so a stored
result answers at once and
:func:`command` prints the command line whose ``--json`` output holds every
number :func:`show_result` draws.

The choices live in session state under ``{key}-...`` widget keys, not in the
URL: the pages already use ``hops`` and ``group`` there for other selections.
"""

from __future__ import annotations

import streamlit as st

from eqgnn.config import (
    CORRELATIONS,
    MODEL_GROUPS,
    MODELS,
    PRESETS,
    ModelConfig,
    config_from_options,
)
from eqgnn.errors import InputError
from eqgnn.limits import check_spec, limits
from eqgnn.specs import DEFAULTS
from ui import figures, glossary, live, widgets

FAMILY_TEXT = {"khop": "k-hop invariant", "equivariant": "equivariant (TFN / MACE style)",
               "dimenet": "DimeNet-style (angles)"}
THEORY_TEXT = {True: "allows it", False: "says it cannot", None: "does not decide"}
"""The oracle's word on whether a model of this kind and size could see the difference."""


def model_form(key: str, preset: str | None = None,
               follow: dict | None = None) -> tuple[ModelConfig, dict] | None:
    """Widgets for a model and its protocol; the validated config and the protocol options.

    ``preset`` is the preset shown first (default: the first). ``follow`` maps
    option names (``hops``, ``body_order``, ``group``) to the page's own
    controls of the same thing: the form's option takes the page's value each
    time that value changes, so the model beside an oracle verdict starts as
    the model the verdict is about. The protocol
    starts at the defaults (``eqgnn.specs.DEFAULTS``: 10 seeds, 100 epochs),
    where the shipped results are, so a preset's stored verdict shows with no
    training. Widget keys: ``{key}-mode`` (``preset`` or ``options``),
    ``{key}-preset``, ``{key}-model``, ``{key}-hops``, ``{key}-body_order``,
    ``{key}-lmax``, ``{key}-correlation``, ``{key}-layers``, ``{key}-group``,
    ``{key}-seeds``, ``{key}-epochs``. Returns None (with the reason shown)
    when the options do not make a model.
    """
    state = st.session_state
    for name, value in (follow or {}).items():
        _follow(f"{key}-{name}", value)
    state.setdefault(f"{key}-mode", "preset")
    state.setdefault(f"{key}-preset", preset if preset in PRESETS else next(iter(PRESETS)))
    with st.container(border=True):
        mode = st.radio("Model", ["preset", "options"], key=f"{key}-mode", horizontal=True,
                        format_func={"preset": "a preset", "options": "my own options"}.get)
        if mode == "preset":
            name = st.selectbox("Preset", list(PRESETS), key=f"{key}-preset",
                                format_func=_preset_text)
            st.caption(PRESETS[name].description)
            options: dict = {}
        else:
            name, options = None, _options(key)
        left, right = st.columns(2)
        caps = limits()
        state.setdefault(f"{key}-seeds", DEFAULTS["seeds"])
        seeds = left.number_input("Seeds", 1, key=f"{key}-seeds",
                                  help="Models trained together, one per seed; the verdict "
                                       f"is their mean accuracy. At most {caps.seeds} here.")
        state.setdefault(f"{key}-epochs", DEFAULTS["epochs"])
        epochs = right.number_input("Epochs", 1, key=f"{key}-epochs",
                                    help="At most this many; training stops once every seed "
                                         "is decided, and a blind pair is not trained. At "
                                         f"most {caps.epochs} here.")
    protocol = {"seeds": int(seeds), "epochs": int(epochs)}
    try:
        check_spec(protocol)
        config = config_from_options(name, **options)
    except InputError as exc:
        st.warning(str(exc))
        return None
    return config, protocol


def _follow(widget: str, value: object) -> None:
    """Set ``widget`` to ``value`` whenever ``value`` changes (the page's own control moved);
    between changes the visitor's choice in the form stands."""
    state = st.session_state
    if state.get(f"{widget}:followed") != value:
        state[f"{widget}:followed"] = value
        state[widget] = value


def _preset_text(name: str) -> str:
    """A preset as its name and the paper it follows."""
    return f"{name}: {PRESETS[name].description.split(':')[0]}"


def _options(key: str) -> dict:
    """The option widgets of the chosen family (only those that apply to it)."""
    state = st.session_state
    caps = limits()
    columns = st.columns(4)
    family = columns[0].selectbox("Family", MODELS, key=f"{key}-model", format_func=FAMILY_TEXT.get,
                                  help=glossary.tip("tfn-mace"))
    options: dict = {"model": family}
    if family == "khop":
        state.setdefault(f"{key}-hops", 1)
        options["hops"] = columns[1].slider("Hops k", 1, caps.hops, key=f"{key}-hops")
        state.setdefault(f"{key}-body_order", 3)
        options["body_order"] = columns[2].radio("Body order", [2, 3], key=f"{key}-body_order",
                                                 horizontal=True, help=glossary.tip("body order"))
    elif family == "equivariant":
        state.setdefault(f"{key}-lmax", 2)
        options["lmax"] = columns[1].slider("lmax", 0, caps.lmax, key=f"{key}-lmax",
                                            help=glossary.tip("lmax"))
        state.setdefault(f"{key}-correlation", 1)
        options["correlation"] = columns[2].selectbox(
            "Correlation", CORRELATIONS, key=f"{key}-correlation",
            help=glossary.tip("correlation"))
    state.setdefault(f"{key}-layers", 3)
    options["layers"] = columns[3].slider("Layers", 1, caps.layers, key=f"{key}-layers")
    groups = MODEL_GROUPS[family]
    if len(groups) > 1:
        state.setdefault(f"{key}-group", "O3")
        options["group"] = st.radio("Group", groups, key=f"{key}-group", horizontal=True,
                                    help=glossary.tip("group"))
    return options


def command(spec: dict) -> str:
    """The ``distinguish`` command line that builds ``spec`` and prints its result as JSON.

    A case is named with ``--case``; a pair of structures is read from ``A.json``
    and ``B.json`` (the structures saved as JSON graphs) with the spec's graph
    rule. Only options that differ from the command's defaults are spelled out
    beyond the model's own.
    """
    pair, model = spec["pair"], spec["model"]
    parts = ["python -m eqgnn distinguish"]
    parts.append(f"--case {pair['case']}" if "case" in pair else "A.json B.json")
    parts.append(f"--model {model['model']}")
    defaults = ModelConfig()
    if model["model"] == "khop":
        parts += [f"--hops {model['hops']}", f"--body-order {model['body_order']}"]
    if model["model"] == "equivariant":
        parts += [f"--lmax {model['lmax']}", f"--correlation {model['correlation']}"]
        for name in ("channels", "dim", "irreps_hidden"):
            if model[name] is not None:
                parts.append(f"--{name.replace('_', '-')} {model[name]}")
        if model["readout"] != defaults.readout:
            parts.append(f"--readout {model['readout']}")
    elif model["width"] != defaults.width:
        parts.append(f"--width {model['width']}")
    parts.append(f"--layers {model['layers']}")
    if model["group"] != defaults.group:
        parts.append(f"--group {model['group']}")
    if "case" not in pair and model["graph"] is not None:
        parts.append(f"--graph {model['graph']}")
    parts += [f"--seeds {spec['seeds']}", f"--epochs {spec['epochs']}"]
    parts += [f"--{name} {spec[name]}" for name in ("lr", "normalise", "dtype")
              if spec[name] != DEFAULTS[name]]
    return " ".join([*parts, "--json"])


def show_result(result: dict, spec: dict, title: str, key: str) -> None:
    """A distinguish result as the gallery shows a shipped one: verdict, accuracy, the
    untrained gap against its noise floor, theory beside it, curves on demand, the JSON,
    and the command that prints the same numbers.

    ``trained`` and ``epochs_run`` (newer results) are read when present: a blind
    pair is not trained at all, and a decided one stops early.
    """
    st.markdown(f"### {title}: **{result['verdict']}**, accuracy {result['accuracy']:.2f}")
    if result.get("trained") is False:
        st.caption("Not trained (blind from the untrained gap): no seed's gap rose above "
                   "its noise floor, so no classifier can separate A and B.")
    elif "epochs_run" in result and result["epochs_run"] < spec["epochs"]:
        st.caption(f"Stopped after {result['epochs_run']} of {spec['epochs']} epochs: every "
                   "seed was decided.")
    theory = result.get("theory") or {}
    columns = st.columns(4)
    columns[0].metric("accuracy", f"{result['accuracy']:.2f}",
                      f"± {result.get('accuracy_std', 0.0):.2f} over {spec['seeds']} seeds",
                      delta_color="off", delta_arrow="off")
    columns[1].metric("untrained gap", f"{result['embedding_gap']:.1e}")
    columns[2].metric("noise floor", f"{result['noise_floor']:.1e}")
    columns[3].metric("theory", THEORY_TEXT.get(theory.get("allows"), "does not decide"),
                      help=theory.get("test"))
    curves = result.get("curves") or {}
    if curves.get("loss"):
        # on demand: the chart library is megabytes the first view need not wait for
        if st.toggle("Show the training curves", key=f"{key}-show-curves"):
            widgets.chart(figures.curves_figure(result, title), f"{title}-curves",
                          key=f"{key}-curves")
    widgets.downloads(f"{title}-result", result, key=f"{key}-result")
    st.caption(f"The same numbers, JSON: `{command(spec)}`")


def run_and_show(spec: dict, label: str, key: str, button: str = "Run it live",
                 missing: str | None = None) -> None:
    """The result of ``spec``, drawn by :func:`show_result`: from the store at once, else
    after a click on ``button`` (with ``missing`` above it) runs it live: queued, with
    progress and Cancel (:func:`ui.live.run_live`). ``key`` names this slot on the page."""
    clicked = False
    if live.store().get(spec) is None:
        if missing:
            st.write(missing)
        clicked = st.button(button, key=f"{key}-run", icon=":material/play_arrow:",
                            type="primary", help="Trains the model with this protocol on this "
                            "machine; runs queue when the machine is busy.")
    result = live.run_live(spec, label, key=key, start=clicked)
    if result is not None:
        show_result(result, spec, label, key=key)
