"""One wiring: what the stack deploys is what the local runtime runs, function by function.

Both read ``stacks/registry.py``; these tests compare what each side *made* of it — the synthesized
template on one side, the functions the running local runtime registered on the other — so a side that
stops reading the registry (or reads it differently) fails here.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from stacks.registry import FUNCTIONS, POWERTOOLS_ENVIRONMENT, api_functions, task_functions
from stacks.vpr_stack import ASL_PATH
from vpr.settings import Settings

from .conftest import Synth, resolve

pytestmark = pytest.mark.slow


def template_functions(synth: Synth) -> dict[str, dict[str, Any]]:
    """Registry key → the synthesized function's properties (by its name ``careervp-vpr-<key>-dev``)."""
    found = {}
    for props in (r["Properties"] for r in synth.resources("AWS::Lambda::Function").values()):
        key = props["FunctionName"].removeprefix("careervp-vpr-").removesuffix("-dev")
        found[key] = props
    return found


def test_the_same_functions_with_the_same_handler_timeout_memory_and_environment_names(
    synth: Synth, local_runtime: Any
) -> None:
    deployed = template_functions(synth)
    assert set(deployed) == set(local_runtime.functions) == set(FUNCTIONS)
    for key, local in local_runtime.functions.items():
        props = deployed[key]
        assert local.name == f"careervp-vpr-{key}-local"
        assert (props["Handler"], props["Timeout"], props["MemorySize"]) == (
            local.spec.handler,
            local.spec.timeout_seconds,
            local.spec.memory_mb,
        ), key
        assert set(props["Environment"]["Variables"]) == set(local.environment), key
        # The local router serves the function with the same limits in its Lambda context.
        context = local_runtime.router.context_for(local.name)
        assert (context.timeout_seconds, context.memory_limit_in_mb) == (
            props["Timeout"],
            props["MemorySize"],
        )


def test_the_same_definition_substitutions_name_the_same_functions(synth: Synth, local_runtime: Any) -> None:
    _, machine = synth.one("AWS::StepFunctions::StateMachine")
    logical_to_key = {synth.logical_id(fn): key for key, fn in synth.stack.functions.items()}
    deployed = {
        name: logical_to_key[re.fullmatch(r"<(\w+)\.Arn>", value).group(1)]
        for name, value in resolve(machine["Properties"]["DefinitionSubstitutions"]).items()
    }
    local = {
        name: arn.rsplit(":function:", 1)[1].removeprefix("careervp-vpr-").removesuffix("-local")
        for name, arn in local_runtime.definition_substitutions.items()
    }
    assert deployed == local
    assert set(re.findall(r"\$\{(\w+)\}", ASL_PATH.read_text())) == set(deployed)
    assert {f"{state}FunctionArn": key for state, key in task_functions().items()} == deployed


def test_the_api_methods_are_the_routes_the_emulator_serves(synth: Synth) -> None:
    from local.api_gateway import ROUTES

    from .test_infra_stack import _methods

    functions = {f"<{synth.logical_id(fn)}.Arn>": key for key, fn in synth.stack.functions.items()}
    deployed = {}
    for (path, method), props in _methods(synth).items():
        if method == "OPTIONS":
            continue
        uri = resolve(props["Integration"]["Uri"])
        (key,) = [k for arn, k in functions.items() if arn in uri]
        deployed[key] = (method, path)
    assert deployed == {key: (r.method, r.path) for key, r in api_functions().items()}
    assert {key: (method, path) for method, _, path, key in ROUTES} == deployed


def _settings_field_env_names() -> dict[str, str]:
    """Environment variable → the Settings field it fills (prefix VPR_, or the field's own alias)."""
    prefix = Settings.model_config["env_prefix"]
    names = {}
    for field, info in Settings.model_fields.items():
        alias = info.validation_alias
        names[alias.upper() if isinstance(alias, str) else f"{prefix}{field}".upper()] = field
    return names


def test_every_environment_variable_is_read_by_a_setting_or_by_powertools() -> None:
    """A variable no setting reads is configuration that does nothing: a defect."""
    from aws_lambda_powertools.shared import constants

    powertools = {v for v in vars(constants).values() if isinstance(v, str) and v.startswith("POWERTOOLS_")}
    settings = _settings_field_env_names()
    for spec in FUNCTIONS.values():
        for name in spec.environment_names:
            if name in POWERTOOLS_ENVIRONMENT:
                assert name in powertools, f"{spec.key}: {name} is not a Powertools variable"
            else:
                assert name in settings, f"{spec.key}: {name} fills no field of vpr.settings.Settings"


def test_each_local_function_sees_only_its_own_settings(local_runtime: Any) -> None:
    """Locally every function shares one process; each still reads only the variables AWS gives it."""
    settings = _settings_field_env_names()
    bound = {name for spec in FUNCTIONS.values() for name in spec.settings_environment}
    process = {name: getattr(local_runtime.function_settings("status"), settings[name]) for name in bound}
    assert process["VPR_RESULTS_BUCKET"] and process["VPR_STATE_MACHINE_ARN"]
    for key, spec in FUNCTIONS.items():
        scoped = local_runtime.function_settings(key)
        for name in bound:
            value = getattr(scoped, settings[name])
            if name in spec.settings_environment:
                assert value == getattr(Settings(), settings[name]), (key, name)
            else:
                assert value == Settings.model_fields[settings[name]].default, (key, name)
    assert local_runtime.function_settings("validate").state_machine_arn == ""
    assert local_runtime.function_settings("submit").results_bucket == ""


def test_a_registered_handler_runs_with_its_functions_settings(
    local_runtime: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reached as the state machine reaches it (the router's handler), Plan reads Plan's settings."""
    from handlers import plan

    seen = []
    monkeypatch.setattr(
        plan, "plan_step", lambda state, settings: seen.append(settings) or {"mode": "x", "sections": []}
    )
    local_runtime.task_handler("Plan")(
        {"state": {}}, local_runtime.router.context_for("careervp-vpr-plan-local")
    )

    (settings,) = seen
    assert settings == local_runtime.function_settings("plan")
    assert settings.job_view_table and not settings.results_bucket and not settings.state_machine_arn
