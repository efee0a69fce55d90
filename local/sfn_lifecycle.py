"""StopExecution and RedriveExecution as AWS documents them, on moto's Step Functions interpreter.

What moto 5.2.5 does, measured (a job held in its Map, StopExecution, then the held Lambdas released):

- StopExecution ignores ``error`` and ``cause``, answers without a ``stopDate``, and the execution stays
  RUNNING until its running Lambdas return; then a Map's aborted iterations trip an AttributeError and
  the execution ends **FAILED** ``States.Runtime``, not ABORTED, and the status-change event says
  FAILED. (Its pending Map iterations do not start: that part is right.)
- RedriveExecution is not implemented (HTTP 500 ``NotImplementedError``); DescribeExecution has no
  ``redriveCount``; the Context object has no ``$$.Execution.RedriveCount``.

What this module makes the local engine do instead (AWS Step Functions API Reference, StopExecution,
RedriveExecution and DescribeExecution, as botocore's service model carries them; Developer Guide,
"Restarting state machine executions with redrive in Step Functions", "Redriving Map Runs" and
"Accessing execution data from the Context object"):

- **StopExecution** ends a running execution at once: ABORTED, with the ``stopDate`` returned and the
  given ``error``/``cause`` kept (DescribeExecution and the ABORTED status-change event carry them).
  Step Functions schedules nothing more; a Lambda already running runs on, and whatever it returns is
  ignored. On an execution that has already ended it changes nothing.
- **RedriveExecution** restarts an unsuccessful (FAILED, TIMED_OUT, ABORTED) execution from its
  unsuccessful state — a state with an ``Entered`` event and no ``Exited`` one — with that state's
  input, same ARN; the states that finished are not run again, and in an inline Map only the
  iterations that did not succeed run again (the others keep their output). ``redriveCount`` grows by
  one, the status is RUNNING again (a RUNNING status-change event with ``redriveCount`` is sent), the
  history goes on after an ``ExecutionRedriven`` event, and the execution timeout starts afresh. Refused
  with ``ExecutionNotRedrivable`` while RUNNING, once SUCCEEDED, 14 days after the execution stopped,
  one year after it started, or with 24,999 history events. A ``clientToken`` seen in the last 15
  minutes (the last 10) returns the same redrive instead of another.
- ``$$.Execution.RedriveCount`` (0 until redriven) and, after a redrive, ``$$.Execution.RedriveTime``.

Also measured: a stop that lands while moto is evaluating a state leaves its evaluation stack
misaligned, and it records garbage (a ``LambdaFunctionScheduled`` whose ``timeoutInSeconds`` is the state
input, which then breaks GetExecutionHistory with HTTP 500). Here the history of a stopped execution ends
with its ``ExecutionAborted`` event, recorded at the stop: what the interpreter does afterwards is not
recorded, as nothing happens in a stopped execution on AWS.

Executions do not survive a restart of the local service, so neither do redrives.
"""

from __future__ import annotations

from local import sfn_redrive, sfn_state, sfn_stop

# What the rest of the local engine uses, in one place.
ends_the_execution = sfn_stop.ends_the_execution
redrive_fields = sfn_redrive.redrive_fields
unsuccessful_state = sfn_redrive.unsuccessful_state
__all__ = ["ends_the_execution", "install", "redrive_fields", "sfn_state", "unsuccessful_state"]


def install() -> None:
    """Patch moto (once per process): StopExecution, RedriveExecution, DescribeExecution, the Context."""
    from moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration.iteration_worker import (
        IterationWorker,
    )
    from moto.stepfunctions.parser.asl.eval.environment import Environment
    from moto.stepfunctions.parser.asl.eval.event.event_manager import EventManager
    from moto.stepfunctions.parser.backend.execution import BaseExecutionWorkerCommunication
    from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker
    from moto.stepfunctions.responses import StepFunctionResponse

    if getattr(StepFunctionResponse, "_vpr_lifecycle", False):
        return
    ExecutionWorker._get_evaluation_environment = sfn_redrive.with_redrive_context(  # type: ignore[method-assign]
        ExecutionWorker._get_evaluation_environment
    )
    BaseExecutionWorkerCommunication._reflect_execution_status = sfn_stop.keep_the_stop(  # type: ignore[method-assign]
        BaseExecutionWorkerCommunication._reflect_execution_status
    )
    IterationWorker._eval_job = sfn_redrive.iterations_kept_on_redrive(IterationWorker._eval_job)  # type: ignore[method-assign]
    Environment.set_error = sfn_stop.stays_stopped(Environment.set_error)  # type: ignore[method-assign]
    EventManager.add_event = sfn_stop.closed_history_records_nothing(EventManager.add_event)  # type: ignore[method-assign]
    StepFunctionResponse.stop_execution = sfn_stop.stop_execution_response  # type: ignore[method-assign]
    StepFunctionResponse.redrive_execution = sfn_redrive.redrive_execution_response  # type: ignore[attr-defined]
    StepFunctionResponse.describe_execution = sfn_redrive.describe_with_redrive(  # type: ignore[method-assign]
        StepFunctionResponse.describe_execution
    )
    StepFunctionResponse._vpr_lifecycle = True  # type: ignore[attr-defined]
