"""The input files of the shared spec (../shared/spec/examples) are the contract: docgen accepts each of
them exactly as written. Where docgen's own example differs, it is because the spec's copy contradicts
itself (issue: the archive holds together); the spec's copy is then accepted with the warning that
names the contradiction."""
from __future__ import annotations

from pathlib import Path

import pytest

from docgen.pipeline import check_input

SPEC = Path(__file__).resolve().parent.parent.parent / "shared" / "spec" / "examples"
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
# file -> warnings (field paths) the spec's copy gets and docgen's example does not
KNOWN_CONTRADICTIONS = {
    "plan.yaml": {"approved_by"},  # §5.3: the plan is approved after its review (批准 left blank); ours also
                                   # breaks its workload down (§5.2.2), adding up to the total
    "acceptance.yaml": {"customer.preliminary.date"},  # §5.4.4: 初验 before the internal application (and its
                                                      # self-assessment claims every SLA target met)
    "survey.yaml": set(),  # ours records when the follow-ups were completed (the spec's stay 待跟踪 for ever)
    # ours states the month's real counts (the spec's says 现场1次、远程3次 beside records of 2 and 1: a warning
    # when generated against the archive, not when validated alone)
    "service_report.yaml": set(),
    # ours say what the record is (category 故障) and the incident's level and category (the spec's leave the
    # level to the default 一般, with a warning)
    "onsite.yaml": {"incident"},
    # ours types no incident: the pack takes them from the archived incident records (the spec's typed ones are
    # accepted, each warned when generated, as events without a service record)
    "emergency.yaml": set(),
    "remote.yaml": {"incident"},
}


@pytest.mark.skipif(not SPEC.is_dir(), reason="the shared spec is not beside this checkout")
@pytest.mark.parametrize("name", sorted(p.name for p in SPEC.glob("*.yaml")) if SPEC.is_dir() else [])
def test_the_spec_example_is_accepted_as_written(name):
    spec, ours = check_input(SPEC / name), check_input(EXAMPLES / name)
    assert spec.errors == [] and ours.errors == []
    extra = {w.path for w in spec.warnings} - {w.path for w in ours.warnings}
    assert extra == KNOWN_CONTRADICTIONS.get(name, set())
    if name not in KNOWN_CONTRADICTIONS:
        assert (SPEC / name).read_bytes() == (EXAMPLES / name).read_bytes()
