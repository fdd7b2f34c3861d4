"""The controlled values a register may use, read from the ontology (never spelt out in Python).

A :class:`Vocabulary` holds the class hierarchy, the individuals of each class and the labels of every term of the
bundled ontology modules (and of any extension files). :meth:`Vocabulary.choices` gives, for the root class of a
column, the values a person may type: a subclass of the root (``type`` columns) or an individual of it (``term``
columns), each matched by its local name, its ``skos:prefLabel``, ``rdfs:label``, ``skos:altLabel`` or
``skos:notation`` — case, spaces, hyphens and underscores do not matter — and shown by its preferred label.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from ..namespaces import DCTERMS, OWL, PREFIXES, RDF, RDFS, SKOS
from ..resources import files

__all__ = ["Choices", "Vocabulary", "compact", "expand", "key", "vocabulary"]

_RDF = str(RDF)
_RDFS = str(RDFS)
_SKOS = str(SKOS)
_OWL = str(OWL)
_SSC = str(PREFIXES["ssc"])


def key(value: str) -> str:
    """A value as compared: lower case, without an ``ssc:`` prefix, spaces, hyphens, underscores or slashes."""
    v = value.strip().lower()
    if v.startswith("ssc:"):
        v = v[4:]
    return re.sub(r"[\s_/-]+", "", v)


def expand(name: str) -> str:
    """A prefixed name (``ssc:Scale``) as a full IRI; a full IRI as is."""
    prefix, sep, local = name.partition(":")
    if sep and prefix in PREFIXES:
        return str(PREFIXES[prefix]) + local
    return name


def compact(iri: str) -> str:
    for prefix, ns in PREFIXES.items():
        if iri.startswith(str(ns)):
            return f"{prefix}:{iri[len(str(ns)) :]}"
    return iri


@dataclass(frozen=True)
class Choices:
    """The allowed values of one column: IRIs in a stable order, the label each is shown by, and the lookup."""

    iris: tuple[str, ...]
    labels: dict[str, str]
    lookup: dict[str, str]

    def shown(self) -> list[str]:
        return [self.labels[i] for i in self.iris]

    def find(self, value: str) -> str | None:
        return self.lookup.get(key(value))

    def nearest(self, value: str) -> str | None:
        """The label of the allowed value closest to ``value``."""
        match = difflib.get_close_matches(key(value), list(self.lookup), n=1, cutoff=0.6)
        return self.labels[self.lookup[match[0]]] if match else None

    def __contains__(self, iri: object) -> bool:
        return iri in self.labels


@dataclass
class Vocabulary:
    """Classes, individuals and labels of the ontology files it was read from."""

    parents: dict[str, set[str]] = field(default_factory=dict)
    types: dict[str, set[str]] = field(default_factory=dict)
    pref: dict[str, str] = field(default_factory=dict)
    label_of: dict[str, str] = field(default_factory=dict)
    other_names: dict[str, set[str]] = field(default_factory=dict)
    rank: dict[str, float] = field(default_factory=dict)
    clause: dict[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, paths: Iterable[Path]) -> Vocabulary:
        v = cls()
        for path in paths:
            for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
                v._add(q.subject, q.predicate.value, q.object)
        return v

    def _add(
        self,
        subject: ox.NamedNode | ox.BlankNode | ox.Triple,
        p: str,
        o: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple,
    ) -> None:
        if not isinstance(subject, ox.NamedNode):
            return
        s = subject.value
        if isinstance(o, ox.NamedNode):
            if p == _RDFS + "subClassOf":
                self.parents.setdefault(s, set()).add(o.value)
            elif p == _RDF + "type":
                self.types.setdefault(s, set()).add(o.value)
            return
        if not isinstance(o, ox.Literal) or (o.language not in (None, "en")):
            return
        if p == _SKOS + "prefLabel":
            self.pref[s] = o.value
        elif p == _RDFS + "label":
            self.label_of[s] = o.value
        elif p in (_SKOS + "altLabel", _SKOS + "notation"):
            self.other_names.setdefault(s, set()).add(o.value)
        elif p == _SSC + "rank":
            try:
                self.rank[s] = float(o.value)
            except ValueError:
                pass
        elif p == f"{DCTERMS}source":
            self.clause[s] = min(self.clause.get(s, o.value), o.value)

    # ----------------------------------------------------------------------------------------------- hierarchy

    def subclasses(self, root: str) -> set[str]:
        """``root`` and every class that is transitively a subclass of it."""
        found = {root}
        changed = True
        while changed:
            changed = False
            for child, ps in self.parents.items():
                if child not in found and ps & found:
                    found.add(child)
                    changed = True
        return found

    def individuals(self, cls: str) -> set[str]:
        classes = self.subclasses(cls)
        return {s for s, ts in self.types.items() if ts & classes}

    def label(self, iri: str) -> str:
        """The label a person reads: skos:prefLabel, else rdfs:label, else the local name split into words."""
        if iri in self.pref:
            return self.pref[iri]
        if iri in self.label_of:
            return self.label_of[iri]
        local = re.split(r"[#/:]", iri)[-1]
        return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", local).lower() or iri

    # ----------------------------------------------------------------------------------------------- choices

    def choices(self, root: str, *, kind: str) -> Choices:
        """The allowed values of a ``type`` column (subclasses of ``root``) or a ``term`` column (individuals)."""
        return self._choices(root, kind)

    @lru_cache(maxsize=64)  # noqa: B019 - a vocabulary lives as long as the process and is never changed
    def _choices(self, root: str, kind: str) -> Choices:
        members = self.subclasses(root) if kind == "type" else self.individuals(root)
        if kind == "type" and root not in self.types and root not in self.label_of:
            members.discard(root)
        ordered = sorted(members, key=lambda i: (self.rank.get(i, float("inf")), self.label(i).lower(), i))
        labels: dict[str, str] = {}
        seen: dict[str, str] = {}
        for iri in ordered:
            text = self.label(iri)
            if key(text) in seen:  # two terms with one label: show both by local name
                other = seen[key(text)]
                labels[other] = compact(other)
                text = compact(iri)
            seen[key(text)] = iri
            labels[iri] = text
        lookup: dict[str, str] = {}
        for iri in ordered:
            names = [
                labels[iri],
                self.pref.get(iri, ""),
                self.label_of.get(iri, ""),
                compact(iri),
                iri.rsplit("#", 1)[-1],
                *sorted(self.other_names.get(iri, ())),
            ]
            for n in names:
                if n:
                    lookup.setdefault(key(n), iri)
        lookup.update({key(labels[i]): i for i in ordered})  # the shown label always wins
        return Choices(tuple(ordered), labels, lookup)

    def __hash__(self) -> int:  # identity: needed by lru_cache on the method
        return id(self)

    def __eq__(self, other: object) -> bool:
        return self is other


def ontology_paths(extra: Sequence[Path] = ()) -> tuple[Path, ...]:
    return tuple(files("ontology", "*.ttl")) + tuple(files("ontology", "vocab/*.ttl")) + tuple(extra)


@lru_cache(maxsize=4)
def _cached(key_: tuple[tuple[str, int], ...]) -> Vocabulary:
    return Vocabulary.read(Path(p) for p, _ in key_)


def vocabulary(paths: Sequence[Path] | None = None) -> Vocabulary:
    """The vocabulary of ``paths`` (default: the bundled ontology modules and the vocabularies they reuse)."""
    ps = ontology_paths() if paths is None else tuple(paths)
    return _cached(tuple((str(p), Path(p).stat().st_mtime_ns) for p in ps))
