from django.db import migrations


class Migration(migrations.Migration):
    """Which template a message came from now lives in templates_app.TemplateUse
    (copied there by templates_app 0004), so inbox no longer points at templates_app."""

    dependencies = [
        ("inbox", "0004_search"),
        ("templates_app", "0004_copy_message_templates"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="message",
            name="template",
        ),
    ]
