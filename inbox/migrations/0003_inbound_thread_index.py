from django.db import migrations, models
from django.db.models import Q


class AddIndexConcurrentlyOnPostgres(migrations.AddIndex):
    """CREATE INDEX CONCURRENTLY on PostgreSQL (no write lock on messages); plain elsewhere."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.add_index(model, self.index, concurrently=True)
        else:
            schema_editor.add_index(model, self.index)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.remove_index(model, self.index, concurrently=True)
        else:
            schema_editor.remove_index(model, self.index)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("inbox", "0002_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="message",
            name="thread_index_root",
            field=models.CharField(blank=True, default="", max_length=44),
        ),
        AddIndexConcurrentlyOnPostgres(
            model_name="message",
            index=models.Index(
                condition=~Q(thread_index_root=""),
                fields=["mailbox", "thread_index_root"],
                name="message_thread_index_idx",
            ),
        ),
    ]
