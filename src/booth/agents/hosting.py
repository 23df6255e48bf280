"""The endpoints of hosted agents: one stream route and one invoke route per agent, and a list.

POST /api/agents/{name}/stream   body {"input", "session_id"?, "session_token"?,
                                 "include_thoughts"?} → SSE in booth's event vocabulary
POST /api/agents/{name}/invoke   the same run, answered as one JSON document
GET  /api/agents                 every hosted agent, its kind and its input's JSON schema

Both routes go through `Host` like every built-in app's (open the caller's session, start a run,
read its events), so every guarantee of the runtime applies. Each agent gets its own request
model, so `/docs` shows the exact shape of its `input` (built at run time, which is why this
module keeps its annotations evaluated: FastAPI reads the local model from them).
"""

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, TypeAdapter, create_model

from booth.agents.app import BoothApp, HostedAgent
from booth.core import openapi
from booth.core.errors import BoothError, ErrorCode
from booth.core.events import Event
from booth.core.host import Host, client_address
from booth.core.payloads import ErrorPayload, ResponsePayload, ResultPayload
from booth.core.requests import OptionalSessionId, RequestBody

if TYPE_CHECKING:
    from booth.config import Settings


class AgentInfo(BaseModel):
    name: str
    kind: str
    description: str
    stream: str
    invoke: str
    input_schema: dict[str, Any]


class AgentList(BaseModel):
    agents: list[AgentInfo]


class InvokeResult(BaseModel):
    """What `/invoke` answers: the run's `result` event, its streamed text, and the session."""

    run_id: str
    session_id: str
    session_token: str | None = Field(None, description="Only when this request minted it")
    result: dict[str, Any]
    response: str = Field("", description="The `response` chunks, joined")


def request_model(name: str, agent: HostedAgent) -> type[BaseModel]:
    """The body of this agent's routes: its own `input` type inside booth's envelope."""
    title = "".join(part.capitalize() for part in name.replace("-", "_").split("_"))
    return create_model(
        f"{title}AgentRequest",
        __base__=RequestBody,
        input=(agent.input_type, Field(description="The agent's input")),
        session_id=(OptionalSessionId, None),
        session_token=(str | None, Field(None, description="Token of an existing session")),
        include_thoughts=(bool, Field(True, description="Stream thought events")),
    )


def outcome(events: list[Event]) -> tuple[dict[str, Any], str]:
    """The `result` and the joined `response` of a finished run; its `error` is raised."""
    result: dict[str, Any] | None = None
    text: list[str] = []
    for event in events:
        payload = event.payload()
        if isinstance(payload, ErrorPayload):
            raise payload.to_error()
        if isinstance(payload, ResultPayload):
            result = payload.wire()
        elif isinstance(payload, ResponsePayload):
            text.append(payload.chunk)
    if result is None:
        raise BoothError(ErrorCode.PIPELINE_ERROR, "The run ended without a result.")
    return result, "".join(text)


def _add_routes(router: APIRouter, host: Host, app: BoothApp, agent: HostedAgent) -> None:
    Body = request_model(app.name, agent)
    base = f"/api/agents/{app.name}"

    async def start(body: Any, request: Request):
        opened = await host.open_for_request(request, body.session_id, body.session_token)
        run, subscriber = await host.start(
            opened,
            app=app.name,
            pipeline=agent.pipeline(body.input),
            client=client_address(request),
            include_thoughts=body.include_thoughts,
            status={"agent": app.name, "kind": agent.kind},
            query=agent.describe_input(body.input),
        )
        return opened, run, subscriber

    async def stream(body: Body, request: Request):  # type: ignore[valid-type]
        opened, run, subscriber = await start(body, request)
        return host.sse(run, subscriber, opened)

    async def invoke(body: Body, request: Request) -> JSONResponse:  # type: ignore[valid-type]
        opened, run, subscriber = await start(body, request)
        # The lease is released before the terminal event, so a follow-up sent the moment
        # this answer arrives finds the session free.
        result, text = outcome(await host.runtime.collect(run, subscriber))
        answer = InvokeResult(
            run_id=run.id,
            session_id=opened.id,
            session_token=opened.minted_token,
            result=result,
            response=text,
        )
        response = host.json(answer.model_dump(mode="json"), opened)
        response.headers["X-Run-ID"] = run.id
        return response

    summary = app.description or f"The {app.name} agent"
    router.add_api_route(
        base + "/stream",
        stream,
        methods=["POST"],
        summary=f"{summary} (SSE)",
        response_class=JSONResponse,
        responses=openapi.STREAM,
    )
    router.add_api_route(
        base + "/invoke",
        invoke,
        methods=["POST"],
        summary=f"{summary} (JSON)",
        response_model=InvokeResult,
        responses=openapi.RUN,
    )


def agents_router(apps: list[BoothApp]):
    """A router factory for the agents of `apps` (those that have one)."""

    def create(host: Host, settings: "Settings") -> APIRouter:
        router = APIRouter(tags=["agents"])
        listed: list[AgentInfo] = []
        for app in apps:
            if app.agent is None:
                continue
            agent = app.agent(host, settings)
            _add_routes(router, host, app, agent)
            listed.append(
                AgentInfo(
                    name=app.name,
                    kind=agent.kind,
                    description=app.description,
                    stream=f"/api/agents/{app.name}/stream",
                    invoke=f"/api/agents/{app.name}/invoke",
                    input_schema=TypeAdapter(agent.input_type).json_schema(),
                )
            )
        catalog = AgentList(agents=listed)

        @router.get("/api/agents", response_model=AgentList, responses=openapi.ANY)
        async def list_agents() -> AgentList:
            """Every hosted agent: its name, kind, endpoints and input schema."""
            return catalog

        return router

    return create
