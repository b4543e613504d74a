"""A small, valid library built in code for unit tests (no files, no index)."""

from __future__ import annotations

from library.schemas import (
    Competitor,
    Disqualifiers,
    EventRule,
    Library,
    Persona,
    QualifyingQuestion,
    ScoringConfig,
    Segment,
    Seller,
    StructuredCheck,
    Thresholds,
    UseCase,
)


def small_library() -> Library:
    return Library(
        name="testlib",
        seller=Seller(name="Ledgerly", product="AP automation", description="Automates accounts payable."),
        segments=[
            Segment(
                id="smb",
                name="SMB",
                description="Small companies",
                min_employees=10,
                max_employees=199,
                thresholds=Thresholds(sql_ready=60, needs_discovery=45),
            ),
            Segment(
                id="enterprise",
                name="Enterprise",
                description="Large companies",
                min_employees=200,
                thresholds=Thresholds(sql_ready=70, needs_discovery=50),
            ),
        ],
        personas=[
            Persona(
                id="cfo",
                name="Finance leader",
                role="decision_maker",
                fit="good",
                description="Owns finance",
                titles=["CFO", "VP Finance"],
            ),
            Persona(
                id="student", name="Student", role="bad_fit", fit="bad", description="Not a buyer", titles=["Student"]
            ),
        ],
        use_cases=[UseCase(id="capture", name="Invoice capture", description="OCR", pains=["manual data entry"])],
        competitors=[Competitor(id="payflowly", name="PayFlowly", domains=["payflowly.com"])],
        questions=[
            QualifyingQuestion(
                id="budget",
                text="Has budget been allocated?",
                category="budget",
                weight=5,
                fit_type="good",
                discovery_question="What budget is set aside?",
            ),
            QualifyingQuestion(
                id="timeline", text="Go-live within 90 days?", category="timeline", weight=3, fit_type="good"
            ),
            QualifyingQuestion(
                id="size",
                text="At least 200 employees?",
                category="fit",
                weight=2,
                fit_type="good",
                segments=["enterprise"],
                check=StructuredCheck(field="company.employees", operator="gte", value=200),
            ),
        ],
        disqualifiers=Disqualifiers(min_employees=10, existing_customer_domains=["customer.com"]),
        scoring=ScoringConfig(events=[EventRule(event="pricing_page_view", points=10, half_life_days=7)]),
    )
