"""What conversion adds to the leads app's pages and API, registered in ConversionConfig.ready
(leads never imports conversion)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from conversion.models import Conversion
from conversion.services.convert import lead_may_convert
from leads.hooks import LeadAction
from leads.services.lead import CONVERTIBLE


def lead_actions(lead, user) -> list[LeadAction]:
    """Convert, for who may convert a convertible lead."""
    if lead.status in CONVERTIBLE and lead.merged_into_id is None and lead_may_convert(user, lead):
        url = reverse("conversion-convert", kwargs={"uuid": lead.uuid})
        return [LeadAction(key="convert", label=_("Convert"), url=url, primary=True)]
    return []


def lead_panel(lead, user):
    """On a converted lead: what it became, with links."""
    if lead.status != "converted":
        return None
    conversion = (
        Conversion.objects.filter(lead=lead)
        .select_related("customer", "contact", "opportunity", "converted_by")
        .first()
    )
    if conversion is None:
        return None
    return "conversion/partials/_lead_converted.html", {"conversion": conversion}


def bulk_convert(user) -> LeadAction | None:
    return LeadAction(key="convert", label=_("Convert"), url=reverse("conversion-convert-bulk"))


def openapi_paths(document: dict) -> None:
    """POST /api/v1/leads/{id}/convert/ in the API's OpenAPI document."""
    text = {"type": "string"}
    record = {
        "type": ["object", "null"],
        "properties": {
            "id": {**text, "format": "uuid"},
            "name": text,
            "created": {"type": "boolean"},
        },
    }
    error = {"$ref": "#/components/schemas/Error"}
    document["paths"]["/api/v1/leads/{id}/convert/"] = {
        "parameters": [
            {
                "name": "id",
                "in": "path",
                "required": True,
                "schema": {"type": "string", "format": "uuid"},
            },
            {
                "name": "Idempotency-Key",
                "in": "header",
                "schema": text,
                "description": "Same key and body: the same answer, one conversion.",
            },
        ],
        "post": {
            "summary": "Convert a lead into a customer, a contact and an opportunity",
            "description": (
                "Without a body: link the customer whose normalised company name matches "
                "(when the tenant's check is on) or create one, and create a contact. "
                "All or nothing."
            ),
            "requestBody": {
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "customer": {
                                    **text,
                                    "format": "uuid",
                                    "description": "link this customer",
                                },
                                "customer_name": {
                                    **text,
                                    "description": "create a customer so named",
                                },
                                "contact": {
                                    "description": "true (create, the default), "
                                    "false (none) or the uuid of a contact to link"
                                },
                                "opportunity": {
                                    "type": ["object", "null"],
                                    "properties": {
                                        "name": text,
                                        "amount": text,
                                        "currency": text,
                                        "expected_close_date": {**text, "format": "date"},
                                        "stage": {**text, "format": "uuid"},
                                    },
                                },
                            },
                        }
                    }
                }
            },
            "responses": {
                "201": {
                    "description": "Converted",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "lead": {**text, "format": "uuid"},
                                    "converted_at": {**text, "format": "date-time"},
                                    "customer": record,
                                    "contact": record,
                                    "opportunity": {"type": ["object", "null"]},
                                },
                            }
                        }
                    },
                },
                "401": {
                    "description": "No or bad API key",
                    "content": {"application/json": {"schema": error}},
                },
                "404": {
                    "description": "No such lead (or not visible to the key's creator)",
                    "content": {"application/json": {"schema": error}},
                },
                "409": {
                    "description": "Already converted, or a duplicate refuses it",
                    "content": {"application/json": {"schema": error}},
                },
                "422": {
                    "description": "Refused",
                    "content": {"application/json": {"schema": error}},
                },
            },
        },
    }
