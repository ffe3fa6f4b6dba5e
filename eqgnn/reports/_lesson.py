"""The Lesson page's tour: steps read from ``data/lesson.json``, evidence computed per step.

A step names a gallery case, a sentence for the teacher, the k-hop WL tests
to run on the case (fast, numpy: run live), optionally the star orientation
test (SCIENCE.md, Claim 3), and the model runs whose stored verdicts back it
up. Model verdicts are only *read* from the result store
(:class:`~eqgnn.store.ResultStore`, which includes the shipped
``data/results``): the page never trains; a run that was not precomputed is
reported with the command that computes it. :func:`step_report` gathers a
step's evidence (``python -m eqgnn report lesson``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from eqgnn.config import ModelConfig, config_from_options
from eqgnn.errors import InputError
from eqgnn.gallery import Case, load_case
from eqgnn.oracle import DEFAULT_TOL, compare, orientation
from eqgnn.paths import LESSON_FILE

PROTOCOLS = ("verdict", "sweep")  # the gallery's preset runs, the depth maps' cells
PAGES = ("gallery", "explorer", "depth", "steerable")  # what a step's ``more`` may open


@dataclass(frozen=True)
class ModelRun:
    """A stored distinguish run a step cites: a preset and/or options, and its protocol."""

    label: str
    preset: str | None
    options: dict
    protocol: str

    def config(self) -> ModelConfig:
        return config_from_options(self.preset, **self.options)

    def command(self, case: str) -> str:
        """The CLI line that computes (and stores) this run, for one that is missing."""
        parts = ["python -m eqgnn distinguish", f"--case {case}"]
        if self.preset:
            parts.append(f"--preset {self.preset}")
        parts += [f"--{key.replace('_', '-')} {value}" for key, value in self.options.items()]
        if self.protocol == "sweep":
            from eqgnn.sweep import SWEEP_PROTOCOL

            parts += [f"--{key} {value}" for key, value in SWEEP_PROTOCOL.items()]
        return " ".join(parts)


@dataclass(frozen=True)
class Step:
    """One view of the tour: what to say, on which case, with which evidence."""

    number: int
    title: str
    say: str
    case: str
    oracle: tuple[dict, ...]
    orientation: bool
    models: tuple[ModelRun, ...]
    more: tuple[str, str] | None = None
    """(page, label): a page of the dashboard that takes the step further."""

    @property
    def link(self) -> str:
        """The step's own address, for a slide or a chat message."""
        return f"/lesson?step={self.number}"


def load_lesson(path: Path | str = LESSON_FILE) -> list[Step]:
    """The steps of ``path``, validated: cases exist, settings are ones the oracle and models take.

    Raises :class:`InputError` naming the step and the field at the first problem.
    """
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
        entries = doc["steps"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{path}: the lesson cannot be read ({exc})") from None
    if not isinstance(entries, list) or not entries:
        raise InputError(f"{path}: 'steps' must be a non-empty list")
    return [_step(number, entry, path) for number, entry in enumerate(entries, 1)]


@lru_cache(maxsize=1)
def lesson() -> tuple[Step, ...]:
    """The shipped lesson, read once per process."""
    return tuple(load_lesson())


def _step(number: int, entry: dict, path: Path | str) -> Step:
    where = f"{path}, step {number}"
    try:
        step = Step(
            number=number,
            title=str(entry["title"]),
            say=str(entry["say"]),
            case=str(entry["case"]),
            oracle=tuple(dict(o) for o in entry.get("oracle", [])),
            orientation=bool(entry.get("orientation", False)),
            models=tuple(
                ModelRun(str(m["label"]), m.get("preset"), dict(m.get("options", {})),
                         m.get("protocol", "verdict"))
                for m in entry.get("models", [])
            ),
            more=(str(entry["more"]["page"]), str(entry["more"]["label"]))
            if "more" in entry else None,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"{where}: missing or malformed field ({exc})") from None
    try:
        load_case(step.case)
        if step.more is not None and step.more[0] not in PAGES:
            raise InputError(f"more.page {step.more[0]!r}: choose one of {', '.join(PAGES)}")
        for test in step.oracle:
            _check_oracle(test)
        for run in step.models:
            if run.protocol not in PROTOCOLS:
                raise InputError(f"protocol {run.protocol!r}: choose {' or '.join(PROTOCOLS)}")
            run.config()
    except InputError as exc:
        raise InputError(f"{where}: {exc}") from None
    return step


def _check_oracle(test: dict) -> None:
    unknown = set(test) - {"hops", "body_order", "group"}
    if unknown:
        raise InputError(f"oracle test: unknown key(s) {', '.join(sorted(unknown))}")
    if not isinstance(test.get("hops"), int) or test["hops"] < 1:
        raise InputError(f"oracle test: hops must be an integer >= 1, got {test.get('hops')!r}")
    if str(test.get("body_order")) not in ("2", "3", "full"):
        raise InputError(f"oracle test: body_order must be 2, 3 or full, got "
                         f"{test.get('body_order')!r}")
    if test.get("group") not in ("O3", "SO3"):
        raise InputError(f"oracle test: group must be O3 or SO3, got {test.get('group')!r}")


def step_case(step: Step) -> Case:
    """The gallery pair the step shows."""
    return load_case(step.case)


def oracle_evidence(step: Step) -> list[dict]:
    """The step's k-hop WL tests on its case, computed now (numpy only, well under a second).

    One row per test: the settings, ``"blind"`` or ``"sees"``, and the oracle's
    reason sentence.
    """
    case = step_case(step)
    rows = []
    for test in step.oracle:
        verdict = compare(case.a, case.b, test["hops"], test["body_order"], test["group"],
                          case.graph, DEFAULT_TOL)
        rows.append({
            "hops": test["hops"], "body_order": str(test["body_order"]), "group": test["group"],
            "verdict": "blind" if verdict["indistinguishable"] else "sees",
            "reason": verdict["reason"],
        })
    return rows


def orientation_evidence(step: Step) -> list[dict] | None:
    """Which feature types l see the star's orientation (single layer), or None if not asked."""
    if not step.orientation:
        return None
    types = orientation(step_case(step).a)["types"]
    return [{"type l": int(l), "sees the orientation": seen} for l, seen in types.items()]


def run_spec(step: Step, run: ModelRun) -> dict:
    """The job spec of a model run a step cites (what ``precompute`` stores for it)."""
    from eqgnn.specs import distinguish_spec
    from eqgnn.sweep import SWEEP_PROTOCOL

    protocol = SWEEP_PROTOCOL if run.protocol == "sweep" else {}
    return distinguish_spec({"case": step.case}, run.config(), **protocol)


def lesson_specs() -> list[dict]:
    """Every job spec the lesson cites, in step order."""
    return [run_spec(step, run) for step in lesson() for run in step.models]


def model_evidence(step: Step, store=None) -> list[dict]:
    """The stored verdict of each model run the step cites; never trains.

    A row per run: ``verdict``, ``accuracy``, ``embedding_gap`` and ``noise_floor`` from the
    store, or ``verdict`` None and ``command``, the CLI line that computes it.
    Imports torch (through the job spec), so call it after the page has drawn.
    """
    from eqgnn.store import open_store

    store = store if store is not None else open_store()
    rows = []
    for run in step.models:
        result = store.get(run_spec(step, run))
        row = {"model": run.label, "verdict": None, "accuracy": None, "embedding_gap": None,
               "noise_floor": None, "command": None}
        if result is None:
            row["command"] = run.command(step.case)
        else:
            row.update(verdict=result["verdict"], accuracy=result["accuracy"],
                       embedding_gap=result["embedding_gap"], noise_floor=result["noise_floor"])
        rows.append(row)
    return rows


def step_report(step: Step, store=None) -> dict:
    """Everything the Lesson page shows for ``step``, JSON-able: its words, its case, and
    the evidence panels :func:`oracle_evidence`, :func:`orientation_evidence` and
    :func:`model_evidence` (stored runs only; never trains)."""
    return {
        "step": step.number, "title": step.title, "say": step.say, "case": step.case,
        "link": step.link,
        "more": None if step.more is None else {"page": step.more[0], "label": step.more[1]},
        "oracle": oracle_evidence(step), "orientation": orientation_evidence(step),
        "models": model_evidence(step, store),
    }


def lesson_report(number: int | None = None, store=None) -> dict:
    """``{"steps": [...]}``: :func:`step_report` of step ``number`` (1-based), or of every step."""
    steps = lesson()
    if number is not None and not 1 <= number <= len(steps):
        raise InputError(f"step {number}: the lesson has steps 1..{len(steps)}")
    chosen = steps if number is None else steps[number - 1:number]
    return {"steps": [step_report(step, store) for step in chosen]}
