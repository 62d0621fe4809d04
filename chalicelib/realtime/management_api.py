"""The boto3 session behind `app.websocket_api`, aware of a local Management API.

Chalice builds `https://{domain}/{stage}` endpoints for API Gateway's Management API. The
local stack emulates that API over plain HTTP at a fixed address, so there the session
hands Chalice a client for that address instead; in AWS nothing is overridden.
"""

from __future__ import annotations

from typing import Any

import boto3

SERVICE = "apigatewaymanagementapi"


class ManagementApiSession(boto3.session.Session):  # type: ignore[misc]
    def __init__(self, *, endpoint_override: str | None, region_name: str) -> None:
        super().__init__(region_name=region_name)
        self._endpoint_override = endpoint_override

    def client(self, service_name: str, *args: Any, **kwargs: Any) -> Any:
        if service_name == SERVICE and self._endpoint_override is not None:
            kwargs["endpoint_url"] = self._endpoint_override
        return super().client(service_name, *args, **kwargs)
