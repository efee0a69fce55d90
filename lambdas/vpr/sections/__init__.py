"""Sections mode (``VPR_GENERATION_MODE=sections``): the report written as independent sections.

The state machine runs Plan (``plan``) → a Map writing each planned section concurrently, the executive
summary among them (``writers``) → Assemble (``steps.assemble_step``: grounding check, regeneration of
the flagged sections only, merge) → Store. ``progress`` says how many sections are done and which are
ready to show, from the job view or from the execution history.
"""
