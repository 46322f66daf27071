from django.db import migrations

from continuum.tenancy import rls


class Migration(migrations.Migration):
    """Row-level security on every tenant table that exists by now. A later migration that
    adds a tenant table repeats the RunPython below (it is idempotent)."""

    dependencies = [
        ("tenancy", "0001_initial"),
        ("accounts", "0001_initial"),
        ("audit", "0002_append_only"),
        ("care", "0001_initial"),
        ("consent", "0001_initial"),
        ("notifications", "0001_initial"),
        ("people", "0001_initial"),
        ("interventions", "0001_initial"),
        ("coaching", "0001_initial"),
        ("casemanagement", "0001_initial"),
        ("referrals", "0002_listing_radius_index"),
    ]

    operations = [migrations.RunPython(rls.apply_policies, rls.remove_policies)]
