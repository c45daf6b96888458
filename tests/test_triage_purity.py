"""ivr.triage is plain Python: importing it loads no web framework, database or models.

Run in a fresh interpreter, since this test session has long since imported Flask and SQLAlchemy.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("flask", "sqlalchemy", "ivr.models", "ivr.db", "ivr.reports", "werkzeug")


def loaded_after(statement: str) -> list[str]:
    code = (
        f"import json, sys\n{statement}\n"
        f"print(json.dumps(sorted(m for m in {list(HEAVY)!r} if m in sys.modules)))"
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter and a fixed statement
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_importing_the_triage_module_loads_no_flask_database_or_models() -> None:
    assert loaded_after("import ivr.triage, ivr.triage.rules, ivr.triage.speech") == []


def test_triage_decides_and_understands_without_flask_or_a_database() -> None:
    statement = (
        "from ivr.triage import Facts, decide, load_rules, theft_class\n"
        "from ivr.triage.speech import understand\n"
        "heard = understand('someone stole my bike')\n"
        "d = decide(Facts(call_type=heard.call_type, flags=heard.flags, value=200), load_rules())\n"
        "assert (d.outcome, d.theft_class) == ('tru_report', 'misdemeanor_100_to_1500'), d\n"
        "assert theft_class(1500) == 'felony_1500_to_25000'"
    )
    assert loaded_after(statement) == []


def test_the_report_module_uses_the_triage_theft_classes() -> None:
    from ivr import reports
    from ivr.triage import theft

    assert reports.theft_class is theft.theft_class
