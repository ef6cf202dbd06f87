"""The intake API: create, read, update and list leads with a tenant API key.

    Authorization: Bearer lck_<prefix>_<secret>      (Settings → API keys)
    POST   /api/v1/leads/            create (send Idempotency-Key to make retries safe)
    GET    /api/v1/leads/            list: ?status= &q= &source= &updated_after= &limit= &page=
    GET    /api/v1/leads/<uuid>/     read
    PATCH  /api/v1/leads/<uuid>/     update the given fields

A lead's ``campaign`` is a campaign's uuid (null for none); an unknown one is a 400 naming the
field, a cancelled one is refused (422) like any refused change.
    GET    /api/v1/openapi.json      this API as OpenAPI 3.1

Every write goes through the same services as the pages (lead_create, lead_update): the same
checks, duplicate rules, routing and history. Errors are JSON: ``{"error": {"message",
"field"}}`` with 400 (bad JSON), 401 (no or bad key), 404, 405, 413 (too large) or 422
(refused). The key's creator is the actor: history names them and their visibility applies.

Idempotency: the first POST with a key stores its answer with a hash of the body, in the same
transaction as the lead. A retry with the same key and body gets the same answer (the same
lead, 201); the same key with another body gets 422. Two simultaneous requests with one key
meet on a unique index: one creates, the other waits and replays.
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from leadcrm.accounts.models import ApiKey, User
from leadcrm.api import (
    api_authenticate,
    api_body,
    api_earlier,
    api_error,
    api_idempotency_key,
    api_remember,
    api_replay,
    api_request_hash,
    openapi_extend,
)
from leadcrm.parsing import uuid_or_none
from leads import selectors
from leads.dedup.matching import duplicates_find
from leads.errors import LeadError
from leads.fields import API_FIELDS, EDITABLE_FIELDS
from leads.masking import mask_email, mask_phone
from leads.models import Campaign, Lead, SourceChannel
from leads.services import lead as lead_services
from leads.services.lead import campaign_source_default

MAX_LIMIT = 200
MAX_PAGE = 100_000  # deeper than this, OFFSET costs more than it serves; filter instead
WRITE_FIELDS = set(EDITABLE_FIELDS)


class UnknownReference(LeadError):
    """The body names a record that is not there (a campaign uuid): a bad request (400)."""


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def lead_json(lead: Lead) -> dict:
    """A lead as the API shows it; contacts the key's user sees masked (``contacts_masked``,
    e.g. unclaimed leads of a pool they only claim from) stay masked here too."""
    data = {"id": str(lead.uuid), **{f: getattr(lead, f) for f in API_FIELDS}}
    if getattr(lead, "contacts_masked", False):
        for field, mask in (("email", mask_email), ("phone", mask_phone), ("mobile", mask_phone)):
            if data.get(field):
                data[field] = mask(data[field])
    data["source"] = lead.source.code if lead.source_id else None
    data["stage"] = lead.stage.name if lead.stage_id else None
    data["owner"] = lead.owner.email if lead.owner_id else None
    data["campaign"] = str(lead.campaign.uuid) if lead.campaign_id else None
    data["created_at"] = _iso(lead.created_at)
    data["updated_at"] = _iso(lead.updated_at)
    return data


def _lead_fields(data: dict) -> dict:
    """API JSON to service arguments: unknown fields are refused, source is a code, owner an
    email."""
    unknown = set(data) - WRITE_FIELDS - {"owner"}
    if unknown:
        raise LeadError(
            _("Unknown field: %(field)s.") % {"field": sorted(unknown)[0]}, field=sorted(unknown)[0]
        )
    fields = {k: v for k, v in data.items() if k in WRITE_FIELDS}
    if "campaign" in fields:
        fields["campaign"] = _campaign(fields["campaign"])
    for key, value in fields.items():
        if key == "campaign":
            continue
        if (
            key not in ("tags", "custom_data")
            and value is not None
            and not isinstance(value, str | int | float)
        ):
            raise LeadError(_("%(field)s must be text.") % {"field": key}, field=key)
        if key not in ("tags", "custom_data", "source") and isinstance(value, int | float):
            fields[key] = str(value)
        if value is None and key not in ("source", "custom_data", "tags"):
            fields[key] = ""
    if "source" in fields:
        code = fields["source"]
        fields["source"] = None
        if code:
            source = SourceChannel.objects.filter(code=code).first()
            if source is None:
                raise LeadError(_("Unknown source: %(code)s.") % {"code": code}, field="source")
            fields["source"] = source
    tags = fields.get("tags")
    if tags is not None and not (
        isinstance(tags, str) or (isinstance(tags, list) and all(isinstance(t, str) for t in tags))
    ):
        raise LeadError(_("tags must be a list of texts."), field="tags")
    if "custom_data" in fields and not isinstance(fields["custom_data"] or {}, dict):
        raise LeadError(_("custom_data must be an object."), field="custom_data")
    return fields


def _campaign(value) -> Campaign | None:
    """The campaign a uuid names (None for null or ""); UnknownReference for anything else."""
    if value is None or value == "":
        return None
    found = uuid_or_none(value) if isinstance(value, str) else None
    campaign = Campaign.objects.filter(uuid=found).first() if found else None
    if campaign is None:
        raise UnknownReference(
            _("Unknown campaign: %(value)s. Send a campaign's id (a UUID) or null.")
            % {"value": str(value)[:80]},
            field="campaign",
        )
    return campaign


def _owner(data: dict) -> User | None:
    if not isinstance(data.get("owner") or "", str):
        raise LeadError(_("owner must be the e-mail address of a user."), field="owner")
    email = (data.get("owner") or "").strip().lower()
    if not email:
        return None
    owner = User.objects.filter(email__iexact=email, is_active=True).first()
    if owner is None:
        raise LeadError(
            _("No active user with the email %(email)s.") % {"email": email}, field="owner"
        )
    return owner


def _visible(api_key: ApiKey):
    user = api_key.created_by
    return selectors.leads_with_masking(selectors.leads_visible_to(user), user=user).select_related(
        "source", "stage", "owner", "campaign"
    )


@csrf_exempt
def leads_collection(request):
    api_key = api_authenticate(request)
    if api_key is None:
        return api_error(401, _("Send a valid API key: Authorization: Bearer lck_..."))
    if request.method == "GET":
        return _list(request, api_key)
    if request.method == "POST":
        return _create(request, api_key)
    return api_error(405, _("Use GET or POST."))


def _list(request, api_key: ApiKey) -> JsonResponse:
    leads = _visible(api_key)
    params = request.GET
    if params.get("status"):
        leads = leads.filter(status__in=params["status"].split(","))
    if params.get("source"):
        leads = leads.filter(source__code=params["source"])
    if params.get("q"):
        q = params["q"]
        from django.db.models import Q

        leads = leads.filter(Q(name__icontains=q) | Q(company__icontains=q) | Q(email__icontains=q))
    if params.get("updated_after"):
        since = parse_datetime(params["updated_after"])
        if since is None:
            return api_error(
                422, _("updated_after must be an ISO 8601 date-time."), "updated_after"
            )
        leads = leads.filter(updated_at__gt=since)
    try:
        limit = min(max(int(params.get("limit", 50)), 1), MAX_LIMIT)
        page = max(int(params.get("page", 1)), 1)
    except ValueError:
        return api_error(422, _("limit and page are numbers."))
    if page > MAX_PAGE:
        return api_error(
            422,
            _("page is at most %(max)d; narrow the list with updated_after.") % {"max": MAX_PAGE},
            "page",
        )
    rows = list(leads.order_by("-created_at", "-id")[(page - 1) * limit : page * limit + 1])
    next_url = None
    if len(rows) > limit:
        query = params.copy()
        query["page"] = str(page + 1)
        next_url = f"{request.path}?{query.urlencode()}"
    return JsonResponse({"results": [lead_json(r) for r in rows[:limit]], "next": next_url})


def _create(request, api_key: ApiKey) -> JsonResponse:
    data, problem = api_body(request)
    if problem:
        return problem
    idempotency_key = api_idempotency_key(request)
    request_hash = api_request_hash(data)
    earlier = api_earlier(api_key, idempotency_key)
    if earlier is not None:
        return api_replay(earlier, request_hash)
    try:
        with transaction.atomic():
            fields = _lead_fields(data)
            if "source" not in data:  # the campaign's source, else the API's
                campaign_source_default(fields)
                fields.setdefault("source", SourceChannel.objects.filter(code="api").first())
            lead = lead_services.lead_create(actor=api_key.created_by, owner=_owner(data), **fields)
            lead = Lead.objects.select_related("source", "stage", "owner", "campaign").get(
                pk=lead.pk
            )
            body = {**lead_json(lead), "duplicates": _duplicates(fields, lead, api_key.created_by)}
            api_remember(api_key, idempotency_key, request_hash, 201, body)
    except UnknownReference as error:
        return api_error(400, error.message, error.field)
    except LeadError as error:
        return api_error(422, error.message, error.field)
    except IntegrityError:
        earlier = api_earlier(api_key, idempotency_key)
        if earlier is None:
            raise
        return api_replay(earlier, request_hash)
    response = JsonResponse(body, status=201)
    response["Location"] = reverse("api-lead", kwargs={"uuid": lead.uuid})
    return response


def _duplicates(fields: dict, lead: Lead, user) -> list[dict]:
    """What the tenant's "warn" duplicate rules found for a new lead ("block" ones refuse it
    with 422), so the client can tell its user. The evidence field by field only for a lead
    the key's user sees unmasked: "same phone number" would confirm a guessed number."""
    matches = duplicates_find(fields, exclude_ids=[lead.pk], limit=5)
    seen = selectors.leads_with_masking(
        selectors.leads_visible_to(user).filter(pk__in=[m.lead.pk for m in matches]), user=user
    ).values_list("pk", "contacts_masked")
    open_ids = {pk for pk, masked in seen if not masked}
    return [
        {
            "id": str(m.lead.uuid),
            "level": m.level,
            "score": m.score,
            "rule": m.rule.name,
            "evidence": [
                {"field": field, "level": level, "similarity": similarity}
                for field, level, similarity in (m.explained if m.lead.pk in open_ids else ())
            ],
        }
        for m in matches
    ]


@csrf_exempt
def lead_item(request, uuid):
    api_key = api_authenticate(request)
    if api_key is None:
        return api_error(401, _("Send a valid API key: Authorization: Bearer lck_..."))
    lead = _visible(api_key).filter(uuid=uuid).first()
    if lead is None:
        return api_error(404, _("No such lead."))
    if request.method == "GET":
        return JsonResponse(lead_json(lead))
    if request.method != "PATCH":
        return api_error(405, _("Use GET or PATCH."))
    if not selectors.lead_can_write(api_key.created_by, lead):
        return api_error(404, _("No such lead."))
    data, problem = api_body(request)
    if problem:
        return problem
    if "owner" in data:
        return api_error(422, _("Change the owner in the app (assignment)."), "owner")
    try:
        lead_services.lead_update(lead=lead, actor=api_key.created_by, **_lead_fields(data))
    except UnknownReference as error:
        return api_error(400, error.message, error.field)
    except LeadError as error:
        return api_error(422, error.message, error.field)
    lead = _visible(api_key).get(pk=lead.pk)
    return JsonResponse(lead_json(lead))


def openapi(request):
    """The API's OpenAPI 3.1 document (public: it describes, it holds no data)."""
    text = {"type": "string"}
    lead_props = {f: text for f in API_FIELDS}
    lead_props.update(
        {
            "id": {"type": "string", "format": "uuid", "readOnly": True},
            "tags": {"type": "array", "items": text},
            "custom_data": {"type": "object"},
            "score": {"type": ["integer", "null"], "readOnly": True},
            "status": {**text, "readOnly": True},
            "grade": {**text, "readOnly": True},
            "source": {**text, "description": "a source channel code"},
            "owner": {**text, "format": "email"},
            "campaign": {
                "type": ["string", "null"],
                "format": "uuid",
                "description": "a campaign's id (400 when there is no such campaign)",
            },
            "stage": {**text, "readOnly": True},
            "created_at": {**text, "format": "date-time", "readOnly": True},
            "updated_at": {**text, "format": "date-time", "readOnly": True},
        }
    )
    error = {"$ref": "#/components/schemas/Error"}
    responses = {
        "401": {
            "description": "No or bad API key",
            "content": {"application/json": {"schema": error}},
        },
        "400": {
            "description": "Bad request (bad JSON, an unknown campaign)",
            "content": {"application/json": {"schema": error}},
        },
        "422": {"description": "Refused", "content": {"application/json": {"schema": error}}},
    }
    lead_ref = {"$ref": "#/components/schemas/Lead"}
    duplicates = {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {
                "id": {"type": "string", "format": "uuid"},
                "level": {"type": "string", "enum": ["exact", "similar"]},
                "score": {"type": "integer"},
                "rule": text,
            },
        },
    }
    document = {
        "openapi": "3.1.0",
        "info": {"title": "LeadCRM intake API", "version": "1"},
        "servers": [{"url": request.build_absolute_uri("/")}],
        "security": [{"bearer": []}],
        "paths": {
            "/api/v1/leads/": {
                "get": {
                    "summary": "List leads (newest first)",
                    "parameters": [
                        {"name": n, "in": "query", "schema": text}
                        for n in ("status", "source", "q", "updated_after", "limit", "page")
                    ],
                    "responses": {
                        "200": {
                            "description": "A page of leads",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {
                                            "results": {"type": "array", "items": lead_ref},
                                            "next": {"type": ["string", "null"]},
                                        },
                                    }
                                }
                            },
                        },
                        **responses,
                    },
                },
                "post": {
                    "summary": "Create a lead",
                    "parameters": [
                        {
                            "name": "Idempotency-Key",
                            "in": "header",
                            "schema": text,
                            "description": "Same key and body: the same lead.",
                        }
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": lead_ref}},
                    },
                    "responses": {
                        "201": {
                            "description": "Created. ``duplicates`` lists existing leads that "
                            "the tenant's warning duplicate rules match (a blocking rule "
                            "refuses the lead with 422 instead).",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "allOf": [
                                            lead_ref,
                                            {
                                                "type": "object",
                                                "properties": {"duplicates": duplicates},
                                            },
                                        ]
                                    }
                                }
                            },
                        },
                        **responses,
                    },
                },
            },
            "/api/v1/leads/{id}/": {
                "parameters": [
                    {
                        "name": "id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "format": "uuid"},
                    }
                ],
                "get": {
                    "summary": "Read a lead",
                    "responses": {
                        "200": {
                            "description": "The lead",
                            "content": {"application/json": {"schema": lead_ref}},
                        },
                        **responses,
                    },
                },
                "patch": {
                    "summary": "Update the given fields",
                    "requestBody": {"content": {"application/json": {"schema": lead_ref}}},
                    "responses": {
                        "200": {
                            "description": "The lead",
                            "content": {"application/json": {"schema": lead_ref}},
                        },
                        **responses,
                    },
                },
            },
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Lead": {"type": "object", "properties": lead_props, "required": ["name"]},
                "Error": {
                    "type": "object",
                    "properties": {
                        "error": {
                            "type": "object",
                            "properties": {"message": text, "field": {"type": ["string", "null"]}},
                        }
                    },
                },
            },
        },
    }
    return JsonResponse(openapi_extend(document))
