"""A fake app that plugs into the registry the way a new domain app does, so the core's hooks are tested for real."""

from django.apps import AppConfig


class FakeAppConfig(AppConfig):
    """Registers a merge participant and a tenant default (timeline sources are added per test)."""

    name = "tests.fake_app"
    label = "fake_app"

    def ready(self) -> None:
        from crm_site import plugins

        from .models import FakeNote, FakeTenantSetting

        plugins.register_merge_participants(plugins.MergeParticipant("fake_notes", FakeNote, "customer"))
        plugins.register_tenant_defaults(plugins.TenantDefault(
            "fake settings", lambda tenant: FakeTenantSetting.objects.create(tenant=tenant, name="default")))
