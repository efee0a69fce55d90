"""The embedded local runtime: moto as AWS, Lambda tasks as in-process callables, an API Gateway emulator.

The Lambda code asset (``lambdas/``) is put on ``sys.path`` here, as Lambda puts the asset root on the
path, so ``python -m local`` works from the repository root without extra setup.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAMBDAS_DIR = ROOT / "lambdas"
if str(LAMBDAS_DIR) not in sys.path:
    sys.path.insert(0, str(LAMBDAS_DIR))
