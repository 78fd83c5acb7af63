"""Realistic deployment descriptions from a seed, for the benchmark.

Each one starts from a scenario fixture (every mode: online, offline, O2O; apps, kiosks, gates,
cameras) and grows to a size drawn between 2 and 50 KB by adding sites, components (SDKs, servers in
several regions) and consents, with their facts drawn at random, so that every rule meets passing,
failing and incomplete cases. Every document is checked against the deployment schema before it is
used.
"""

from __future__ import annotations

import copy
import json
import math
import random
from pathlib import Path
from typing import Any, Iterator

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "fixtures" / "scenarios").glob("*/deployment.json"))
REGIONS = ["CN", "CN", "CN", "SG", "ID", "JP", "CA", "US", "DE", "HK"]
MIN_BYTES, MAX_BYTES = 2_000, 50_000


def _flip_booleans(node: Any, rng: random.Random, rate: float) -> None:
    """Turn some true facts false (and back): the variety of verdicts a real fleet shows."""
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, bool) and rng.random() < rate:
                node[key] = not value
            else:
                _flip_booleans(value, rng, rate)
    elif isinstance(node, list):
        for item in node:
            _flip_booleans(item, rng, rate)


def _grow(
    document: dict[str, Any],
    templates: dict[str, list[dict[str, Any]]],
    rng: random.Random,
    target: int,
) -> None:
    serial = 0
    while len(json.dumps(document, ensure_ascii=False)) < target:
        kinds = [k for k, items in templates.items() if items]
        kind = rng.choice(kinds)
        item = copy.deepcopy(rng.choice(templates[kind]))
        serial += 1
        item["id"] = f"{item.get('id', kind)}-{serial}"
        if "name" in item:
            item["name"] = f"{item['name']} #{serial}"
        for field in ("processing_regions", "authorised_regions"):
            if field in item:
                item[field] = sorted(set(rng.sample(REGIONS, rng.randint(1, 3))))
        _flip_booleans(item, rng, 0.08)
        document.setdefault(kind, []).append(item)


def deployments(seed: int, count: int) -> Iterator[dict[str, Any]]:
    """`count` deployments, the same ones for the same seed."""
    rng = random.Random(seed)
    bases = [json.loads(p.read_text(encoding="utf-8")) for p in SCENARIOS]
    templates = {
        kind: [item for base in bases for item in base.get(kind, [])]
        for kind in ("sites", "components", "consents")
    }
    for number in range(count):
        document = copy.deepcopy(rng.choice(bases))
        document["id"] = f"{document['id']}-{seed}-{number}"
        document.pop("description", None)
        _flip_booleans(document, rng, 0.05)
        target = int(math.exp(rng.uniform(math.log(MIN_BYTES), math.log(MAX_BYTES))))
        _grow(document, templates, rng, target)
        yield document


def write_ndjson(path: Path, seed: int, count: int) -> list[int]:
    """Write the deployments as NDJSON; returns their sizes in bytes."""
    sizes = []
    with path.open("w", encoding="utf-8") as out:
        for document in deployments(seed, count):
            line = json.dumps(document, ensure_ascii=False, sort_keys=True)
            sizes.append(len(line.encode("utf-8")))
            out.write(line + "\n")
    return sizes
