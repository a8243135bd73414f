"""``flask --app finsam_ansokan archive build YEAR --out FILE``: the yearly archive package."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

archive_cli = AppGroup("archive", help="Arkivpaket för diariet.")


@archive_cli.command("build")
@click.argument("year", type=click.IntRange(2000, 2100))
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help="Filen som skapas; normalt arkiv-ÅR.zip i aktuell katalog.",
)
def build_archive(year: int, out: Path | None) -> None:
    """Skapa arkivpaketet för ett år: ansökningarnas versioner, beslut och protokoll som
    PDF och en förteckning (index.csv)."""
    from . import archive

    out = out or Path(f"arkiv-{year}.zip")
    partial = out.with_name(out.name + ".part")
    with partial.open("wb") as handle:
        count = archive.build(year, handle)
    partial.replace(out)
    click.echo(f"Skrev {out} med {count} filer.")
