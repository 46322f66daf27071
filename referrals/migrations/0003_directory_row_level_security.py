"""Row-level security on the directory tables, with full-text and ZIP-list search kept on
their GIN indexes by two functions owned by the search role (referrals.search_sql)."""

from django.db import migrations

from continuum.tenancy import rls
from referrals import search_sql


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0002_listing_radius_index"),
        ("tenancy", "0002_row_level_security"),
    ]

    operations = [
        migrations.RunPython(rls.apply_policies, migrations.RunPython.noop),
        migrations.RunPython(search_sql.create_search_functions, search_sql.drop_search_functions),
    ]
