"""`qualify eval DATASET`, `qualify eval compare A B`, `qualify eval transcripts DIR` and `qualify calibrate`.

Exit codes: 0 ok, 1 a `--fail-under` gate failed (each failed gate is named), 2 bad input (names file, row, column).
Evals build their own runtime in a temporary folder (database and index), so a run never touches the user's leads.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.text import Text
from typer._click import Context  # typer vendors click: its own Context, not click's
from typer.core import TyperGroup

from agent.errors import QualifyError

if TYPE_CHECKING:
    from agent.deps import Deps
    from library.schemas import Library

out, err = Console(), Console(stderr=True)
NEUTRAL_LIBRARY = Path(__file__).resolve().parents[2] / "library/data/neutral"
BAD_INPUT, GATE_FAILED = 2, 1


class _RunByDefault(TyperGroup):
    """`qualify eval DATASET …` means `qualify eval run DATASET …`; named subcommands keep working."""

    def parse_args(self, ctx: Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(
    cls=_RunByDefault,
    no_args_is_help=True,
    rich_markup_mode=None,
    help="Evaluate the pipeline on labeled leads: `qualify eval DATASET`, `compare`, `transcripts`.",
)


def _fail(message: str, code: int = BAD_INPUT) -> typer.Exit:
    err.print(Text(f"error: {message}", style="red"))
    return typer.Exit(code)


@contextmanager
def eval_deps(library_dir: Path | None) -> Iterator[Deps]:
    """The production runtime built from settings, with its database and index in a temporary folder."""
    from api.runtime import build_runtime
    from api.settings import get_settings

    with tempfile.TemporaryDirectory(prefix="qualify-eval-") as tmp:
        update: dict[str, Any] = {"data_dir": Path(tmp), "database_url": None, "chroma_path": None, "chroma_host": None}
        if library_dir is not None:
            update["library_dir"] = library_dir
        rt = build_runtime(get_settings().model_copy(update=update))
        try:
            yield rt.deps
        finally:
            rt.engine.dispose()


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    )


def _print_summary(record: Any, html: Path, path: Path) -> None:
    mt = record.metrics
    fmt = lambda v: "-" if v is None else f"{v:.3f}"  # noqa: E731
    if not mt.complete:
        out.print(
            Text(f"INCOMPLETE: {mt.n_invalid} of {mt.n_cases} cases produced no valid scorecard", style="bold red")
        )
    ci = lambda iv: "-" if iv is None else f"{iv.value:.3f} [{iv.low:.3f}, {iv.high:.3f}]"  # noqa: E731
    out.print(f"cases {mt.n_cases} (valid {mt.n_valid}), base rate {mt.base_rate:.3f}")
    out.print(f"ROC AUC {ci(mt.roc_auc)}   PR AUC {ci(mt.pr_auc)}")
    for label, t in (("threshold", mt.at_threshold), ("SQL tier", mt.at_tier)):
        if t is not None:
            at = f" {t.threshold:g}" if t.threshold is not None else ""
            out.print(
                f"at {label}{at}: precision {fmt(t.precision)} recall {fmt(t.recall)} F1 {fmt(t.f1)} FPR {fmt(t.fpr)}"
            )
    if mt.calibration:
        out.print(
            f"Brier {mt.calibration.brier:.4f}   ECE {mt.calibration.ece:.4f}   "
            f"capture top 10 % {fmt(mt.capture_top_10)}  top 20 % {fmt(mt.capture_top_20)}"
        )
    overall = next((q for q in mt.questions if q.question_id == "__all__"), None)
    if overall:
        out.print(
            f"answers: accuracy {fmt(overall.accuracy)} kappa {fmt(overall.kappa)} over {overall.n} labeled answers"
        )
    out.print(f"unknown rate {fmt(mt.unknown_rate)}")
    if mt.usage:
        out.print(
            f"per lead: {mt.usage.mean_tokens:.0f} tokens, ${mt.usage.mean_cost_usd:.5f}, latency p50 "
            f"{mt.usage.latency_p50_ms:.1f} ms p95 {mt.usage.latency_p95_ms:.1f} ms"
        )
    out.print(f"run: {path}\nreport: {html}")


@app.command("run")
def run_command(
    dataset: Annotated[Path, typer.Argument(help="Whole-lead or question-level JSONL, or a CSV with --mapping")],
    mapping: Annotated[Path | None, typer.Option(help="Column-mapping YAML (CSV datasets)")] = None,
    feature_set: Annotated[str | None, typer.Option(help="Feature set of the mapping (its first when omitted)")] = None,
    library: Annotated[Path | None, typer.Option(help="Library folder (the configured one when omitted)")] = None,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the run JSON and HTML report")] = Path("eval-runs"),
    name: Annotated[str | None, typer.Option(help="Run name (the dataset's name and a timestamp when omitted)")] = None,
    fail_under: Annotated[str | None, typer.Option(help="Gates, e.g. auc=0.85,fpr_at_threshold=0.2")] = None,
    n_boot: Annotated[int, typer.Option(help="Bootstrap resamples for the intervals")] = 1000,
    per_lead: Annotated[
        bool,
        typer.Option(
            "--per-lead",
            help="Run every lead through the whole pipeline, even for a pure scoring library (scored in one batch)",
        ),
    ] = False,
) -> None:
    """Run the real pipeline over a labeled dataset; print metrics, write run JSON and an HTML report.

    A pure scoring library (a fitted model over the leads' own columns; no question, one segment, no SQL definition,
    no hard rule) scores every lead at once through its model: the same probabilities and tiers, no scorecard each."""
    from datetime import UTC, datetime

    from evals.compare import save_run
    from evals.gates import failed_gates, parse_gates
    from evals.load import load_dataset
    from evals.report import write_report

    try:
        gates = parse_gates(fail_under) if fail_under else {}
        loaded = load_dataset(dataset, mapping, feature_set)
    except QualifyError as exc:
        raise _fail(str(exc)) from exc
    if loaded.questions:
        _question_run(loaded, library, out_dir, gates)
        return
    run_name = name or f"{dataset.stem}-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}"
    try:
        record = _lead_run(loaded, library, run_name, n_boot, per_lead, dataset.name)
    except QualifyError as exc:
        raise _fail(str(exc)) from exc
    out_dir.mkdir(parents=True, exist_ok=True)
    path = save_run(record, out_dir / f"{run_name}.json")
    html = write_report(record, out_dir / f"{run_name}.html")
    _print_summary(record, html, path)
    failed = failed_gates(record.metrics, gates) if gates else []
    for line in failed:
        err.print(Text(f"gate failed: {line}", style="red"))
    if failed:
        raise typer.Exit(GATE_FAILED)


def _lead_run(loaded: Any, library_dir: Path | None, run_name: str, n_boot: int, per_lead: bool, label: str) -> Any:
    """The run record: from one batch through the fitted model when the library allows it, else lead by lead."""
    import time

    from api.settings import get_settings
    from evals.batch import batch_blocker, batch_record
    from evals.progress import progress
    from evals.run import build_record, run_cases
    from library.loader import load_library

    lib = load_library(library_dir or get_settings().library_dir)
    blocker = "--per-lead was given" if per_lead else batch_blocker(lib)
    if blocker is None:
        started = time.perf_counter()
        if loaded.csv is not None:
            _check_like_calibrate(loaded.csv, lib)
        record = batch_record(run_name, loaded.cases, lib, loaded.config, n_boot=n_boot)
        seconds = time.perf_counter() - started
        err.print(
            f"{len(loaded.cases)} leads scored at once through the fitted model in {seconds:.1f} s "
            f"({len(loaded.cases) / max(seconds, 1e-9):.0f} rows/s): a pure scoring library, so no lead needs "
            "the judge, retrieval or a scorecard"
        )
        return record
    if lib.scoring.model is not None:
        err.print(f"every lead runs the whole pipeline: {blocker}")
    with eval_deps(library_dir) as deps, progress(err) as bar:
        if loaded.csv is not None:
            _check_like_calibrate(loaded.csv, deps.library)
        task = bar.add_task(f"qualifying {label}", total=len(loaded.cases))
        runs = asyncio.run(run_cases(loaded.cases, deps, on_done=lambda _: bar.advance(task)))
        return build_record(run_name, runs, deps, loaded.config, n_boot=n_boot)


def _check_like_calibrate(data: Any, library: Library) -> None:
    """Refuse a mapping whose features calibrate would refuse; warn when the library has no fitted model."""
    import numpy as np

    from agent.features import FeatureContext
    from evals.calibrate import check_features, feature_specs, read_columns

    specs = [s for s in feature_specs(data.mapping, data.feature_set, library) if not s.source.startswith("answer.")]
    if specs:
        check_features(
            specs,
            read_columns(specs, [FeatureContext(c.lead) for c in data.cases]),
            np.array([c.y_true for c in data.cases]),
        )
    if library.scoring.model is None:
        err.print(
            Text(
                f"warning: library {library.name!r} was never calibrated (no model.json): its default "
                "weights score these leads, not a model fitted on data like them; run `qualify calibrate` first",
                style="yellow",
            )
        )


def _question_run(loaded: Any, library: Path | None, out_dir: Path, gates: dict[str, float]) -> None:
    import json

    from evals.metrics import question_metrics
    from evals.run import run_question_cases

    with eval_deps(library) as deps, _progress() as bar:
        task = bar.add_task("answering questions", total=len(loaded.questions))
        pairs = asyncio.run(run_question_cases(loaded.questions, deps, on_done=lambda _: bar.advance(task)))
    rows = question_metrics(pairs)
    for q in rows:
        kappa = "-" if q.kappa is None else f"{q.kappa:.2f}"
        out.print(
            f"{q.question_id:32} n {q.n:>4}  accuracy {q.accuracy or 0:.2f}  kappa {kappa:>5}  "
            f"unknown {q.unknown_rate or 0:.2f} (expected {q.expected_unknown_rate or 0:.2f})"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{Path(loaded.config['dataset']).stem}-questions.json"
    path.write_text(
        json.dumps({"config": loaded.config, "questions": [q.model_dump(mode="json") for q in rows]}, indent=2)
    )
    out.print(f"run: {path}")
    overall = next(q for q in rows if q.question_id == "__all__")
    checks = {"question_accuracy": overall.accuracy, "kappa": overall.kappa}
    failed = [f"{k}: {got} < {v:g}" for k, v in gates.items() if (got := checks.get(k)) is None or got < v]
    for line in failed:
        err.print(Text(f"gate failed: {line}", style="red"))
    if failed:
        raise typer.Exit(GATE_FAILED)


@app.command("compare")
def compare_command(
    run_a: Annotated[Path, typer.Argument(help="Run JSON A (before)")],
    run_b: Annotated[Path, typer.Argument(help="Run JSON B (after)")],
    show: Annotated[int, typer.Option(help="Tier changes to list")] = 20,
) -> None:
    """Metric deltas B − A with a paired bootstrap, and the leads whose tier changed."""
    from evals.compare import compare_runs, load_run

    try:
        c = compare_runs(load_run(run_a), load_run(run_b))
    except QualifyError as exc:
        raise _fail(str(exc)) from exc
    out.print(
        f"{c.run_b} − {c.run_a}: {c.n_paired} paired cases (only in A {c.only_in_a}, only in B {c.only_in_b}, "
        f"invalid in either {c.excluded_invalid})"
    )
    for metric, d in c.deltas.items():
        better = (d.delta > 0) == c.higher_is_better[metric] and d.delta != 0
        style = "green" if better and d.p_value < 0.05 else "red" if d.p_value < 0.05 else ""
        out.print(
            Text(
                f"{metric:20} {d.a:.4f} → {d.b:.4f}  Δ {d.delta:+.4f} [{d.low:+.4f}, {d.high:+.4f}] p={d.p_value:.3f}",
                style=style,
            )
        )
    out.print(f"{len(c.tier_changes)} lead(s) changed tier")
    for t in c.tier_changes[:show]:
        out.print(f"  {t.id}: {t.tier_a} → {t.tier_b} (converted={t.y_true})")


@app.command("transcripts")
def transcripts_command(
    directory: Annotated[Path, typer.Argument(help="Folder of transcripts with .labels.yaml files")],
    library: Annotated[Path | None, typer.Option(help="Library folder")] = None,
) -> None:
    """Score transcript extraction against labeled calls (see evals.transcripts)."""
    from evals.transcripts import evaluate_transcripts, render

    with eval_deps(library) as deps:
        from agent.transcripts.extract import EmbeddedExtractor
        from library.embeddings import get_embedder, get_multilingual

        extractor = EmbeddedExtractor(deps.library, get_embedder(), meaning=get_multilingual())
        try:
            report = evaluate_transcripts(directory, deps.library, extractor)
        except QualifyError as exc:
            raise _fail(str(exc)) from exc
    out.print(render(report))


def calibrate_command(
    dataset: Annotated[Path | None, typer.Argument(help="CSV of labeled past leads (not with --from-reviews)")] = None,
    library: Annotated[
        Path | None, typer.Option(help="Library folder that receives the fitted model (model.json); required")
    ] = None,
    mapping: Annotated[Path | None, typer.Option(help="Column-mapping YAML")] = None,
    from_reviews: Annotated[
        bool,
        typer.Option(
            "--from-reviews",
            help="Refit the library's model on reviewed leads: confirm / AE accept = SQL, reject / push back = not",
        ),
    ] = False,
    feature_set: Annotated[str | None, typer.Option(help="Feature set of the mapping (its first when omitted)")] = None,
    folds: Annotated[int, typer.Option(min=2, max=20, help="Stratified cross-validation folds")] = 5,
    c: Annotated[float, typer.Option("--C", min=1e-6, help="Inverse L2 regularisation strength (logistic)")] = 0.3,
    method: Annotated[str, typer.Option(help="auto (the lowest CV log-loss), logistic, boosted or blend")] = "auto",
    dry_run: Annotated[bool, typer.Option(help="Report the metrics without writing the library")] = False,
) -> None:
    """Fit the scoring model (logistic regression vs gradient boosting, k-fold CV) and write it into the library."""
    import shutil

    from evals.calibration_run import calibrate_dataset
    from evals.progress import progress

    if method not in ("auto", "logistic", "boosted", "blend"):
        raise _fail(f"--method must be auto, logistic, boosted or blend (not {method!r})")
    if library is None:
        raise _fail("--library is required: the folder that receives the fitted model")
    created = False
    if (
        not library.exists() and not from_reviews
    ):  # a new user's pure scoring dataset: start from the built-in neutral library
        from library.loader import SLUG

        if not SLUG.match(library.name):
            raise _fail(
                f"{library}: the folder name {library.name!r} is the library's name and must be a slug "
                "(lowercase letters, digits, _ or -)"
            )
        shutil.copytree(NEUTRAL_LIBRARY, library)
        created = True
        err.print(f"{library} did not exist: created from the built-in neutral library (no questions, one segment)")
    if from_reviews:
        if dataset is not None or mapping is not None:
            raise _fail("--from-reviews reads the reviewed leads from the database: give no CSV or --mapping")
        _calibrate_from_reviews(library, folds, c, method, dry_run)
        return
    if dataset is None or mapping is None:
        raise _fail("give a CSV of labeled past leads and its --mapping (or --from-reviews)")
    from library.loader import load_library

    try:
        with progress(err) as bar:
            fit = calibrate_dataset(
                dataset,
                mapping,
                feature_set,
                load_library(library),
                library,
                qualify=_qualifier(library, bar),
                folds=folds,
                c=c,
                write=not dry_run,
                progress=bar,
                method=method,  # type: ignore[arg-type]
            )
    except QualifyError as exc:
        if created:  # nothing half-made is left behind
            shutil.rmtree(library, ignore_errors=True)
        raise _fail(str(exc)) from exc
    _print_fit(fit, library, dry_run)


def _qualifier(library: Path, bar: Any) -> Any:
    """Runs leads through the pipeline for calibrate; the runtime (index, embedder, judge) is built only if called."""
    from evals.run import run_cases

    def qualify(cases: list[Any]) -> list[Any]:
        with eval_deps(library) as deps:
            task = bar.add_task("qualifying leads", total=len(cases))
            return asyncio.run(run_cases(cases, deps, on_done=lambda _: bar.advance(task)))

    return qualify


def _calibrate_from_reviews(library: Path, folds: int, c: float, method: str, dry_run: bool) -> None:
    from api.review.export import NOT_A_JUDGMENT, reviewed_cases
    from api.runtime import open_database
    from api.settings import get_settings
    from evals.calibration_run import calibrate_cases, check_reviews, review_provenance, review_specs
    from evals.progress import progress
    from library.loader import load_library

    _, sessions = open_database(get_settings())
    with sessions() as s:
        cases = reviewed_cases(s, exclude_reasons=NOT_A_JUDGMENT)
    sql = sum(case.y_true for case in cases)
    err.print(
        f"{len(cases)} reviewed lead(s): {sql} SQL (confirmed / accepted), {len(cases) - sql} not "
        "(rejected / pushed back; duplicates left out)"
    )
    try:
        check_reviews(cases, folds)
        with progress(err) as bar:
            fit = calibrate_cases(
                cases,
                review_specs(load_library(library)),
                library,
                review_provenance(cases),
                qualify=_qualifier(library, bar),
                folds=folds,
                c=c,
                write=not dry_run,
                progress=bar,
                method=method,  # type: ignore[arg-type]
            )
    except QualifyError as exc:
        raise _fail(str(exc)) from exc
    _print_fit(fit, library, dry_run)


def _print_fit(fit: Any, library: Path, dry_run: bool) -> None:
    fmt = lambda v: "-" if v is None else f"{v:.3f}"  # noqa: E731
    out.print("model       CV log-loss  AUC    PR AUC  ECE")
    for kind, figures in fit.candidates.items():
        mark = "  <- kept" if kind == fit.model.kind else ""
        out.print(
            f"{kind:11} {figures['log_loss']:.4f}       {fmt(figures['roc_auc'])}  {fmt(figures['pr_auc'])}   "
            f"{fmt(figures['ece'])}{mark}"
        )
    for label, figures in (("cross-validated", fit.cv_metrics), ("in-sample", fit.in_sample_metrics)):
        out.print(
            f"{label}: AUC {fmt(figures['roc_auc'])} PR AUC {fmt(figures['pr_auc'])} ECE {fmt(figures['ece'])} | "
            f"at threshold {figures['threshold']:g}: precision {fmt(figures['precision'])} recall "
            f"{fmt(figures['recall'])} FPR {fmt(figures['fpr'])}"
        )
    m = fit.model
    if m.kind == "blend":
        size = (
            f"{m.blend_weight:g} x {len(m.coefficients)} weights + {1 - (m.blend_weight or 0):g} x {len(m.trees)} trees"
        )
    else:
        size = f"{len(m.coefficients)} weights" if m.kind == "logistic" else f"{len(m.trees)} trees"
    cal = m.calibration.method if m.calibration else "none"
    out.print(
        f"{m.kind}: {len(m.features)} features, {size}, {cal} calibration, base rate {m.base_rate:.3f}; SQL threshold "
        f"{m.thresholds.sql_ready:g}, discovery {m.thresholds.needs_discovery:g}"
        + ("" if dry_run else f"; written to {library / 'model.json'}")
    )
    numbers = [f for f in m.features if f.kind == "numeric"]
    if numbers:
        out.print(
            "monotone directions"
            + (
                " (boosted trees respect them): "
                if m.kind in ("boosted", "blend")
                else " (for boosting; logistic ignores them): "
            )
            + ", ".join(f"{f.name} {_direction(f)}" for f in numbers)
        )


def _direction(feature: Any) -> str:
    word = {1: "increasing", -1: "decreasing"}.get(feature.monotone, "unconstrained")
    if feature.monotone_from == "data":
        return f"{word} (from the data)" if feature.monotone else "unconstrained (no clear direction in the data)"
    return f"{word} (declared)" if feature.monotone_from == "mapping" else "unconstrained"


def with_library(deps: Deps, library_dir: Path) -> Deps:
    """The same runtime with a freshly loaded library (e.g. just calibrated): scoring changes, the index does not."""
    from library.loader import load_library

    lib = load_library(library_dir)
    return replace(deps, library=lib, snapshot_id=lib.snapshot_id())
