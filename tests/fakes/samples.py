"""Sample applications and Claude-style reports for the generator and grounding tests."""

from __future__ import annotations

import copy
from typing import Any

#: The product's documented example request (DESIGN §3), with a realistic inline CV.
EXAMPLE_REQUEST: dict[str, Any] = {
    "application_id": "app-uuid-123",
    "user_id": "user-uuid-456",
    "job_posting": {
        "company_name": "Natural Intelligence",
        "role_title": "Learning & Development Manager",
        "responsibilities": ["Develop training programs", "Analyze learning needs"],
        "requirements": ["5+ years L&D experience", "Strong analytical skills"],
        "location": {"city": "Tel Aviv", "country": "Israel"},
        "employment_type": "Full-time",
        "language": "en",
    },
    "gap_responses": [
        {
            "question": "What programming experience do you have?",
            "answer": "Basic Python for automation scripts",
        }
    ],
}

EXAMPLE_CV: dict[str, Any] = {
    "headline": "L&D leader who builds data-driven training programs",
    "summary": "Seven years designing learning programs for product and sales teams in tech companies.",
    "experience": [
        {
            "company": "Wix",
            "title": "L&D Manager",
            "start": "2020-01",
            "end": "present",
            "highlights": [
                "Built an onboarding academy for 400 new hires a year",
                "Cut average ramp-up time by 30% with role-based learning paths",
                "Ran quarterly learning-needs analysis across 12 departments using survey data",
            ],
        },
        {
            "company": "Check Point Software",
            "title": "Training Specialist",
            "start": "2017-03",
            "end": "2019-12",
            "highlights": [
                "Delivered sales enablement workshops to 150 account managers",
                "Moved 2TB of legacy course content to a new LMS",
            ],
        },
    ],
    "education": [
        {"institution": "Tel Aviv University", "degree": "MA", "field": "Organizational Psychology"}
    ],
    "skills": ["Instructional design", "Learning analytics", "Excel", "Articulate 360", "Python"],
    "certifications": ["ATD Certified Professional in Talent Development (CPTD)"],
    "languages": ["Hebrew", "English"],
}


def example_application(**posting_changes: Any) -> dict[str, Any]:
    """The documented example with the CV attached (an ``Application`` payload)."""
    data = copy.deepcopy(EXAMPLE_REQUEST)
    data["cv"] = copy.deepcopy(EXAMPLE_CV)
    data["job_posting"].update(posting_changes)
    return data


def hebrew_application() -> dict[str, Any]:
    data = example_application(
        role_title="מנהל/ת הדרכה ופיתוח",
        responsibilities=["פיתוח תוכניות הדרכה", "ניתוח צורכי למידה"],
        requirements=["5+ שנות ניסיון בהדרכה", "יכולות אנליטיות חזקות"],
        language="he",
    )
    data["company_context"] = {"values": ["סקרנות", "אחריות"], "industry": "טכנולוגיה"}
    return data


def grounded_report() -> dict[str, Any]:
    """A Claude-like report that paraphrases but states only facts of ``example_application()``."""
    return {
        "executive_summary": (
            "The candidate is an L&D leader who builds data-driven training programs, now L&D Manager at "
            "Wix since 2020. For the Learning and Development Manager role at Natural Intelligence, the "
            "strongest matches are a 30 percent cut in ramp-up time through role-based learning paths, an "
            "onboarding academy serving 400 new hires a year, and quarterly learning-needs analysis across "
            "12 departments."
        ),
        "evidence_matrix": [
            {
                "requirement": "5+ years L&D experience",
                "evidence": (
                    "L&D Manager at Wix since January 2020 and Training Specialist at Check Point Software "
                    "from 2017 to 2019: roughly seven years in learning and development, over the five-year "
                    "bar."
                ),
                "alignment_score": "STRONG",
                "impact_potential": "Can own the learning roadmap from the first quarter.",
            },
            {
                "requirement": "Strong analytical skills",
                "evidence": (
                    "Runs Quarterly learning-needs analysis across 12 departments using survey data; skilled "
                    "in Learning Analytics and Excel; holds an MA in Organizational Psychology from Tel Aviv "
                    "University."
                ),
                "alignment_score": "STRONG",
                "impact_potential": "Turns survey data into priorities for Natural Intelligence's programs.",
            },
        ],
        "differentiators": [
            "Holds the ATD CPTD certification (Certified Professional in Talent Development).",
            "Migrated 2 TB of legacy course content to a new LMS at Check Point Software.",
            "Delivered sales enablement workshops to 150 account managers.",
        ],
        "gap_strategies": [
            {
                "gap": "Programming",
                "mitigation_approach": (
                    "The candidate uses basic Python for automation scripts and would frame it as a "
                    "productivity aid, not an engineering skill."
                ),
                "transferable_skills": ["Python", "Learning analytics"],
            }
        ],
        "cultural_fit": (
            "Natural Intelligence's data-driven culture matches the candidate's habit of grounding training "
            "decisions in survey data and Learning Analytics."
        ),
        "talking_points": [
            "How role-based learning paths cut ramp-up time by 30%.",
            "Building the onboarding academy at Wix for 400 new hires a year.",
            "The quarterly needs analysis across 12 departments.",
            "Moving 2TB of content into an LMS at Check Point Software.",
            "Using Python to automate reporting chores.",
        ],
        "keywords": ["L&D", "Training programs", "Learning needs analysis", "Instructional design", "LMS"],
    }


def report_with_invented_employer() -> dict[str, Any]:
    """``grounded_report()`` with an employer, a certification and a figure the CV does not have."""
    report = grounded_report()
    report["differentiators"] = [
        *report["differentiators"],
        "Previously led global enablement at Google as Head of Learning, growing completion by 45%.",
        "Holds the PMP certification.",
    ]
    return report
