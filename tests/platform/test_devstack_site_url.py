"""Links in e-mails sent by the worker, beat or a management command point at the web
server: every process of the development stack gets the same SITE_URL."""

from continuum import devstack


def test_every_child_gets_the_site_url_of_the_web_servers_port(monkeypatch):
    monkeypatch.setenv("PORT", "8817")
    monkeypatch.delenv("SITE_URL", raising=False)

    devstack._share_site_url()

    # A child given another PORT (as honcho does, PORT+100 per process) keeps the link.
    assert devstack._child_env({"PORT": "8917"})["SITE_URL"] == "http://127.0.0.1:8817"


def test_without_a_port_the_site_url_is_the_default_servers(monkeypatch):
    monkeypatch.delenv("PORT", raising=False)
    monkeypatch.delenv("SITE_URL", raising=False)

    assert devstack._share_site_url() == "http://127.0.0.1:8000"
    assert devstack._child_env()["SITE_URL"] == "http://127.0.0.1:8000"


def test_a_site_url_already_configured_is_kept(monkeypatch):
    monkeypatch.setenv("PORT", "8817")
    monkeypatch.setenv("SITE_URL", "https://continuum.example.org")

    devstack._share_site_url()

    assert devstack._child_env()["SITE_URL"] == "https://continuum.example.org"
