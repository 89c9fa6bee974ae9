"""Sub-commands of ``sipas``, one module per group.

:func:`register_all` attaches every group except ``template`` (attached by :mod:`omr.cli`).
"""

from __future__ import annotations

import typer


def register_all(app: typer.Typer) -> None:
    """Attach the command groups and top-level commands to the root app (idempotent)."""
    if getattr(app, "_sipas_registered", False):
        return
    app._sipas_registered = True  # type: ignore[attr-defined]
    from omr.commands import demo, evaluate, export, review, scan, score, synth, synth_frame, user

    app.command("scan")(scan.scan)
    app.command("eval")(evaluate.eval_command)
    app.command("synth", cls=synth_frame.SynthCommand)(synth.synth)
    app.command("review")(review.review)
    app.add_typer(user.app, name="user")
    app.command("score")(score.score)
    app.command("export")(export.export)
    app.command("demo")(demo.demo)
