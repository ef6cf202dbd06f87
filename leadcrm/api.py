"""What every JSON API endpoint of the product shares: the tenant API key, the JSON body, the
error shape, idempotent replays, and the registry that lets each app add its paths to the one
OpenAPI document (served by leads at /api/v1/openapi.json).

Errors are ``{"error": {"message", "field"}}``. Idempotency: the first POST with an
``Idempotency-Key`` stores its answer with a hash of the body, in the same transaction as
the change; a retry with the same key and body gets the same answer, another body 422.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from django.http import JsonResponse
from django.utils.translation import gettext as _

from leadcrm.accounts.models import ApiKey, IdempotencyRecord
from leadcrm.accounts.services import api_key_authenticate
from leadcrm.parsing import data_clean

MAX_BODY = 64 * 1024


def api_error(status: int, message: str, field: str | None = None) -> JsonResponse:
    return JsonResponse({"error": {"message": message, "field": field}}, status=status)


def api_authenticate(request) -> ApiKey | None:
    header = request.headers.get("Authorization", "")
    scheme, _sep, key = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return api_key_authenticate(key.strip())


def api_body(request) -> tuple[dict | None, JsonResponse | None]:
    """The request's JSON object, or the error answer to send instead."""
    if request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        # A form body was parsed as a form already; the API reads JSON only.
        return None, api_error(400, _("Send JSON, with the header Content-Type: application/json."))
    if len(request.body) > MAX_BODY:
        return None, api_error(413, _("The request body is larger than 64 KB."))
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return None, api_error(400, _("The body is not valid JSON."))
    if not isinstance(data, dict):
        return None, api_error(400, _("Send a JSON object."))
    return data_clean(data), None


def api_request_hash(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def api_idempotency_key(request) -> str:
    return (request.headers.get("Idempotency-Key") or "").strip()[:255]


def api_earlier(api_key: ApiKey, key: str) -> IdempotencyRecord | None:
    if not key:
        return None
    return IdempotencyRecord.objects.filter(api_key=api_key, key=key).first()


def api_remember(api_key: ApiKey, key: str, request_hash: str, status: int, body: dict) -> None:
    """Store the answer inside the caller's transaction; a concurrent twin with the same key
    waits on the unique index until this commits (then replays it)."""
    if key:
        IdempotencyRecord.objects.create(
            api_key=api_key, key=key, request_hash=request_hash, status=status, body=body
        )


def api_replay(record: IdempotencyRecord, request_hash: str) -> JsonResponse:
    if record.request_hash != request_hash:
        return api_error(
            422,
            _("This Idempotency-Key was used with a different body; use a new key."),
            "Idempotency-Key",
        )
    response = JsonResponse(record.body, status=record.status)
    response["Idempotent-Replayed"] = "true"
    return response


# Each app adds its paths (and schemas) to the OpenAPI document: ``contribute(document)``
# edits the dict in place. Registered in AppConfig.ready.
_openapi: list[Callable[[dict], None]] = []


def register_openapi(contribute: Callable[[dict], None]) -> None:
    if contribute not in _openapi:
        _openapi.append(contribute)


def openapi_extend(document: dict) -> dict:
    for contribute in _openapi:
        contribute(document)
    return document
