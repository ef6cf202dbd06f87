"""The demo tenant's conversion model: trained on the history the demo seeding made (converted,
lost and invalid leads), then every open lead is rescored with it, so the lead pages show a
probability and its factors from the first visit."""

from scoring.models import PredictiveModel
from scoring.predictive.services import model_train_due
from scoring.services import open_lead_ids, score_recompute


def demo_model_train() -> dict:
    """Train unless the history is the one the last version learnt from (a second run of the
    seeding adds no version)."""
    version = model_train_due(trigger="demo")
    if version is None:
        return {"trained": False}
    rescored = 0
    if version.status == PredictiveModel.Status.READY:
        rescored = score_recompute(lead_ids=open_lead_ids(), trigger="demo")
    return {
        "version": version.version,
        "status": version.status,
        "closed": version.closed,
        "auc": version.auc,
        "rescored": rescored,
    }
