"""The deployment schema: every property documented in both languages; every list can be stated
complete."""

from __future__ import annotations

import json

from conftest import ROOT

from facepolicy import schemas

SCHEMA = json.loads((ROOT / "schemas" / "deployment.schema.json").read_text(encoding="utf-8"))


def _objects(node, path="#"):
    if isinstance(node, dict):
        if isinstance(node.get("properties"), dict):
            yield path, node
        for key, value in node.items():
            yield from _objects(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _objects(value, f"{path}/{index}")


def _is_list(prop):
    several = any(
        option.get("type") == "array" for option in prop.get("anyOf", ())
    )  # one value or a list of them
    return prop.get("type") == "array" or prop.get("$ref") == "#/$defs/regions" or several


def test_every_property_is_described_in_chinese_and_english():
    for path, node in _objects(SCHEMA):
        for name, prop in node["properties"].items():
            if "description" not in prop and "$ref" in prop:
                prop = SCHEMA["$defs"][prop["$ref"].rsplit("/", 1)[1]]
            text = prop.get("description", "")
            zh, sep, en = text.partition(" / ")
            assert sep and zh and en, f"{path}/properties/{name}"


def test_every_object_with_lists_can_state_each_of_them_complete():
    for path, node in _objects(SCHEMA):
        lists = sorted(
            name
            for name, prop in node["properties"].items()
            if name != "complete" and _is_list(prop)
        )
        if lists:
            assert sorted(node["properties"]["complete"]["items"]["enum"]) == lists, path


def test_the_facts_real_deployments_needed_have_a_home():
    document = {
        "schema_version": 2,
        "id": "estate",
        "components": [
            {
                "id": "app",
                "vendor": "megvii",
                "product": "megvii_sdk",
                "integration": ["sdk", "api"],
                "runs_on": [
                    {"kind": "mobile_app", "os": "android"},
                    {"kind": "mobile_app", "os": "ios"},
                ],
                "complete": ["integration", "runs_on"],
            },
            {
                "id": "gate",
                "vendor": "megvii",
                "product": "megvii_face_recognition",
                "data_origin_regions": ["CN"],
                "transport_encrypted": True,
                "stops_on_permission_revoked": True,
            },
        ],
        "sites": [
            {
                "id": "gate",
                "area_type": "residential_community_gate",
                "impact_assessment": {"done": True, "reviewed_on": "2026-03-01"},
            }
        ],
        "consents": [
            {
                "id": "kid",
                "purpose": "face_recognition",
                "given_by": "guardian",
                "age_group": "under_14",
                "also_purposes": ["provision_to_vendor"],
                "recipients": ["朴道征信"],
                "records_kept": True,
            }
        ],
        "retention": [
            {
                "id": "templates",
                "data": "face_templates",
                "holder": "deployer",
                "period": {"value": 30, "unit": "days"},
                "from": "moving_out",
            },
            {
                "id": "vendor-logs",
                "data": "logs",
                "holder": "vendor",
                "component": "gate",
                "period": "indefinite",
                "relied_on": True,
            },
        ],
        "privacy_policy": {
            "offered_at": ["qr_code_on_sign", "paper_notice"],
            "languages": ["zh-Hans", "en"],
            "conforms_to_gbt35273": True,
            "guardian_notice_offline": True,
        },
        "rights": {
            "channels": ["email", "in_person"],
            "human_review_of_rejection": True,
            "third_party_support_obtained": True,
            "vendor_contact": {"channel": "published_contact", "forwarding_days": 3},
        },
        "paperwork": {
            "main_contract": {"in_place": True, "form": "accepted_online", "includes_dpa": True}
        },
        "alternatives": ["pin", "access_card", "staff_video_call", "manual_document_check"],
        "purposes": [
            "attendance",
            "photo_editing",
            "liveness_at_class_entry",
            "movement_profiling",
            "alerts_to_shops",
        ],
        "data_subjects": {"categories": ["drivers", "contractors", "residents"]},
    }
    assert schemas.first_error("deployment", document) is None
    document["retention"][0]["period"] = {"value": 30}
    assert schemas.first_error("deployment", document) is not None, "a duration needs its unit"
