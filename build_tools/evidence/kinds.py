"""The one table of entry kinds. Everything that differs between approaches, programmes and
studies by name (folder, database table, site section, labels, model) is read from here."""

from __future__ import annotations

from dataclasses import dataclass

from .models import Approach, EntryBase, Programme, Study


@dataclass(frozen=True)
class Kind:
    name: str      # singular id: the `type` of an entry in the database, search and exports
    folder: str    # evidence/<folder>/, the database table and the site section
    label: str     # shown on pages
    plural: str
    model: type[EntryBase]
    intro: str     # one line for the section's index page


KINDS = (
    Kind("approach", "approaches", "Approach", "Approaches", Approach,
         "Families of interventions, such as mentoring or focused deterrence, as the toolkits group them."),
    Kind("programme", "programmes", "Programme", "Programmes", Programme,
         "Named programmes and London services, with the approaches they belong to and their evaluation status."),
    Kind("study", "studies", "Study", "Studies", Study,
         "Individual evaluations and systematic reviews, with their findings."),
)
BY_NAME = {k.name: k for k in KINDS}
BY_FOLDER = {k.folder: k for k in KINDS}
