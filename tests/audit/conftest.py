import pytest
from django.urls import reverse


@pytest.fixture
def audit_url(org):
    return reverse("staff:audit_list", kwargs={"org": org.slug})


@pytest.fixture
def export_url(org):
    return reverse("staff:audit_export", kwargs={"org": org.slug})
