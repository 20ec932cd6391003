"""On PostgreSQL the database itself refuses to change or delete ledger entries."""

from django.db import migrations

CREATE = """
CREATE TRIGGER money_ledgerentry_append_only
    BEFORE UPDATE OR DELETE ON money_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION clusterfund_refuse_change();
"""
DROP = "DROP TRIGGER IF EXISTS money_ledgerentry_append_only ON money_ledgerentry;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("money", "0001_initial"), ("audit", "0002_append_only_in_postgresql")]
    operations = [migrations.RunPython(forwards, backwards)]
