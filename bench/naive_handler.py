"""The naive API handler the cold-import benchmark compares with (issue 10): what a typical Lambda
handler module imports at the top — anthropic, Powertools' event handler, logger and tracer, boto3 and
pydantic — and the module-level objects it builds. It makes no AWS calls and creates no clients, like
the real handlers at import time.
"""

import anthropic  # noqa: F401
import boto3  # noqa: F401
import pydantic  # noqa: F401
from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.event_handler import APIGatewayRestResolver

app = APIGatewayRestResolver(enable_validation=True)
logger = Logger()
tracer = Tracer()
