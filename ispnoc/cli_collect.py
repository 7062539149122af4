"""`ispnoc collect --once`: one collection cycle of the given (or every) family, with a progress bar
per family and a summary table; families whose collector is not installed are reported, not fatal."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from collectors.base import CollectError, CycleResult
from collectors.cycle import count_selected, limits_for, run_cycle, unavailable
from collectors.enums import SourceKind
from ispnoc.vault import reveal
from ispnoc.wiring import Store, open_store

collect_app = typer.Typer(help="Poll the devices: one collection cycle per family.")
out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


@dataclass
class Outcome:
    """What ``collect --once`` did: results of the families that ran, reasons for those that could not."""

    results: list[CycleResult] = field(default_factory=list)
    missing: dict[SourceKind, str] = field(default_factory=dict)

    @property
    def all_failed(self) -> bool:
        """Every polled device failed (and there was at least one)."""
        devices = sum(r.devices for r in self.results)
        return devices > 0 and sum(r.failed for r in self.results) == devices


async def _family(store: Store, family: SourceKind, device_ids: Sequence[int] | None,
                  progress: Progress) -> CycleResult | str:
    """One family's cycle with its own progress bar, or the reason it could not run."""
    settings = store.settings
    try:
        total = await asyncio.to_thread(count_selected, store.sessions, family, device_ids)
    except (ImportError, AttributeError) as exc:
        return f"not available ({type(exc).__name__})"
    task = progress.add_task(family.value, total=total)
    limits = limits_for(family, settings.collect_concurrency, settings.collect_timeout_s)
    try:
        return await run_cycle(store.sessions, family, reveal=functools.partial(reveal, settings),
                               device_ids=device_ids, concurrency=limits.concurrency,
                               timeout_s=limits.timeout_s,
                               progress=lambda _name, _ok: progress.advance(task))
    except CollectError as exc:
        return str(exc)


async def _collect(store: Store, families: Sequence[SourceKind], device_ids: Sequence[int] | None,
                   progress: Progress) -> Outcome:
    outcome = Outcome()
    for family in families:
        reason = unavailable(family)
        if reason is not None:
            outcome.missing[family] = reason
    ready = [f for f in families if f not in outcome.missing]
    done = await asyncio.gather(*(_family(store, f, device_ids, progress) for f in ready))
    for family, result in zip(ready, done, strict=True):
        if isinstance(result, str):
            outcome.missing[family] = result
        else:
            outcome.results.append(result)
    return outcome


def summary(outcome: Outcome, families: Sequence[SourceKind]) -> Table:
    """One row per family: devices, failed, values and seconds, or why it did not run."""
    table = Table("family", "devices", "failed", "values", "seconds", title="collection cycle")
    by_family = {r.family: r for r in outcome.results}
    for family in families:
        result = by_family.get(family)
        if result is None:
            table.add_row(family.value, "not available", "", "", "")
            continue
        table.add_row(family.value, str(result.devices), str(result.failed), str(result.values),
                      f"{result.duration_s:.2f}")
    return table


def print_outcome(outcome: Outcome, families: Sequence[SourceKind]) -> None:
    """The summary table, then each failure and each missing family with its reason."""
    out.print(summary(outcome, families))
    for result in outcome.results:
        for name, reason in sorted(result.errors.items()):
            out.print(f"failed  {result.family.value}  {name}: {reason}", markup=False, soft_wrap=True)
    for family, reason in outcome.missing.items():
        out.print(f"skipped {family.value}: {reason}", markup=False, soft_wrap=True)


@collect_app.callback(invoke_without_command=True)
def collect(
    once: Annotated[bool, typer.Option("--once", help="run one cycle and exit")] = False,
    family: Annotated[list[SourceKind] | None, typer.Option(help="a family (repeatable); all by default")
                      ] = None,
    device: Annotated[list[int] | None, typer.Option(help="a device id (repeatable); all by default")] = None,
) -> None:
    """Run one collection cycle; exits 1 when every polled device failed."""
    if not once:
        err.print("error: give --once for one cycle (`ispnoc scheduler` collects continuously)")
        raise typer.Exit(2)
    families = list(dict.fromkeys(family or list(SourceKind)))
    store = open_store()
    columns = (TextColumn("{task.description:<11}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=False) as progress:
        outcome = asyncio.run(_collect(store, families, device or None, progress))
    store.engine.dispose()
    print_outcome(outcome, families)
    if outcome.all_failed:
        raise typer.Exit(1)
