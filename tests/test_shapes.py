"""The SHACL shapes for city data (``shapes/city/*.ttl``).

Every named shape (an IRI typed ``sh:NodeShape`` or ``sh:PropertyShape``) needs two fixtures in
``tests/fixtures/shapes/``:

* ``<ShapeLocalName>.pos.ttl``: data that must raise no result of that shape;
* ``<ShapeLocalName>.neg.ttl``: data whose results of that shape must be exactly the ones the fixture lists in
  comment lines ``# expect: <focus-iri> sscsh:ShapeLocalName Violation|Warning|Info`` (one line per result;
  the focus may also be written as a prefixed name declared in the fixture).

Results of other shapes are ignored, so fixtures stay small. Fixtures are validated the way the product
validates a city: ``validate_triples(triples, shapes_graph(), reasoner="fast")`` (the data closed with the
ontology under OWL 2 RL, then pySHACL).
"""

from __future__ import annotations

import dataclasses
import io
import re
from functools import cache, lru_cache
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, RDF, RDFS, SH, SKOS

from sscrdf.convert import to_rdflib_term
from sscrdf.knowledge.ontology import ontology_graph
from sscrdf.namespaces import ORG, SSC, SSCSH
from sscrdf.reasoning.closure import TYPE
from sscrdf.reasoning.store import knowledge_store
from sscrdf.shacl.results import Result
from sscrdf.shacl.validate import city_shape_files, shapes_graph, validate_store, validate_triples

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "shapes"
SHACL_SHACL = ROOT / "shapes" / "meta" / "shacl-shacl.ttl"

SEVERITIES = {"Violation": SH.Violation, "Warning": SH.Warning, "Info": SH.Info}
CLAUSE = re.compile(
    r"^(Y Suppl\. 34, (clause \d+(\.\d+)*|Table (\d+|I\.1)|Figure \d+)"
    r"|FG-SSC Master Plan, (clause|Table|Figure) \d+(\.\d+)*)$"
)
EXPECT = re.compile(r"^#\s*expect:\s*(?P<focus>\S+)\s+(?P<shape>\S+)\s+(?P<severity>\S+)\s*$")

#: the SHACL vocabulary the city shapes may use: SHACL Core plus SPARQL-based constraints (no SHACL-AF rules,
#: SPARQL targets, functions or JavaScript), so that pySHACL, Jena and TopBraid agree.
ALLOWED_SH = {
    SH[t]
    for t in (
        "NodeShape",
        "PropertyShape",
        "targetClass",
        "targetNode",
        "targetSubjectsOf",
        "targetObjectsOf",
        "path",
        "inversePath",
        "alternativePath",
        "zeroOrMorePath",
        "oneOrMorePath",
        "zeroOrOnePath",
        "class",
        "datatype",
        "nodeKind",
        "minCount",
        "maxCount",
        "minExclusive",
        "minInclusive",
        "maxExclusive",
        "maxInclusive",
        "minLength",
        "maxLength",
        "pattern",
        "flags",
        "languageIn",
        "uniqueLang",
        "equals",
        "disjoint",
        "lessThan",
        "lessThanOrEquals",
        "not",
        "and",
        "or",
        "xone",
        "node",
        "property",
        "qualifiedValueShape",
        "qualifiedMinCount",
        "qualifiedMaxCount",
        "qualifiedValueShapesDisjoint",
        "closed",
        "ignoredProperties",
        "hasValue",
        "in",
        "name",
        "description",
        "order",
        "group",
        "severity",
        "message",
        "deactivated",
        "Violation",
        "Warning",
        "Info",
        "IRI",
        "BlankNode",
        "Literal",
        "BlankNodeOrIRI",
        "BlankNodeOrLiteral",
        "IRIOrLiteral",
        "sparql",
        "SPARQLConstraint",
        "select",
        "prefixes",
        "declare",
        "prefix",
        "namespace",
    )
}


# ------------------------------------------------------------------------------------------ helpers


@lru_cache(maxsize=1)
def _shapes() -> Graph:
    """The city shapes graph, parsed once (tests must not change it; see test_validation_changes_nothing)."""
    return shapes_graph()


def _named_shapes() -> list[URIRef]:
    g = _shapes()
    found = {s for t in (SH.NodeShape, SH.PropertyShape) for s in g.subjects(RDF.type, t) if isinstance(s, URIRef)}
    return sorted(found)


SHAPES = _named_shapes()
SHAPE_IDS = [str(s).rsplit("#", 1)[-1] for s in SHAPES]


def _local(iri) -> str:
    return str(iri).rsplit("#", 1)[-1]


def _fixture(shape: URIRef, kind: str) -> Path:
    path = FIXTURES / f"{_local(shape)}.{kind}.ttl"
    if not path.is_file():
        pytest.fail(
            f"{_local(shape)} has no {'conforming' if kind == 'pos' else 'non-conforming'} fixture: add "
            f"{path.relative_to(ROOT)} (every shape in shapes/city needs a .pos.ttl and a .neg.ttl)"
        )
    return path


def _triples(data: bytes) -> list[ox.Triple]:
    return [q.triple for q in ox.parse(io.BytesIO(data), format=ox.RdfFormat.TURTLE)]


@cache
def _validated(path: Path) -> tuple[tuple, frozenset]:
    """(all validation results of one fixture file, the classes that have an instance in the data closed with the
    ontology), from the default engine (SHACL compiled to SPARQL), on the knowledge store the product builds
    (ontology + data + entailments). Cached: a fixture is validated once per test process, and the tests read the
    results. tests/test_engines.py (slow tier) checks that pySHACL gives the same results on every fixture."""
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in _triples(path.read_bytes()))
    ks = knowledge_store(store)
    results = tuple(_as_rdflib(r) for r in validate_store(store, shapes=_shapes(), knowledge=ks).results)
    return results, frozenset(q.object for q in ks.quads_for_pattern(None, TYPE, None))


def _as_rdflib(r: Result) -> Result:
    """``r`` with rdflib terms (a Result holds sscrdf.terms terms), to compare with the rdflib terms read here."""
    rd = to_rdflib_term
    return dataclasses.replace(
        r,
        focus=rd(r.focus),
        shape=rd(r.shape),
        severity=rd(r.severity),
        component=rd(r.component),
        path=None if r.path is None else rd(r.path),
        value=None if r.value is None else rd(r.value),
    )


def _results(path: Path) -> tuple:
    return _validated(path)[0]


def _resolve(term: str, namespaces: dict[str, str], path: Path, lineno: int) -> URIRef:
    if term.startswith("<") and term.endswith(">"):
        return URIRef(term[1:-1])
    prefix, sep, local = term.partition(":")
    if sep and prefix in namespaces:
        return URIRef(namespaces[prefix] + local)
    pytest.fail(f"{path.name}:{lineno}: cannot read {term!r}; write <full-iri> or prefix:name with a declared prefix")


#: the prefixes every rdflib graph knows, and a fixture's own @prefix / PREFIX lines
_DEFAULT_NAMESPACES = {p: str(ns) for p, ns in Graph().namespaces()}
_PREFIX_LINE = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([A-Za-z][\w.\-]*)?:\s*<([^>]*)>", re.M | re.I)


def _expectations(path: Path) -> set[tuple[URIRef, URIRef, URIRef]]:
    """The ``# expect: <focus> <shape> <severity>`` lines of a fixture."""
    namespaces = dict(_DEFAULT_NAMESPACES)
    namespaces.update({m.group(1) or "": m.group(2) for m in _PREFIX_LINE.finditer(path.read_text(encoding="utf-8"))})
    namespaces.setdefault("sscsh", str(SSCSH))
    out = set()
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not re.match(r"^#\s*expect\b", line):
            continue
        m = EXPECT.match(line)
        if not m or m["severity"] not in SEVERITIES:
            pytest.fail(
                f"{path.name}:{lineno}: malformed expectation {line!r}; "
                "write '# expect: <focus-iri> sscsh:ShapeName Violation|Warning|Info'"
            )
        out.add(
            (
                _resolve(m["focus"], namespaces, path, lineno),
                _resolve(m["shape"], namespaces, path, lineno),
                SEVERITIES[m["severity"]],
            )
        )
    return out


def _show(triples) -> str:
    return "\n".join(f"  {f.n3()} {_local(s)} {_local(v)}" for f, s, v in sorted(triples)) or "  (none)"


def _is_sparql_shape(shape: URIRef) -> bool:
    return (shape, SH.sparql, None) in _shapes()


def _or_members(g: Graph, shape) -> list:
    return [m for lst in g.objects(shape, SH["or"]) for m in Collection(g, lst)]


@lru_cache(maxsize=1)
def _ontology() -> Graph:
    """The ontology as an rdflib graph, parsed once per test process (about 0.8 s a parse; tests only read it)."""
    return ontology_graph()


def _collection_members(collection: URIRef) -> set[URIRef]:
    return set(_ontology().objects(collection, SKOS.member))


# ------------------------------------------------------------------------------------------ discovery


def test_shapes_are_discovered():
    files = {p.name for p in city_shape_files()}
    assert {
        "stakeholder.ttl",
        "assessment.ttl",
        "register.ttl",
        "municipality.ttl",
        "participation.ttl",
        "masterplan.ttl",
    } <= files
    assert len(SHAPES) >= 50
    for s in SHAPES:
        assert str(s).startswith(str(SSCSH)), f"{s} is not in the sscsh: namespace"


def test_every_shape_is_named():
    """Shapes that raise results are named IRIs with their own target; shapes nested in sh:or, sh:not, sh:node or
    sh:qualifiedValueShape are blank nodes without targets (their failures are reported by the shape that uses
    them). No property shape is attached with sh:property: it would report results under its own name, which
    would then need fixtures of its own. So every result's sh:sourceShape is a shape with its fixtures."""
    g = _shapes()
    for s in SHAPES:
        assert (s, SH.targetClass, None) in g, f"{_local(s)} has no sh:targetClass"
    assert not list(g.subject_objects(SH.property)), (
        "give each check its own named shape with sh:targetClass instead of attaching it with sh:property"
    )
    for t in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf):
        for s in g.subjects(t, None):
            assert isinstance(s, URIRef), f"a blank-node shape has a target ({t.n3()})"


def test_no_orphan_fixtures():
    names = {_local(s) for s in SHAPES}
    for p in sorted(FIXTURES.glob("*")):
        m = re.match(r"^(?P<shape>\w+)\.(pos|neg)\.ttl$", p.name)
        assert m, f"{p.name}: fixtures are named <ShapeLocalName>.pos.ttl or <ShapeLocalName>.neg.ttl"
        assert m["shape"] in names, f"{p.name}: no shape sscsh:{m['shape']} in shapes/city (renamed or removed?)"


def test_fixtures_use_only_ontology_terms():
    """A typo in a fixture (ssc:ICTcompany) would make it test nothing; every ssc: term must exist."""
    onto = _ontology()
    declared = {s for s in onto.subjects(RDF.type, None) if isinstance(s, URIRef)}
    for p in sorted(FIXTURES.glob("*.ttl")):
        g = Graph().parse(p, format="turtle")
        used = {t for triple in g for t in triple if isinstance(t, URIRef) and str(t).startswith(str(SSC))}
        unknown = sorted(str(t) for t in used - declared)
        assert not unknown, f"{p.name} uses terms the ontology does not declare: {unknown}"


# ------------------------------------------------------------------------------------------ fixtures


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_positive_fixture_raises_nothing(shape):
    path = _fixture(shape, "pos")
    assert not _expectations(path), f"{path.name}: a conforming fixture expects no results"
    got = {(r.focus, r.shape, r.severity) for r in _results(path) if r.shape == shape}
    assert not got, f"{path.name} should raise no result of {_local(shape)}, got:\n{_show(got)}"
    # not vacuous: the shape has something to check in this data (after the ontology closure)
    targets = {ox.NamedNode(str(c)) for c in _shapes().objects(shape, SH.targetClass)}
    assert targets & _validated(path)[1], f"{path.name} has no focus node for {_local(shape)}, so it proves nothing"


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_negative_fixture_raises_exactly_the_expected_results(shape):
    path = _fixture(shape, "neg")
    expected = _expectations(path)
    assert expected, f"{path.name} lists no '# expect:' line"
    others = {e for e in expected if e[1] != shape}
    assert not others, f"{path.name} expects results of other shapes:\n{_show(others)}"
    got = {(r.focus, r.shape, r.severity) for r in _results(path) if r.shape == shape}
    assert got == expected, (
        f"{path.name}: results of {_local(shape)} differ from its '# expect:' lines\n"
        f"missing:\n{_show(expected - got)}\nunexpected:\n{_show(got - expected)}"
    )


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_results_carry_the_shape_message(shape):
    """Every result of the negative fixture has a non-empty English message."""
    for r in _results(_fixture(shape, "neg")):
        if r.shape == shape:
            assert r.message.strip() and "{?" not in r.message and "{$" not in r.message, r.message


# ------------------------------------------------------------------------------------------ metadata


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_shape_metadata(shape):
    g = _shapes()
    name = _local(shape)
    labels = [o for o in g.objects(shape, RDFS.label) if isinstance(o, Literal) and o.language == "en"]
    assert labels, f"{name} needs an English rdfs:label"
    sources = [str(o) for o in g.objects(shape, DCTERMS.source)]
    assert any(CLAUSE.match(s) for s in sources), (
        f"{name} needs dcterms:source citing its clause (e.g. 'Y Suppl. 34, clause 4.2'), has {sources}"
    )
    assert all(CLAUSE.match(s) for s in sources), f"{name}: malformed dcterms:source {sources}"
    severities = list(g.objects(shape, SH.severity))
    assert len(severities) == 1 and severities[0] in SEVERITIES.values(), (
        f"{name} needs exactly one sh:severity out of sh:Violation, sh:Warning, sh:Info, has {severities}"
    )

    shape_messages = list(g.objects(shape, SH.message))
    if _is_sparql_shape(shape):
        # Jena reports a shape's own sh:message verbatim (its {?var} placeholders unfilled) in preference to the
        # constraint's; pySHACL fills either. So a SPARQL-based shape carries its message on the constraint.
        assert not shape_messages, f"{name}: put the sh:message on the sh:sparql constraint, not on the shape"
        for c in g.objects(shape, SH.sparql):
            messages = list(g.objects(c, SH.message))
            assert messages, f"{name}: its SPARQL constraint needs an sh:message"
            select = str(g.value(c, SH.select))
            projected = set(re.findall(r"[?$](\w+)", select.split("WHERE", 1)[0]))
            for m in messages:
                assert isinstance(m, Literal) and m.language == "en", f"{name}: messages are English (@en)"
                used = set(re.findall(r"\{[?$](\w+)\}", str(m)))
                assert used <= projected, (
                    f"{name}: the message uses {used - projected}, which the SELECT does not return"
                )
    else:
        assert shape_messages, f"{name} needs an sh:message"
        for m in shape_messages:
            assert isinstance(m, Literal) and m.language == "en", f"{name}: messages are English (@en)"
            assert "{" not in str(m), f"{name}: SHACL Core messages must not rely on {{...}} placeholders"


def test_every_severity_is_one_of_the_three():
    g = _shapes()
    for s, sev in g.subject_objects(SH.severity):
        assert sev in SEVERITIES.values(), f"{s}: sh:severity {sev}"


def test_only_shacl_core_and_sparql_constraints():
    g = _shapes()
    for t in g:
        for term in t:
            if isinstance(term, URIRef) and str(term).startswith(str(SH)):
                assert term in ALLOWED_SH, f"{term.n3()} is not SHACL Core or a SPARQL-based constraint: {t}"
            if isinstance(term, URIRef):
                assert "datashapes.org" not in str(term) and "topbraid" not in str(term).lower(), (
                    f"no DASH/TopBraid extensions: {term}"
                )


@pytest.mark.parametrize(
    "shape",
    [s for s in SHAPES if (s, SH.sparql, None) in _shapes()],
    ids=[_local(s) for s in SHAPES if (s, SH.sparql, None) in _shapes()],
)
def test_sparql_constraints_are_anchored_on_this(shape):
    g = _shapes()
    for c in g.objects(shape, SH.sparql):
        select = str(g.value(c, SH.select))
        head, _, body = select.partition("WHERE")
        assert "$this" in head, f"{_local(shape)}: the SELECT must return $this"
        assert body.count("$this") >= 1, f"{_local(shape)}: the query must start from $this"
        assert g.value(c, SH.prefixes) is not None, f"{_local(shape)}: declare prefixes with sh:prefixes"
        for bad in ("SERVICE", "LOAD", "GRAPH"):
            assert bad not in select.upper().split(), f"{_local(shape)}: {bad} is not allowed"


# ------------------------------------------------------------------------------------------ coverage


def test_every_stakeholder_category_has_a_register_shape():
    g = _shapes()
    categories = _collection_members(SSC.StakeholderCategories)
    assert len(categories) >= 12, sorted(categories)  # the twelve of clause 3.1, or more after an extension
    covered = set()
    for s in g.subjects(SH.targetClass, SSC.City):
        if g.value(s, SH.path) == SSC.hasStakeholder and g.value(s, SH.qualifiedMinCount) is not None:
            covered.update(g.objects(g.value(s, SH.qualifiedValueShape), SH["class"]))
    missing = sorted(str(c) for c in categories - covered)
    assert not missing, f"stakeholder categories without a register shape (shapes/city/register.ttl): {missing}"


def test_category_shape_lists_every_category():
    """sscsh:StakeholderCategoryShape's sh:or has one sh:class per member of ssc:StakeholderCategories."""
    g = _shapes()
    members = _or_members(g, SSCSH.StakeholderCategoryShape)
    classes = {c for m in members for c in g.objects(m, SH["class"])}
    categories = _collection_members(SSC.StakeholderCategories)
    assert classes == categories, (
        f"update the sh:or of sscsh:StakeholderCategoryShape (shapes/city/stakeholder.ttl): "
        f"missing {sorted(map(str, categories - classes))}, "
        f"not a category {sorted(map(str, classes - categories))}"
    )
    assert len(members) == len(classes)


def test_every_table2_unit_has_a_municipality_shape():
    g = _shapes()
    units = _collection_members(SSC.Table2Units)
    assert len(units) >= 10, sorted(units)  # the ten of Table 2, or more after an extension
    covered = set()
    for s in g.subjects(SH.targetClass, SSC.Municipality):
        present, delegated = set(), set()
        for m in _or_members(g, s):
            path = g.value(m, SH.path)
            qvs = g.value(m, SH.qualifiedValueShape)
            if qvs is None:
                continue
            if isinstance(path, BNode) and g.value(path, SH.inversePath) == ORG.unitOf:
                present.update(g.objects(qvs, SH["class"]))
            elif path == SSC.delegatesFunctionTo and g.value(qvs, SH.path) == SSC.delegatedFunction:
                delegated.update(g.objects(qvs, SH.hasValue))
        covered |= present & delegated
    missing = sorted(str(u) for u in units - covered)
    assert not missing, f"Table 2 units without a municipality shape (shapes/city/municipality.ttl): {missing}"


# ------------------------------------------------------------------------------------------ SHACL for SHACL


# pySHACL over the union of the shapes files (2.5 s); the fast tier checks each file against SHACL-for-SHACL
# in `sscrdf check` (test_check.py::test_bundled_shapes_rules_and_queries_pass)
@pytest.mark.slow
def test_shapes_graph_conforms_to_shacl_for_shacl():
    meta = Graph().parse(SHACL_SHACL, format="turtle")
    conforms, _, text = pyshacl.validate(_shapes(), shacl_graph=meta, inplace=False, allow_warnings=True)
    assert conforms, text


def test_each_shapes_file_parses_on_its_own():
    """Each file declares its own prefixes, so a tool can load one file alone."""
    for p in city_shape_files():
        g = Graph().parse(p, format="turtle")
        assert len(g) > 10
        text = p.read_text(encoding="utf-8")
        assert text.startswith("# sscrdf city shapes"), f"{p.name}: start with a header comment"
        for c in g.objects(None, SH.sparql):
            assert (g.value(c, SH.prefixes), SH.declare, None) in g, f"{p.name}: sh:prefixes declared elsewhere"


# ------------------------------------------------------------------------------------------ a complete city


@lru_cache(maxsize=1)
def complete_city_turtle() -> str:
    """A register that satisfies every shape: the 12 categories (one stakeholder each, named, scaled, with a
    sector and a full, dated, attributed assessment), the 10 Table 2 units each holding the responsibilities
    the ontology expects of it, and all participation mechanisms in the right order. Built from the ontology,
    so it follows the ontology when categories, units or responsibilities change."""
    onto = _ontology()
    lines = [
        "@prefix ssc: <https://w3id.org/sscrdf/ontology#> .",
        "@prefix ex: <https://example.org/complete/> .",
        "@prefix org: <http://www.w3.org/ns/org#> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        "@prefix dcterms: <http://purl.org/dc/terms/> .",
        "@prefix prov: <http://www.w3.org/ns/prov#> .",
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
        'ex:city a ssc:City ; rdfs:label "Complete City"@en ;',
        "    ssc:hasParticipationMechanism ex:grievance, ex:priorInfo, ex:feedback, ex:offline, ex:consultation .",
        'ex:grievance a ssc:GrievanceMechanism ; ssc:establishedOn "2023-01-10"^^xsd:date .',
        'ex:priorInfo a ssc:PriorInformationAccess ; ssc:establishedOn "2023-02-01"^^xsd:date .',
        "ex:feedback a ssc:FeedbackChannel .",
        "ex:offline a ssc:OfflineParticipationMeans .",
        'ex:consultation a ssc:ConsultationProcess ; ssc:startDate "2023-03-01"^^xsd:date .',
        "ex:officer a prov:Agent .",
    ]
    public = {SSC.Municipality, SSC.NationalOrRegionalGovernment}
    private = {SSC.CityServicesCompany, SSC.UtilityProvider, SSC.ICTCompany}
    for i, cat in enumerate(sorted(_collection_members(SSC.StakeholderCategories))):
        node = "ex:municipality" if cat == SSC.Municipality else f"ex:stakeholder{i}"
        sector = "PublicSector" if cat in public else "PrivateSector" if cat in private else "NonProfitSector"
        lines += [
            f"ex:city ssc:hasStakeholder {node} .",
            f'{node} a <{cat}> ; rdfs:label "{_local(cat)} of Complete City"@en ;',
            f"    ssc:scale ssc:LocalScale ; ssc:sector ssc:{sector} .",
            f"ex:assessment{i} a ssc:EngagementAssessment ; ssc:assessedStakeholder {node} ;",
            "    ssc:powerLevel ssc:High ; ssc:interestLevel ssc:Low ; ssc:currentLevel ssc:Neutral ;",
            '    ssc:desiredLevel ssc:Supportive ; dcterms:date "2023-04-12"^^xsd:date ;'
            " prov:wasAttributedTo ex:officer .",
        ]
    units = sorted(_collection_members(SSC.Table2Units))
    for i, unit in enumerate(units):
        held = sorted(onto.objects(unit, SSC.expectedResponsibility))
        lines.append(
            f"ex:unit{i} a <{unit}> ; org:unitOf ex:municipality ; "
            f"ssc:collaboratesWith ex:unit{(i + 1) % len(units)}"
            + "".join(f" ; ssc:hasResponsibility <{r}>" for r in held)
            + " ."
        )
    return "\n".join(lines) + "\n"


def _store(triples: list[ox.Triple]) -> ox.Store:
    store = ox.Store()
    store.bulk_extend([ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples])
    return store


def test_a_complete_city_raises_no_result():
    """With the default engine (the shapes compiled to SPARQL)."""
    store = _store(_triples(complete_city_turtle().encode()))
    results = validate_store(store, shapes=_shapes(), knowledge=knowledge_store(store)).results
    assert not results, "\n".join(f"{r.focus} {_local(r.shape)} {r.severity_name}: {r.message}" for r in results)


@pytest.mark.slow  # pySHACL, the reference engine
def test_a_complete_city_raises_no_result_with_pyshacl():
    results = validate_triples(_triples(complete_city_turtle().encode()), _shapes(), reasoner="fast")
    assert not results, "\n".join(f"{r.focus} {_local(r.shape)} {r.severity_name}: {r.message}" for r in results)


def test_a_complete_city_has_every_unit_and_category():
    """Guards the helper above: it really holds the 12 categories and the 10 units."""
    g = Graph().parse(data=complete_city_turtle(), format="turtle")
    assert _collection_members(SSC.StakeholderCategories) <= set(g.objects(None, RDF.type))
    assert _collection_members(SSC.Table2Units) <= set(g.objects(None, RDF.type))


# ------------------------------------------------------------------------------------------ no side effects


def _mixed_data() -> list[ox.Triple]:
    return _triples((FIXTURES / "UnitCollaboratesWithUnitShape.neg.ttl").read_bytes() + complete_city_turtle().encode())


def test_validation_does_not_change_the_store():
    """Validation does not change a store it validates."""
    store = _store(_mixed_data())
    quads_before = set(store)
    report = validate_store(store)
    assert report.results
    assert set(store) == quads_before


@pytest.mark.slow  # pySHACL, the reference engine
def test_validate_triples_does_not_change_its_triples():
    """Validation does not change the triples it is given (validate_triples: pySHACL, one city)."""
    triples = _mixed_data()
    before = list(triples)
    results = validate_triples(triples, shapes_graph(), reasoner="fast")
    assert results
    assert triples == before


@pytest.fixture(scope="module", params=["fast", pytest.param("pyshacl", marks=pytest.mark.slow)])
def shapes_before_and_after(request):
    """A new shapes graph's triples before and after one validation of the mixed data, by the default engine
    (validate_store) and by pySHACL (validate_triples; slow); the two tests below read the same run."""
    shapes = shapes_graph()
    before = set(shapes)
    if request.param == "fast":
        store = _store(_mixed_data())
        assert validate_store(store, shapes=shapes, knowledge=knowledge_store(store)).results
    else:
        assert validate_triples(_mixed_data(), shapes, reasoner="fast")
    return before, set(shapes)


def test_validation_keeps_every_shape(shapes_before_and_after):
    """Validation removes nothing from the shapes graph and adds nothing SHACL-related to it."""
    before, after = shapes_before_and_after
    assert before <= after
    added = after - before
    assert not [t for t in added if any(str(x).startswith(str(SH)) for x in t)], sorted(added)


def test_validation_does_not_change_the_shapes_graph(shapes_before_and_after):
    before, after = shapes_before_and_after
    assert after == before
