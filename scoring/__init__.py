"""Scoring: rubrics, the score engine and score sheets (see DESIGN.md "Scoring")."""
