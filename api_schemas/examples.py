"""A realistic request used as the documented example of the contract (OpenAPI and docs)."""

from __future__ import annotations

from typing import Any

PLAN_REQUEST_EXAMPLE: dict[str, Any] = {
    "start_date": "2025-11-24",
    "calendar": {"working_weekdays": ["mon", "tue", "wed", "thu", "fri"], "holidays": ["2025-11-24"], "country": "JP"},
    "owners": [
        {"id": "alice", "name": "Alice (infra)", "hours_per_day": 8, "skills": ["infra", "backend"]},
        {
            "id": "agent-1",
            "name": "Coding agent",
            "hours_per_day": 24,
            "skills": ["backend"],
            "working_weekdays": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
        },
    ],
    "milestones": [
        {"id": "M2", "name": "M2: P0 Critical", "due": "2025-11-19"},
        {"id": "recon", "name": "Miyabi Reconstruction", "due": "2025-11-27"},
    ],
    "issues": [
        {"id": "#840", "title": "Provisioned throughput application", "estimate_hours": 2, "priority": "P0",
         "milestone": "M2", "skills": ["infra"]},
        {"id": "#841", "title": "Roll out API keys to 200 agents", "estimate_hours": 4, "priority": "P0",
         "milestone": "M2", "depends_on": [{"issue": "#840", "lag_days": 1}]},
        {"id": "#970", "title": "Reconstruction planning", "estimate_hours": 8, "priority": "P0",
         "milestone": "recon", "pinned_owner": "alice"},
        {"id": "#972", "title": "Phase 1.1: PostgreSQL connection", "estimate_hours": 4, "priority": "P1",
         "milestone": "recon", "depends_on": ["#970"]},
        {"id": "#977", "title": "Team coordination (not estimated yet)", "priority": "P1", "milestone": "recon"},
    ],
    "options": {"time_limit_s": 5, "seed": 0, "mode": "deterministic"},
}
