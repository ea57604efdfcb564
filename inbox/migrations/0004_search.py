"""Full-text search: tsvector maintenance by trigger and GIN indexes (PostgreSQL only).

On SQLite nothing is created; inbox.search falls back to plain substring matching.
"""

from django.db import migrations

FORWARD = r"""
CREATE OR REPLACE FUNCTION inbox_message_search_vector() RETURNS trigger AS $$
BEGIN
    -- The subject weighs more than the body; very long bodies are cut so one
    -- huge email cannot blow the tsvector size limit (1 MB).
    NEW.search_vector :=
        setweight(to_tsvector('english', coalesce(NEW.subject, '')), 'A') ||
        setweight(to_tsvector('english', left(coalesce(NEW.visible_text, ''), 200000)), 'B');
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS inbox_message_search_vector_trg ON inbox_message;
CREATE TRIGGER inbox_message_search_vector_trg
    BEFORE INSERT OR UPDATE OF subject, visible_text ON inbox_message
    FOR EACH ROW EXECUTE FUNCTION inbox_message_search_vector();

CREATE OR REPLACE FUNCTION inbox_conversation_search_vector() RETURNS trigger AS $$
DECLARE
    who text;
BEGIN
    SELECT coalesce(c.name, '') || ' ' || coalesce(c.email, '') INTO who
      FROM inbox_customer c WHERE c.id = NEW.customer_id;
    NEW.search_vector :=
        setweight(to_tsvector('english', coalesce(NEW.subject, '')), 'A') ||
        setweight(to_tsvector('simple', coalesce(who, '')), 'B');
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS inbox_conversation_search_vector_trg ON inbox_conversation;
CREATE TRIGGER inbox_conversation_search_vector_trg
    BEFORE INSERT OR UPDATE OF subject, customer_id ON inbox_conversation
    FOR EACH ROW EXECUTE FUNCTION inbox_conversation_search_vector();

UPDATE inbox_message SET subject = subject;
UPDATE inbox_conversation SET subject = subject;
"""

# Search: WHERE search_vector @@ websearch_to_tsquery(...) (inbox.search). Built
# CONCURRENTLY, one statement each, so writes to messages are never blocked.
INDEXES = [
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS message_search_gin "
    "ON inbox_message USING GIN (search_vector)",
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS conversation_search_gin "
    "ON inbox_conversation USING GIN (search_vector)",
]

BACKWARD = r"""
DROP INDEX IF EXISTS conversation_search_gin;
DROP INDEX IF EXISTS message_search_gin;
DROP TRIGGER IF EXISTS inbox_conversation_search_vector_trg ON inbox_conversation;
DROP TRIGGER IF EXISTS inbox_message_search_vector_trg ON inbox_message;
DROP FUNCTION IF EXISTS inbox_conversation_search_vector();
DROP FUNCTION IF EXISTS inbox_message_search_vector();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)
        for statement in INDEXES:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("inbox", "0003_inbound_thread_index"),
    ]

    operations = [migrations.RunPython(forward, backward)]
