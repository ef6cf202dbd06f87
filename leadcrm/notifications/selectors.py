from django.db.models import QuerySet

from leadcrm.accounts.models import User
from leadcrm.notifications.models import Notification


def notification_unread_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_list(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user)
