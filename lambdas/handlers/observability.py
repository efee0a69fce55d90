"""Powertools logging, tracing and metrics shared by all handlers (service name and namespace from env)."""

from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger()
tracer = Tracer()
metrics = Metrics()
