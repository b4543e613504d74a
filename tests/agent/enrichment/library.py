"""A tiny library built in code for enrichment, fit and hard-rule tests (no YAML, no ../shared)."""

from __future__ import annotations

from library.schemas import (
    Competitor,
    CountryRule,
    Disqualifiers,
    Library,
    Persona,
    QualifyingQuestion,
    Segment,
    Seller,
    StructuredCheck,
    Thresholds,
    UseCase,
)


def tiny_library() -> Library:
    """Two segments, good and bad personas, one competitor and every kind of hard rule."""
    return Library(
        name="tiny",
        seller=Seller(name="Paywell", product="AP automation", description="Automates accounts payable."),
        segments=[
            Segment(
                id="smb",
                name="SMB",
                description="Small companies",
                min_employees=10,
                max_employees=199,
                thresholds=Thresholds(sql_ready=65, needs_discovery=40),
            ),
            Segment(
                id="enterprise",
                name="Enterprise",
                description="Large companies",
                min_employees=200,
                thresholds=Thresholds(sql_ready=70, needs_discovery=45),
            ),
        ],
        personas=[
            Persona(
                id="finance_leader",
                name="Finance decision maker",
                role="decision_maker",
                fit="good",
                description="Owns the finance budget",
                titles=["CFO", "VP Finance", "Finance Director", "Controller"],
            ),
            Persona(
                id="ap_champion",
                name="AP champion",
                role="champion",
                fit="good",
                description="Runs AP",
                titles=["AP Manager", "Accounts Payable Specialist", "Head of AP"],
            ),
            Persona(
                id="student",
                name="Student",
                role="bad_fit",
                fit="bad",
                description="Not a buyer",
                titles=["Student", "Intern", "MBA Candidate"],
            ),
            Persona(
                id="job_seeker",
                name="Job seeker",
                role="bad_fit",
                fit="bad",
                description="Not a buyer",
                titles=["Open to work", "Looking for opportunities"],
            ),
        ],
        use_cases=[
            UseCase(
                id="invoice_capture", name="Invoice capture", description="Reads invoices", pains=["manual data entry"]
            )
        ],
        competitors=[Competitor(id="billcorp", name="BillCorp", domains=["billcorp.com"], aliases=["Bill Corp"])],
        questions=[
            QualifyingQuestion(
                id="target_industry",
                text="Is the company in a target industry?",
                category="fit",
                weight=2,
                fit_type="good",
                check=StructuredCheck(
                    field="company.industry", operator="in", value=["Manufacturing", "Logistics", "Software"]
                ),
            ),
        ],
        disqualifiers=Disqualifiers(
            min_employees=10,
            countries=CountryRule(supported=["US", "CA", "GB", "DE"]),
            existing_customer_domains=["happyclient.com"],
            blocked_domains=["example.com", "spamsender.net"],
            student_title_patterns=["student", "intern", "phd candidate"],
            student_email_suffixes=[".edu", ".ac.uk"],
            job_seeker_patterns=["looking for a job", "open to work", "my resume"],
        ),
    )
