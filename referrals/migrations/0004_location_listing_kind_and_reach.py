"""Each location carries its listing's kind and service radius, for the geo index that
answers search without reading the listings."""

from django.db import migrations, models

from continuum.tenancy.scoping import organization_scope

COPY = """
UPDATE referrals_listinglocation l
SET listing_kind = s.kind,
    listing_reach_miles = CASE WHEN s.service_area_kind = 'radius'
                               THEN s.service_radius_miles ELSE 0 END
FROM referrals_listing s
WHERE s.id = l.listing_id AND l.organization_id = %s
"""


def copy_listing_fields(apps, schema_editor):
    # Row-level security shows the owner one organization at a time.
    organization_model = apps.get_model("tenancy", "Organization")
    for organization in organization_model.objects.order_by("pk"):
        with organization_scope(organization), schema_editor.connection.cursor() as cursor:
            cursor.execute(COPY, [organization.pk])


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0003_directory_row_level_security"),
        ("tenancy", "0003_session_and_emergency_settings"),
    ]

    operations = [
        migrations.AddField(
            model_name="listinglocation",
            name="listing_kind",
            field=models.CharField(blank=True, editable=False, max_length=32),
        ),
        migrations.AddField(
            model_name="listinglocation",
            name="listing_reach_miles",
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.AddIndex(
            model_name="listinglocation",
            index=models.Index(
                fields=["organization", "listing_kind", "latitude", "longitude"],
                include=("listing_reach_miles", "listing"),
                name="referrals_location_kind_geo",
            ),
        ),
        migrations.RunPython(copy_listing_fields, migrations.RunPython.noop),
    ]
