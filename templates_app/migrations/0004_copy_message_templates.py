from django.db import migrations


def copy_message_templates(apps, schema_editor):
    """One TemplateUse per message that named a template, stamped when it was written."""
    Message = apps.get_model("inbox", "Message")
    TemplateUse = apps.get_model("templates_app", "TemplateUse")
    used = Message.objects.filter(template__isnull=False).values_list(
        "pk", "template_id", "created_at"
    )
    TemplateUse.objects.bulk_create(
        (
            TemplateUse(message_id=pk, template_id=template_id, used_at=created_at)
            for pk, template_id, created_at in used.iterator()
        ),
        batch_size=1000,
        ignore_conflicts=True,
    )


def copy_back(apps, schema_editor):
    Message = apps.get_model("inbox", "Message")
    TemplateUse = apps.get_model("templates_app", "TemplateUse")
    for use in TemplateUse.objects.iterator():
        Message.objects.filter(pk=use.message_id).update(template_id=use.template_id)


class Migration(migrations.Migration):
    dependencies = [
        ("templates_app", "0003_template_use"),
    ]

    operations = [
        migrations.RunPython(copy_message_templates, copy_back),
    ]
