"""The leads app's models, by sub-domain. Everything is re-exported here, so
``from leads.models import Lead`` works and Django finds every model."""

from leads.models.activity import Activity, Comment
from leads.models.attachment import Attachment
from leads.models.campaign import Campaign, CampaignKind, CampaignStatus
from leads.models.capture import WebForm
from leads.models.config import CustomFieldDefinition, LeadSettings, default_region
from leads.models.dedup import DuplicateDismissal, DuplicateRule, LeadMerge
from leads.models.email import EmailSettings, EmailTemplate, LeadEmail
from leads.models.followup import SopTemplate, Task
from leads.models.importing import ImportIssue, ImportJob, ImportMapping
from leads.models.lead import (
    DEDUP_KEY_FIELDS,
    OPEN_STATUSES,
    CompanySize,
    Lead,
    LeadStageChange,
    LeadStatus,
    LossReason,
    Priority,
    RevenueRange,
    SourceChannel,
    Stage,
)
from leads.models.sharing import Access, LeadMember, SavedView, SharingRule

__all__ = [
    "DEDUP_KEY_FIELDS",
    "OPEN_STATUSES",
    "Access",
    "Activity",
    "Attachment",
    "Campaign",
    "CampaignKind",
    "CampaignStatus",
    "Comment",
    "CompanySize",
    "CustomFieldDefinition",
    "DuplicateDismissal",
    "DuplicateRule",
    "EmailSettings",
    "EmailTemplate",
    "ImportIssue",
    "ImportJob",
    "ImportMapping",
    "Lead",
    "LeadEmail",
    "LeadMember",
    "LeadMerge",
    "LeadSettings",
    "LeadStageChange",
    "LeadStatus",
    "LossReason",
    "Priority",
    "RevenueRange",
    "SavedView",
    "SharingRule",
    "SopTemplate",
    "SourceChannel",
    "Stage",
    "Task",
    "WebForm",
    "default_region",
]
