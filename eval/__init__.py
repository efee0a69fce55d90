"""Report quality you can measure: an evaluation set of applications and the runner that scores reports.

``python -m eval`` (``make eval``) — see ``eval/runner.py``.
"""
