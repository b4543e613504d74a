"""Typed contexts the prompt templates render against: one model per template."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from library.schemas import Persona, QualifyingQuestion, Seller


class _Context(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DataItem(_Context):
    """One untrusted, already-normalised text of the lead, labelled so the model can cite it."""

    source: str
    ref: str
    text: str


class JudgeSystemContext(_Context):
    """Instructions: trusted library content only (seller, personas, questions)."""

    seller: Seller
    seller_summary: str = ""  # the seller's description, cut to its first sentences
    personas: list[Persona]
    questions: list[QualifyingQuestion]
    readings: dict[str, str] = {}  # question id → its typed reading in words (library.reading), when it has one
    examples: dict[str, str] = {}  # question id → one short example each way, for a question with no typed comparison
    today: str


class JudgeUserContext(_Context):
    """The lead's data section; `boundary` is a hash of the data, so the data cannot forge the end marker."""

    boundary: str
    question_ids: list[str]
    items: list[DataItem]
    examples: list[DataItem] = []  # reviewed answers to these questions on other leads: data, never evidence


class RepairContext(_Context):
    """A repair request: what failed validation, with the previous output quoted as data."""

    boundary: str
    errors: list[str]
    previous_output: str
    question_ids: list[str]
