"""A launch: every prompt variant of a suite (or those picked) on every model, as runs of one
group. Each variant's run keeps, in its options, the variant id and the exact templates it asked
with, and its model id is named by the variant (`demo:keyword@concise`), so that wherever runs are
listed, compared or drawn (the runs table, `--json`, the Runs screen, the matrix, trends), each
variant is told apart from the others without a column of its own.

    launch_runners(store, suite, models, options, *, variants=(), subscribers=()) -> list[Runner]
        SuiteError for a variant the suite does not have
"""

from __future__ import annotations

import dataclasses
from typing import Any

from evaltui.engine.plan import RunOptions
from evaltui.engine.prepare import prepare
from evaltui.engine.runner import Runner, Subscriber, make_runners, new_group_id
from evaltui.engine.storage import RunStore
from evaltui.suites.loader import pick_variants
from evaltui.suites.models import ModelSpec, Suite
from evaltui.suites.template import template_fields


def launch_runners(
    store: RunStore,
    suite: Suite,
    models: list[ModelSpec],
    options: RunOptions,
    *,
    variants: tuple[str, ...] = (),
    subscribers: tuple[Subscriber, ...] = (),
) -> list[Runner]:
    chosen = pick_variants(suite, variants)
    if len(chosen) * len(models) > 1 and options.group_id is None:
        options = dataclasses.replace(options, group_id=new_group_id())
    runners: list[Runner] = []
    for variant, asked in chosen:
        if variant is None:
            runners += make_runners(store, prepare(asked), models, options, subscribers=subscribers)
            continue
        kept = dataclasses.replace(options, links={**options.links, **variant_links(variant, asked)})
        named = [m.model_copy(update={"id": f"{m.id}@{variant}"}) for m in models]
        runners += make_runners(store, prepare(asked), named, kept, subscribers=subscribers)
    return runners


def variant_links(variant: str, asked: Suite) -> dict[str, Any]:
    """What a variant's run keeps in its options: the variant, and the templates it asks with."""
    return {"variant": variant, "prompt": [{"role": r, "content": t} for _, r, t in template_fields(asked)]}
