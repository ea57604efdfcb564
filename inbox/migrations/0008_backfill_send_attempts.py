"""Count the send attempts of existing messages from their timeline.

Each transient failure left a delivery_deferred event naming the message; a
message that went past "queued" was claimed once more for its last attempt.
"""

from collections import Counter, defaultdict

from django.db import migrations
from django.db.models import F

CLAIMED_STATUSES = ["sending", "sent", "delivered", "bounced", "complained", "failed"]


def backfill_send_attempts(apps, schema_editor):
    Event = apps.get_model("inbox", "Event")
    Message = apps.get_model("inbox", "Message")
    Message.objects.filter(delivery_status__in=CLAIMED_STATUSES).update(
        send_attempts=1
    )
    deferred = Counter(
        data["message"]
        for data in Event.objects.filter(kind="delivery_deferred")
        .values_list("data", flat=True)
        .iterator()
        if isinstance(data, dict) and isinstance(data.get("message"), int)
    )
    by_count = defaultdict(list)
    for message_pk, count in deferred.items():
        by_count[count].append(message_pk)
    for count, message_pks in by_count.items():
        Message.objects.filter(pk__in=message_pks).update(
            send_attempts=F("send_attempts") + count
        )


class Migration(migrations.Migration):
    dependencies = [
        ("inbox", "0007_message_send_attempts"),
    ]

    operations = [
        migrations.RunPython(backfill_send_attempts, migrations.RunPython.noop),
    ]
