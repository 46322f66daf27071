from django.db import migrations

# A message is what was sent: refuse UPDATE at the database, so neither a bug nor a
# compromised application account can rewrite one after the fact.
FORWARD = """
CREATE OR REPLACE FUNCTION messaging_message_unchangeable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'messaging_message rows cannot be changed after sending'
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER messaging_message_unchangeable
    BEFORE UPDATE ON messaging_message
    FOR EACH ROW EXECUTE FUNCTION messaging_message_unchangeable();
"""

REVERSE = """
DROP TRIGGER IF EXISTS messaging_message_unchangeable ON messaging_message;
DROP FUNCTION IF EXISTS messaging_message_unchangeable();
"""


class Migration(migrations.Migration):
    dependencies = [("messaging", "0001_threads")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
