"""The ``sscrdf`` command line (click). Each command is a thin layer over the package's stage modules.

Exit codes: 0 success; 1 the check ran and found something at or above the threshold; 2 input the tool
cannot use (bad file, syntax error, unknown term, ...), always with a one-line message and no traceback.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from . import __version__
from .errors import SscrdfError

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2


class _Group(click.Group):
    """A click group that turns sscrdf's own errors into a one-line message and exit code 2."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except SscrdfError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)


def _emit(text: str, output: str | None) -> None:
    if output:
        from .output import write_atomic

        write_atomic(output, text if text.endswith("\n") else text + "\n")
    else:
        click.echo(text.rstrip("\n"))


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="sscrdf")
def cli() -> None:
    """sscrdf: stakeholders of smart sustainable cities as linked data (ITU-T Y Suppl. 34).

    Load a city's stakeholder register, reason over it with the bundled ontology, validate it with SHACL,
    derive gaps, overlaps and engagement strategies, and report or serve the results.
    """


# ------------------------------------------------------------------------------------------- info

@cli.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def info(fmt: str) -> None:
    """Show the ontology IRI and version and what each module holds."""
    from .ontology import info as ontology_info

    oi = ontology_info()
    if fmt == "json":
        click.echo(json.dumps({
            "sscrdf": __version__, "ontology": oi.iri, "versionIRI": oi.version_iri, "versionInfo": oi.version_info,
            "modules": [m.__dict__ for m in oi.modules], "totals": oi.totals,
        }, indent=2))
        return
    click.echo(f"sscrdf {__version__}")
    click.echo(f"ontology     {oi.iri}")
    click.echo(f"version IRI  {oi.version_iri}")
    click.echo(f"version      {oi.version_info}")
    click.echo("")
    head = f"{'module':<16}{'triples':>8}{'classes':>9}{'properties':>12}{'individuals':>13}{'schemes':>9}"
    click.echo(head)
    click.echo("-" * len(head))
    for m in oi.modules:
        click.echo(f"{m.name:<16}{m.triples:>8}{m.classes:>9}{m.properties:>12}{m.individuals:>13}{m.concept_schemes:>9}")
    t = oi.totals
    click.echo("-" * len(head))
    click.echo(f"{'total':<16}{t['triples']:>8}{t['classes']:>9}{t['properties']:>12}{t['individuals']:>13}"
               f"{t['concept_schemes']:>9}")


# ------------------------------------------------------------------------------------------- ontology

@cli.group()
def ontology() -> None:
    """Work on the ontology itself (for knowledge engineers)."""


@ontology.command("check")
@click.argument("extra", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def ontology_check(extra: tuple[str, ...], fmt: str) -> None:
    """Check the ontology: it parses, is consistent under OWL 2 RL, every ssc: term is labelled, defined and
    sourced (meta-shape), and no ssc: IRI is used undeclared.

    EXTRA Turtle files are checked together with the bundled modules (to try an extension before adding it).
    Exit 0 when all checks pass, 1 with a list of problems otherwise.
    """
    from .errors import InputError
    from .ontology import check

    for p in extra:
        if not Path(p).is_file():
            raise InputError("no such file", path=p)
    report = check([Path(p) for p in extra])
    if fmt == "json":
        click.echo(json.dumps({"ok": report.ok, "checks": report.checks,
                               "problems": [p.__dict__ for p in report.problems]}, indent=2))
    else:
        for c in report.checks:
            click.echo(f"checked  {c}")
        for p in report.problems:
            click.echo(f"PROBLEM  {p}")
        if report.ok:
            click.echo("ontology OK")
        else:
            counts = ", ".join(f"{n} {k}" for k, n in sorted(report.by_kind().items()))
            click.echo(f"ontology has {len(report.problems)} problem(s): {counts}")
    sys.exit(EXIT_OK if report.ok else EXIT_FINDINGS)


def main() -> None:  # console-script entry point
    cli(prog_name="sscrdf")


if __name__ == "__main__":  # pragma: no cover
    main()
