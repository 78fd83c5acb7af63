"""`facepolicy ask`: the unstated facts that would decide the most verdicts, first; answered,
written in place."""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import json

import pytest
from conftest import ROOT, run_line

from facepolicy.ask import questions
from facepolicy.evaluate import evaluate
from facepolicy.ruleset import load_rule_set

SCENARIOS = sorted((ROOT / "fixtures" / "scenarios").glob("*/deployment.json"))
RULES = load_rule_set().rules
SEVERITY = {rid: rule.severity for rid, rule in RULES.items()}
TOP_LEVEL = [
    "mode",
    "components",
    "sites",
    "consents",
    "alternatives",
    "data",
    "data_subjects",
    "guardian_consent",
    "operator",
    "privacy_policy",
    "rights",
    "paperwork",
    "cross_border_transfers",
]


def _asked(document):
    return questions(evaluate(RULES, document, today=dt.date(2026, 1, 1)), SEVERITY)


def _removals(document):
    for key in TOP_LEVEL:
        if key in document:
            yield f"/{key}", lambda d, k=key: d.pop(k)
    for field in ("product", "vendor", "integration"):
        if field in document["components"][0]:
            yield f"/components/0/{field}", lambda d, f=field: d["components"][0].pop(f)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.parent.name)
def test_a_removed_fact_is_asked_first(path):
    document = json.loads(path.read_text(encoding="utf-8"))
    already = {q.pointer for q in _asked(document)}  # facts a scenario leaves open on purpose
    checked = 0
    for pointer, remove in _removals(document):
        partial = copy.deepcopy(document)
        remove(partial)
        asked = [q for q in _asked(partial) if q.pointer not in already]
        if asked:  # some removals decide nothing (a fact no rule in scope reads)
            # first, or just after a fact that decides the same verdicts another way (a component's
            # own data_origin_regions stands in for the deployment's origin_regions)
            top = [q.pointer for q in asked[:3]]
            assert any(p == pointer or p.startswith(pointer + "/") for p in top), (pointer, top)
            assert asked[0].rules and set(asked[0].rules) & set(
                next(
                    q
                    for q in asked
                    if q.pointer in top
                    and (q.pointer == pointer or q.pointer.startswith(pointer + "/"))
                ).rules
            )
            checked += 1
    assert checked >= 3


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.parent.name)
def test_of_two_removed_facts_one_is_asked_first(path):
    document = json.loads(path.read_text(encoding="utf-8"))
    already = {q.pointer for q in _asked(document)}
    keys = [key for key in TOP_LEVEL if key in document]
    for a, b in itertools.combinations(keys, 2):
        partial = {k: v for k, v in document.items() if k not in (a, b)}
        asked = [q for q in _asked(partial) if q.pointer not in already]
        if asked:
            assert {q.pointer.split("/")[1] for q in asked[:3]} & {a, b}, (
                a,
                b,
                [q.pointer for q in asked[:3]],
            )


def _write(tmp_path, document):
    path = tmp_path / "d.json"
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


GATE = {
    "schema_version": 2,
    "id": "gate",
    "components": [
        {
            "id": "g",
            "vendor": "megvii",
            "product": "megvii_face_recognition",
            "integration": "device",
        }
    ],
    "sites": [{"id": "room", "name": "Room 1203", "area_type": "hotel_room"}],
    "complete": ["components"],
}


def test_text_and_json_name_the_question_its_words_and_the_rules_it_decides(tmp_path):
    path = _write(tmp_path, GATE)
    text = run_line(
        ["facepolicy", "ask", "--rule", "megvii-fr-guideline.private-spaces", str(path)]
    )
    assert text.code == 0, text.err
    assert text.out.splitlines()[0] == "1. /mode"
    assert "online" in text.out and "megvii-fr-guideline.private-spaces" in text.out
    zh = run_line(
        [
            "facepolicy",
            "ask",
            "--lang",
            "zh",
            "--rule",
            "megvii-fr-guideline.private-spaces",
            str(path),
        ]
    )
    assert "应用场景" in zh.out and "可判定" in zh.out
    data = json.loads(run_line(["facepolicy", "ask", "--format", "json", str(path)]).out)
    first = data["questions"][0]
    assert (
        first["pointer"] == "/mode"
        and first["kind"] == "enum"
        and first["choices"] == ["online", "offline", "o2o"]
    )
    assert (
        "megvii-fr-guideline.private-spaces" in first["rules"]
        and first["question"]["zh"]
        and first["question"]["en"]
    )


@pytest.mark.parametrize(
    "area, answers, expected",
    [
        (
            "hotel_room",
            b"2\nq\n",
            "fail",
        ),  # mode → offline: the stated hotel room fails, whatever other sites there are
        ("office", b"2\ny\n", "pass"),  # mode → offline, then "are these all the sites?" → yes
    ],
)
def test_interactive_answers_are_written_in_place_and_decide_the_verdict(
    tmp_path, area, answers, expected
):
    path = _write(
        tmp_path, {**GATE, "sites": [{"id": "room", "name": "Room 1203", "area_type": area}]}
    )
    before = path.read_text(encoding="utf-8")
    result = run_line(
        ["facepolicy", "ask", "-i", "--rule", "megvii-fr-guideline.private-spaces", str(path)],
        stdin=answers,
    )
    assert result.code == 0, result.err
    after = path.read_text(encoding="utf-8")
    assert json.loads(after)["mode"] == "offline"
    restored = after.replace(',\n  "mode": "offline"', "").replace(',\n    "sites"', "")
    assert restored == before, "nothing else in the file changed"
    verdict = run_line(
        [
            "facepolicy",
            "eval",
            "--rule",
            "megvii-fr-guideline.private-spaces",
            "--format",
            "json",
            str(path),
        ]
    )
    assert json.loads(verdict.out)["deployments"][0]["verdicts"][0]["status"] == expected


def test_interactive_skips_refuses_bad_answers_and_quits(tmp_path):
    path = _write(tmp_path, GATE)
    before = path.read_text(encoding="utf-8")
    result = run_line(
        ["facepolicy", "ask", "-i", "--rule", "megvii-fr-guideline.private-spaces", str(path)],
        stdin=b"sometimes\n\nq\n",
    )
    assert result.code == 0
    assert "choose one of: online, offline, o2o" in result.out
    assert path.read_text(encoding="utf-8") == before, "a refused answer and a skip write nothing"


def test_nothing_to_ask_on_a_decided_deployment():
    decided = next(p for p in SCENARIOS if not _asked(json.loads(p.read_text(encoding="utf-8"))))
    result = run_line(["facepolicy", "ask", str(decided)])
    assert result.code == 0 and "Nothing to ask" in result.out


def test_a_broken_deployment_is_one_line_exit_2(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"schema_version": 2, "id": "x", "mode": "sometimes"}', encoding="utf-8")
    result = run_line(["facepolicy", "ask", str(path)])
    assert (
        result.code == 2 and len(result.err.strip().splitlines()) == 1 and str(path) in result.err
    )


def test_a_number_answer_is_a_number_json_can_hold():
    from facepolicy.ask import BadAnswer, Question, parse_answer
    from facepolicy.model import Text

    question = Question("/consents/0/reprompt_interval_hours", Text("", ""), "number", (), (), 1)
    assert parse_answer(question, "24") == 24 and parse_answer(question, "1.5") == 1.5
    for bad in ("soon", "nan", "inf", ""):
        with pytest.raises(BadAnswer):
            parse_answer(question, bad)
