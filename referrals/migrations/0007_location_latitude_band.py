"""Locations carry their latitude band, which leads the geo indexes, and search names the
bands its box crosses (referrals.search_sql.LATITUDE_BANDS_FUNCTION for the widest-radius
box)."""

import django.db.models.expressions
import django.db.models.functions.comparison
import django.db.models.functions.math
from django.db import migrations, models

from referrals import search_sql


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0006_capacity_links_and_settings"),
        ("tenancy", "0006_organization_contact_hours"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="listinglocation",
            name="referrals_location_geo",
        ),
        migrations.RemoveIndex(
            model_name="listinglocation",
            name="referrals_location_kind_geo",
        ),
        migrations.AddField(
            model_name="listinglocation",
            name="latitude_band",
            field=models.GeneratedField(
                db_persist=True,
                expression=django.db.models.functions.comparison.Cast(
                    django.db.models.functions.math.Floor(
                        django.db.models.expressions.CombinedExpression(
                            models.F("latitude"), "*", models.Value(4)
                        )
                    ),
                    models.SmallIntegerField(),
                ),
                output_field=models.SmallIntegerField(null=True),
            ),
        ),
        migrations.AddIndex(
            model_name="listinglocation",
            index=models.Index(
                fields=["organization", "latitude_band", "longitude", "latitude"],
                name="referrals_location_geo",
            ),
        ),
        migrations.AddIndex(
            model_name="listinglocation",
            index=models.Index(
                fields=["organization", "listing_kind", "latitude_band", "longitude", "latitude"],
                include=("listing_reach_miles", "listing"),
                name="referrals_location_kind_geo",
            ),
        ),
        migrations.RunPython(
            search_sql.create_search_functions, search_sql.drop_latitude_bands_function
        ),
    ]
