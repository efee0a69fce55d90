"""Sections mode (``VPR_GENERATION_MODE=sections``): the report written as independent sections.

The state machine runs Plan (``plan``) → a Map writing each planned section concurrently
(``writers``) → Assemble (``assemble``: executive summary, merge, grounding check, regeneration of the
flagged sections only) → Store. ``progress`` turns the execution history into "sections done / total".
"""
