"""The derivation rules (``rules/*.rq``): each rule against its positive and negative fixture, exactly.

Every rule ``<id>`` has two fixtures in ``tests/fixtures/rules/``:

- ``<id>.pos.ttl``: data on which the rule fires. Its comment lines state the EXACT output of that rule:
  ``# expect: <s> <p> <o>`` for each derived fact (prefixed names of the fixture, integers as plain numbers),
  ``# expect-finding: <about> ssc:Kind sh:Severity <concerns or ->`` for each finding, where ``<about>`` is one
  term or several joined with commas (a finding about a pair of units). Findings are compared as a multiset, so
  a rule that derives two findings with the same focus, kind, severity and concern needs two lines.
  Besides prefixed names, an expectation may use ``"text"^^xsd:date`` (a typed literal without spaces), ``*`` as
  the object (any value: messages and clauses), ``plan(ex:city)`` for the IRI of a city's engagement plan and
  ``action(ex:city,ex:stakeholder,ssc:Inform)`` for the IRI of a planned action.
- ``<id>.neg.ttl``: complete, correct data on which the rule must derive nothing.

A new rule without both fixtures fails ``test_every_rule_has_both_fixtures``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import re
from collections import Counter
from functools import cache
from pathlib import Path

import pyoxigraph as ox
import pytest

from sscrdf.knowledge.ontology import declared_terms
from sscrdf.knowledge.vocab import unknown_terms
from sscrdf.reasoning.store import knowledge_store
from sscrdf.rules.engine import bundled_rules, run_rules

ROOT = Path(__file__).resolve().parent.parent
RULES_DIR = ROOT / "rules"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "rules"
AS_OF = dt.date(2026, 11, 21)

SSC = "https://w3id.org/sscrdf/ontology#"
SSCR = "https://w3id.org/sscrdf/rules#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_COMMENT = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment")
DCT_SOURCE = ox.NamedNode("http://purl.org/dc/terms/source")
PROV_GENERATED = ox.NamedNode("http://www.w3.org/ns/prov#wasGeneratedBy")
XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
FINDING = ox.NamedNode(SSC + "Finding")
KIND = ox.NamedNode(SSC + "findingKind")
ABOUT = ox.NamedNode(SSC + "about")
SEVERITY = ox.NamedNode(SSC + "severity")
CONCERNS = ox.NamedNode(SSC + "concerns")
IN_CITY = ox.NamedNode(SSC + "inCity")
KINDS = {ox.NamedNode(SSC + k) for k in ("Gap", "Overlap", "Recommendation", "Risk")}
SEVERITIES = {ox.NamedNode("http://www.w3.org/ns/shacl#" + s) for s in ("Violation", "Warning", "Info")}

DEFAULT_PREFIXES = {
    "ssc": SSC,
    "sh": "http://www.w3.org/ns/shacl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "org": "http://www.w3.org/ns/org#",
}
_PREFIX = re.compile(r"^\s*@prefix\s+([A-Za-z][\w.\-]*)?:\s*<([^>]*)>\s*\.", re.M)
_EXPECT = re.compile(r"^#\s*expect:\s*(\S+)\s+(\S+)\s+(\S+)\s*$")
_EXPECT_FINDING = re.compile(r"^#\s*expect-finding:\s*(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s*$")

RULES = bundled_rules()
RULE_IDS = sorted(r.id for r in RULES)
RULE_BY_ID = {r.id: r for r in RULES}


# ------------------------------------------------------------------------------------------ helpers


def _prefixes(text: str) -> dict[str, str]:
    prefixes = dict(DEFAULT_PREFIXES)
    prefixes.update({(m.group(1) or ""): m.group(2) for m in _PREFIX.finditer(text)})
    return prefixes


PLAN = "https://w3id.org/sscrdf/plan/"
WILDCARD = ox.Literal("*any*")


def _sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _term(token: str, prefixes: dict[str, str]):
    if token == "-":
        return None
    if token == "*":
        return WILDCARD
    if m := re.fullmatch(r'"([^"]*)"\^\^(\S+)', token):
        return ox.Literal(m.group(1), datatype=_term(m.group(2), prefixes))
    if m := re.fullmatch(r"plan\(([^,()]+)\)", token):
        return ox.NamedNode(PLAN + _sha1(_term(m.group(1), prefixes).value))
    if m := re.fullmatch(r"action\(([^,()]+),([^,()]+),([^,()]+)\)", token):
        city, s, action = (_term(t, prefixes).value for t in m.groups())
        return ox.NamedNode(PLAN + _sha1(city) + "/" + _sha1(f"{s}|{action}"))
    if token.startswith("<") and token.endswith(">"):
        return ox.NamedNode(token[1:-1])
    if re.fullmatch(r"[+-]?\d+", token):
        return ox.Literal(str(int(token)), datatype=XSD_INTEGER)
    prefix, sep, local = token.partition(":")
    if not sep or prefix not in prefixes:
        raise ValueError(f"cannot read {token!r}: use a prefixed name, an <IRI>, an integer or '-'")
    return ox.NamedNode(prefixes[prefix] + local)


FindingKey = tuple[frozenset, ox.NamedNode, ox.NamedNode, ox.NamedNode | None]


def expectations(path: Path) -> tuple[set[ox.Triple], Counter]:
    """The ``# expect:`` triples and the ``# expect-finding:`` keys written in a fixture."""
    text = path.read_text(encoding="utf-8")
    prefixes = _prefixes(text)
    facts: set[ox.Triple] = set()
    findings: Counter = Counter()
    for line in text.splitlines():
        if m := _EXPECT.match(line):
            s, p, o = (_term(t, prefixes) for t in m.groups())
            facts.add(ox.Triple(s, p, o))
        elif m := _EXPECT_FINDING.match(line):
            about, kind, severity, concerns = m.groups()
            key = (
                frozenset(_term(a, prefixes) for a in about.split(",")),
                _term(kind, prefixes),
                _term(severity, prefixes),
                _term(concerns, prefixes),
            )
            findings[key] += 1
        elif re.match(r"^#\s*expect", line):
            raise ValueError(f"{path.name}: malformed expectation line: {line!r}")
    return facts, findings


def _load(*paths: Path) -> ox.Store:
    data = ox.Store()
    for p in paths:
        data.load(path=str(p), format=ox.RdfFormat.TURTLE)
    return data


@cache
def derive(*paths: Path):
    """All bundled rules run on the fixture(s) at AS_OF (cached: the derivation is not changed by the tests)."""
    return run_rules(knowledge_store(_load(*paths)), RULES, as_of=AS_OF)


def finding_keys(triples: list[ox.Triple]) -> Counter:
    by_subject: dict = {}
    for t in triples:
        by_subject.setdefault(t.subject, []).append(t)
    keys: Counter = Counter()
    for subject, ts in by_subject.items():
        if not any(t.predicate == RDF_TYPE and t.object == FINDING for t in ts):
            continue
        about = frozenset(t.object for t in ts if t.predicate == ABOUT)
        kinds = [t.object for t in ts if t.predicate == KIND]
        severities = [t.object for t in ts if t.predicate == SEVERITY]
        concerns = [t.object for t in ts if t.predicate == CONCERNS]
        assert len(kinds) == 1 and len(severities) == 1 and len(concerns) <= 1, (subject, ts)
        keys[(about, kinds[0], severities[0], concerns[0] if concerns else None)] += 1
    return keys


def _show(keys: Counter) -> str:
    def short(n):
        if n is None:
            return "-"
        v = n.value if isinstance(n, ox.NamedNode) else str(n)
        return v.replace(SSC, "ssc:").replace("http://www.w3.org/ns/shacl#", "sh:")

    return "\n".join(
        sorted(
            f"{n} x {','.join(sorted(short(a) for a in k[0]))} {short(k[1])} {short(k[2])} {short(k[3])}"
            for k, n in keys.items()
        )
    )


def fixture(rule_id: str, polarity: str) -> Path:
    return FIXTURES / f"{rule_id}.{polarity}.ttl"


# ------------------------------------------------------------------------------------------ rule files


def test_rules_are_found():
    assert len(RULE_IDS) >= 14
    assert [p.stem for p in sorted(RULES_DIR.glob("*.rq"))] == RULE_IDS


def test_every_rule_has_both_fixtures():
    missing = [f"{rid}.{pol}.ttl" for rid in RULE_IDS for pol in ("pos", "neg") if not fixture(rid, pol).is_file()]
    assert not missing, f"rules without fixtures: {missing}"
    orphans = [
        p.name
        for p in FIXTURES.glob("*.ttl")
        if not re.fullmatch(r"(.+)\.(pos|neg)\.ttl", p.name) or p.name.rsplit(".", 2)[0] not in RULE_BY_ID
    ]
    assert not orphans, f"fixtures that belong to no rule: {orphans}"


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_rule_header(rule_id):
    rule = RULE_BY_ID[rule_id]
    assert rule.path.stem == rule_id
    assert rule.header["kind"] in ("fact", "finding")
    assert rule.header["derives"].strip()
    assert rule.header["clause"].startswith(("Y Suppl. 34", "FG-SSC Master Plan"))
    lines = rule.text.splitlines()
    assert [ln.split(":")[0] for ln in lines[:4]] == ["# id", "# derives", "# clause", "# kind"]
    explanation = [ln for ln in lines[4:] if ln.startswith("#")]
    assert len(explanation) >= 2, "explain the rule's logic in a few comment lines under the header"


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_rule_is_plain_sparql_construct(rule_id):
    rule = RULE_BY_ID[rule_id]
    body = "\n".join(ln for ln in rule.text.splitlines() if not ln.lstrip().startswith("#"))
    assert re.search(r"^\s*CONSTRUCT\s*\{", body, re.M | re.I)
    assert not re.search(r"\b(SERVICE|LOAD|BNODE)\b", body, re.I)
    template = body[body.upper().index("CONSTRUCT") : body.upper().index("WHERE")]
    assert "_:" not in template and "[" not in template, "no blank nodes in the template: compute IRIs"
    # only standard functions: the one kind of prefixed function call allowed is an XSD cast
    calls = set(re.findall(r"\b([A-Za-z][\w\-]*):[\w\-]+\s*\(", body))
    assert calls <= {"xsd"}, f"engine-specific functions: {calls}"
    if rule.header["kind"] == "finding":
        assert re.search(r'IRI\(CONCAT\("https://w3id.org/sscrdf/finding/",\s*SHA1\(', body)


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_rule_uses_only_known_terms(rule_id):
    known = declared_terms()
    used = {SSC + t for t in re.findall(r"\bssc:([A-Za-z_][\w\-]*)", RULE_BY_ID[rule_id].text)}
    assert used <= known, f"unknown ssc: terms: {sorted(used - known)}"


# ------------------------------------------------------------------------------------------ fixtures


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.ttl")), ids=lambda p: p.name)
def test_fixture_uses_only_known_terms(path):
    problems = unknown_terms(_load(path), declared_terms(), [path])
    assert not problems, [f"{p.term} (line {p.line}, did you mean {p.suggestion}?)" for p in problems]


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_positive_fixture(rule_id):
    path = fixture(rule_id, "pos")
    rule = RULE_BY_ID[rule_id]
    facts, findings = expectations(path)
    derived = derive(path).by_rule.get(rule_id, [])
    assert derived, f"{rule_id} derived nothing from {path.name}"
    if rule.header["kind"] == "fact":
        assert facts and not findings, f"{path.name}: a fact rule is checked with '# expect:' lines"
        wild = {(t.subject, t.predicate) for t in facts if t.object == WILDCARD}
        got = {ox.Triple(t.subject, t.predicate, WILDCARD) if (t.subject, t.predicate) in wild else t for t in derived}
        assert got == facts, f"\nunexpected: {sorted(map(str, got - facts))}\nmissing: {sorted(map(str, facts - got))}"
        assert not any(t.object == FINDING for t in derived)
    else:
        assert findings and not facts, f"{path.name}: a finding rule is checked with '# expect-finding:' lines"
        got = finding_keys(derived)
        assert got == findings, f"\nderived:\n{_show(got)}\nexpected:\n{_show(findings)}"
        subjects = {t.subject for t in derived if t.predicate == RDF_TYPE and t.object == FINDING}
        assert {t.subject for t in derived} == subjects, "a finding rule derives only findings"


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_negative_fixture(rule_id):
    path = fixture(rule_id, "neg")
    facts, findings = expectations(path)
    assert not facts and not findings, f"{path.name} must not state expectations"
    derived = derive(path).by_rule.get(rule_id, [])
    assert not derived, f"{rule_id} fired on {path.name}:\n" + "\n".join(map(str, derived))


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_cities_do_not_mix(rule_id):
    """Positive and negative fixture in one store: the rule derives exactly what it derives on the positive one
    alone (the rules join on the city or stakeholder and do not leak across cities)."""
    pos, neg = fixture(rule_id, "pos"), fixture(rule_id, "neg")
    alone = derive(pos).by_rule.get(rule_id, [])
    together = derive(pos, neg).by_rule.get(rule_id, [])
    if RULE_BY_ID[rule_id].header["kind"] == "fact":
        assert set(together) == set(alone)
    else:
        assert finding_keys(together) == finding_keys(alone)


# ------------------------------------------------------------------------------------------ findings


def _findings_of(derivation):
    """(rule id, finding, the finding's triples) for every finding of a derivation."""
    by_subject: dict = {}
    for t in derivation.triples:
        by_subject.setdefault(t.subject, []).append(t)
    for rid, triples in derivation.by_rule.items():
        for f in {t.subject for t in triples if t.predicate == RDF_TYPE and t.object == FINDING}:
            yield rid, f, by_subject[f]


def _all_findings():
    for rule_id in RULE_IDS:
        for pol in ("pos", "neg"):
            yield from _findings_of(derive(fixture(rule_id, pol)))


def test_every_finding_is_complete():
    seen_rules = set()
    count = 0
    for rid, f, ts in _all_findings():
        count += 1
        seen_rules.add(rid)
        values = {}
        for t in ts:
            values.setdefault(t.predicate, []).append(t.object)
        where = f"finding {f} of rule {rid}"
        assert isinstance(f, ox.NamedNode) and f.value.startswith("https://w3id.org/sscrdf/finding/"), where
        assert len(values.get(KIND, [])) == 1 and values[KIND][0] in KINDS, where
        assert len(values.get(SEVERITY, [])) == 1 and values[SEVERITY][0] in SEVERITIES, where
        assert values.get(ABOUT), where
        assert len(values.get(IN_CITY, [])) == 1, where
        assert values.get(PROV_GENERATED) == [ox.NamedNode(SSCR + rid)], where
        sources = values.get(DCT_SOURCE, [])  # one value per clause cited
        assert sources and all(s.value.startswith(("Y Suppl. 34, ", "FG-SSC Master Plan, ")) for s in sources), where
        comments = values.get(RDFS_COMMENT, [])
        assert len(comments) == 1, where
        message = comments[0].value
        assert len(message) > 60 and message.endswith("."), (where, message)
        # the fixtures label everything, so a message never falls back to printing an IRI
        assert "http" not in message and "urn:" not in message, (where, message)
        assert "ssc:" not in message, (where, message)  # plain English, no vocabulary terms
    finding_rules = {r for r in RULE_IDS if RULE_BY_ID[r].header["kind"] == "finding"}
    assert finding_rules <= seen_rules and count > 0


def test_finding_iris_are_stable():
    path = fixture("missing-category", "pos")
    first = run_rules(knowledge_store(_load(path)), RULES, as_of=AS_OF).findings()
    second = run_rules(knowledge_store(_load(path)), RULES, as_of=AS_OF).findings()
    assert first == second and first
    assert not any(
        isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)
        for rid in RULE_IDS
        for t in derive(fixture(rid, "pos")).triples
    )


#: finding rules whose message does not name the city (README, "Conventions the tests enforce"), with the reason
MESSAGE_WITHOUT_CITY = {
    "ask-about-duties": "a question addressed to the stakeholders it names, one kind of stakeholder at a time",
}
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")


def test_every_finding_message_names_its_city():
    """A finding's message names its city (the label of its ssc:inCity), on every positive rule fixture."""
    unnamed = set()
    for rule_id in RULE_IDS:
        path = fixture(rule_id, "pos")
        data = _load(path)
        for rid, _finding, ts in _findings_of(derive(path)):
            (city,) = [t.object for t in ts if t.predicate == IN_CITY]
            labels = {q.object.value for q in data.quads_for_pattern(city, RDFS_LABEL, None)}
            (message,) = [t.object.value for t in ts if t.predicate == RDFS_COMMENT]
            if not any(label in message for label in labels):
                unnamed.add(rid)
    assert unnamed == set(MESSAGE_WITHOUT_CITY)


def test_message_names_the_city_and_the_category():
    derivation = derive(fixture("missing-category", "pos"))
    messages = [t.object.value for t in derivation.by_rule["missing-category"] if t.predicate == RDFS_COMMENT]
    ngo = [m for m in messages if "non-governmental organization" in m]
    assert len(ngo) == 1 and ngo[0].startswith("Riverton has identified no non-governmental organization")


# ------------------------------------------------------------------------------------------ the engine


def test_fixpoint_gap_uses_latest_assessment_in_one_call():
    """engagement-gap reads ssc:latestAssessment, which latest-assessment derives: one run_rules call is enough,
    whatever the order of the rules."""
    path = fixture("engagement-gap", "pos")
    facts, _ = expectations(path)
    ks = knowledge_store(_load(path))
    for order in (["engagement-gap", "latest-assessment"], ["latest-assessment", "engagement-gap"]):
        result = run_rules(ks, [RULE_BY_ID[r] for r in order], as_of=AS_OF)
        assert set(result.by_rule["engagement-gap"]) == facts
        assert result.by_rule["latest-assessment"]
    assert run_rules(ks, [RULE_BY_ID["engagement-gap"]], as_of=AS_OF).by_rule == {}


def test_run_rules_does_not_change_its_store():
    data = _load(fixture("responsibility-overlap", "pos"))
    ks = knowledge_store(data)
    before, data_before = len(ks), len(data)
    quads = set(ks)
    result = run_rules(ks, RULES, as_of=AS_OF)
    assert result.triples
    assert len(ks) == before and set(ks) == quads and len(data) == data_before


RULE_IN_TMP = """\
# id: test-unit-without-label
# derives: ssc:Finding (ssc:Gap, sh:Info) about a municipal unit
# clause: Y Suppl. 34, Table 2
# kind: finding
# A test rule dropped into an extra directory: flags every municipal unit without an rdfs:label.
# It shows that a new rule needs no Python change.
PREFIX ssc:     <https://w3id.org/sscrdf/ontology#>
PREFIX rdfs:    <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX sh:      <http://www.w3.org/ns/shacl#>
PREFIX org:     <http://www.w3.org/ns/org#>
CONSTRUCT {
  ?f a ssc:Finding ; ssc:findingKind ssc:Gap ; ssc:severity sh:Info ; ssc:about ?u ; ssc:inCity ?city ;
     rdfs:comment "A municipal unit has no name." ; dcterms:source "Y Suppl. 34, Table 2" .
}
WHERE {
  ?city ssc:hasStakeholder ?m . ?u org:unitOf ?m .
  FILTER NOT EXISTS { ?u rdfs:label ?l }
  BIND(IRI(CONCAT("https://w3id.org/sscrdf/finding/", SHA1(CONCAT("test|", STR(?u))))) AS ?f)
}
"""


def test_rule_in_extra_directory_is_picked_up(tmp_path):
    (tmp_path / "test-unit-without-label.rq").write_text(RULE_IN_TMP, encoding="utf-8")
    (tmp_path / "data.ttl").write_text(
        "@prefix ssc: <https://w3id.org/sscrdf/ontology#> . @prefix org: <http://www.w3.org/ns/org#> .\n"
        "@prefix ex: <http://example.org/tmp#> .\n"
        "ex:c a ssc:City ; ssc:hasStakeholder ex:m . ex:m a ssc:Municipality . ex:u a ssc:FinanceUnit ; "
        "org:unitOf ex:m .\n",
        encoding="utf-8",
    )
    rules = bundled_rules(extra_dirs=(tmp_path,))
    assert "test-unit-without-label" in {r.id for r in rules}
    assert {r.id for r in rules} - {"test-unit-without-label"} == set(RULE_IDS)
    result = run_rules(knowledge_store(_load(tmp_path / "data.ttl")), rules, as_of=AS_OF)
    derived = result.by_rule["test-unit-without-label"]
    assert finding_keys(derived) == Counter(
        {
            (
                frozenset({ox.NamedNode("http://example.org/tmp#u")}),
                ox.NamedNode(SSC + "Gap"),
                ox.NamedNode("http://www.w3.org/ns/shacl#Info"),
                None,
            ): 1
        }
    )
    assert ox.Triple(derived[0].subject, PROV_GENERATED, ox.NamedNode(SSCR + "test-unit-without-label")) in derived


# ------------------------------------------------------------------------------------------ scale


def _many_cities(copies: int) -> ox.Store:
    """``copies`` renamed copies of all positive fixtures (about 30 cities each), plus latest assessments: the very
    store benchmarks/rules_scale.py times the rules on (its ``many_cities``, loaded from the script)."""
    spec = importlib.util.spec_from_file_location("rules_scale", ROOT / "benchmarks" / "rules_scale.py")
    assert spec is not None and spec.loader is not None
    rules_scale = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(rules_scale)
    store: ox.Store = rules_scale.many_cities(copies, FIXTURES)
    return store


def test_rule_output_grows_with_the_copies():
    """Two renamed copies of all positive fixtures give every rule's query exactly twice the rows of one copy: no
    rule joins across cities (such a join would give four times as many). The time each rule takes on 10 and 40
    copies is measured by benchmarks/rules_scale.py, not here: performance targets live in benchmarks/."""
    one, two = _many_cities(1), _many_cities(2)
    counts = {
        r: (
            sum(1 for _ in one.query(RULE_BY_ID[r].text, use_default_graph_as_union=True)),
            sum(1 for _ in two.query(RULE_BY_ID[r].text, use_default_graph_as_union=True)),
        )
        for r in RULE_IDS
    }
    assert {r: c for r, c in counts.items() if c[1] != 2 * c[0]} == {}
    assert sum(c[0] for c in counts.values()) > 100
